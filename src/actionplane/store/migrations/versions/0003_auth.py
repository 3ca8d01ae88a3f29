"""Per-user auth: connect-flow states, OAuth apps, refresh leases, token version and expiry.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.add_column(sa.Column("token_version", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("expires_at", sa.Float, nullable=True))
        batch.add_column(sa.Column("redirect_url", sa.Text, nullable=True))
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("connection_id", sa.String(64), nullable=False),
        sa.Column("toolkit", sa.String(64), nullable=False),
        sa.Column("redirect_uri", sa.Text, nullable=False),
        sa.Column("verifier", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_oauth_states_expiry", "oauth_states", ["expires_at"])
    op.create_table(
        "oauth_apps",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("toolkit", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(500), nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "auth_leases",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("lease_until", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("auth_leases")
    op.drop_table("oauth_apps")
    op.drop_index("ix_oauth_states_expiry", "oauth_states")
    op.drop_table("oauth_states")
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("redirect_url")
        batch.drop_column("expires_at")
        batch.drop_column("token_version")
