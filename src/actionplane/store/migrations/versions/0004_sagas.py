"""Saga runs and their steps: durable workflows with leases and compensations.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saga_runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("workflow", sa.String(200), nullable=False),
        sa.Column("definition", sa.JSON, nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("input", sa.JSON, nullable=False),
        sa.Column("output", sa.JSON, nullable=True),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("pending", sa.JSON, nullable=True),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("pickups", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_saga_runs_due", "saga_runs", ["status", "lease_until"])
    op.create_index("ix_saga_runs_project", "saga_runs", ["project_id", "created_at"])
    op.create_table(
        "saga_steps",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("tool", sa.String(64), nullable=False),
        sa.Column("arguments", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("pivot", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("execution_id", sa.String(64), nullable=True),
        sa.Column("trace_id", sa.String(32), nullable=True),
        sa.Column("compensation", sa.JSON, nullable=True),
        sa.Column("undo_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("undo_error", sa.JSON, nullable=True),
        sa.Column("undo_trace_id", sa.String(32), nullable=True),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("run_id", "name", name="uq_saga_steps_name"),
    )


def downgrade() -> None:
    op.drop_table("saga_steps")
    op.drop_index("ix_saga_runs_project", "saga_runs")
    op.drop_index("ix_saga_runs_due", "saga_runs")
    op.drop_table("saga_runs")
