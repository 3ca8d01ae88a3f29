"""Attempt logs and call context on executions; API keys for the server.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("attempt_log", sa.JSON, nullable=True))
        batch.add_column(sa.Column("span_id", sa.String(16), nullable=True))
        batch.add_column(sa.Column("agent_id", sa.String(200), nullable=True))
        batch.add_column(sa.Column("tool_call_id", sa.String(255), nullable=True))
    op.create_index("ix_executions_started", "executions", ["project_id", "started_at"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_index("ix_executions_started", "executions")
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("tool_call_id")
        batch.drop_column("agent_id")
        batch.drop_column("span_id")
        batch.drop_column("attempt_log")
