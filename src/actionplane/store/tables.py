"""The schema, as SQLAlchemy Core tables. Changes to it are Alembic migrations."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

connections = sa.Table(
    "connections",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("toolkit", sa.String(64), nullable=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("auth_type", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_reason", sa.Text, nullable=True),
    sa.Column("secret", sa.Text, nullable=False, doc="AES-GCM ciphertext of the credentials"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column(
        "token_version", sa.Integer, nullable=False, default=0, doc="compare-and-swap on refresh"
    ),
    sa.Column("expires_at", sa.Float, nullable=True, doc="access token expiry (epoch s)"),
    sa.Column("redirect_url", sa.Text, nullable=True, doc="redirect URI of the connect flow"),
    sa.Index("ix_connections_owner", "project_id", "user_id", "toolkit"),
)

oauth_states = sa.Table(
    "oauth_states",
    metadata,
    sa.Column("state_hash", sa.String(64), primary_key=True, doc="sha256 of the state"),
    sa.Column("project_id", sa.String(64), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("connection_id", sa.String(64), nullable=False),
    sa.Column("toolkit", sa.String(64), nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("verifier", sa.Text, nullable=False, doc="sealed PKCE code verifier"),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("ix_oauth_states_expiry", "expires_at"),
)

oauth_apps = sa.Table(
    "oauth_apps",
    metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("toolkit", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(500), nullable=False),
    sa.Column("secret", sa.Text, nullable=False, doc="sealed client secret"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

auth_leases = sa.Table(
    "auth_leases",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("lease_until", sa.Float, nullable=False),
)

executions = sa.Table(
    "executions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("tool", sa.String(64), nullable=False),
    sa.Column("tool_version", sa.String(32), nullable=False),
    sa.Column("connection_id", sa.String(64), nullable=True),
    sa.Column("trace_id", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("http_status", sa.Integer, nullable=True),
    sa.Column("error", sa.JSON, nullable=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.Column("replayed", sa.Boolean, nullable=False, default=False),
    sa.Column("dead_letter_id", sa.String(64), nullable=True),
    sa.Column("attempt_log", sa.JSON, nullable=True, doc="one object per request sent"),
    sa.Column("span_id", sa.String(16), nullable=True),
    sa.Column("agent_id", sa.String(200), nullable=True),
    sa.Column("tool_call_id", sa.String(255), nullable=True),
    sa.Index("ix_executions_trace", "trace_id"),
    sa.Index("ix_executions_started", "project_id", "started_at"),
    sa.Index("ix_executions_user_tool", "project_id", "user_id", "tool"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("tool", sa.String(64), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, doc="in_flight or completed"),
    sa.Column("owner", sa.String(64), nullable=False, doc="execution id holding the claim"),
    sa.Column("lease_until", sa.Float, nullable=False),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Index("ix_idempotency_expiry", "expires_at"),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("tool", sa.String(64), nullable=False),
    sa.Column("tool_version", sa.String(32), nullable=False),
    sa.Column("connection_id", sa.String(64), nullable=True),
    sa.Column("arguments", sa.JSON, nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=False),
    sa.Column("upstream_key", sa.String(64), nullable=True),
    sa.Column("reason", sa.String(32), nullable=False, doc="exhausted, unknown_outcome or poison"),
    sa.Column("error", sa.JSON, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("execution_id", sa.String(64), nullable=False),
    sa.Column("trace_id", sa.String(32), nullable=False),
    sa.Column(
        "status", sa.String(16), nullable=False, doc="pending, replaying, replayed, discarded"
    ),
    sa.Column("auto_redrive", sa.Boolean, nullable=False),
    sa.Column("next_attempt_at", sa.Float, nullable=True),
    sa.Column("redrives", sa.Integer, nullable=False, default=0),
    sa.Column("lease_until", sa.Float, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Index("ix_dead_letters_due", "status", "next_attempt_at"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True, doc="sha256 of the key"),
    sa.Column("prefix", sa.String(16), nullable=False, doc="first characters, to recognise it"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float, nullable=True),
)

saga_runs = sa.Table(
    "saga_runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), nullable=False),
    sa.Column("user_id", sa.String(200), nullable=False),
    sa.Column("workflow", sa.String(200), nullable=False),
    sa.Column(
        "definition", sa.JSON, nullable=True, doc="the YAML workflow, so any process runs it"
    ),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("input", sa.JSON, nullable=False),
    sa.Column("output", sa.JSON, nullable=True),
    sa.Column("error", sa.JSON, nullable=True),
    sa.Column("pending", sa.JSON, nullable=True, doc="what remains undone (needs_attention)"),
    sa.Column("owner", sa.String(64), nullable=True, doc="the process driving the run"),
    sa.Column("lease_until", sa.Float, nullable=True),
    sa.Column("pickups", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Index("ix_saga_runs_due", "status", "lease_until"),
    sa.Index("ix_saga_runs_project", "project_id", "created_at"),
)

saga_steps = sa.Table(
    "saga_steps",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("tool", sa.String(64), nullable=False),
    sa.Column("arguments", sa.JSON, nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("pivot", sa.Boolean, nullable=False, default=False),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("error", sa.JSON, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("execution_id", sa.String(64), nullable=True),
    sa.Column("trace_id", sa.String(32), nullable=True),
    sa.Column("compensation", sa.JSON, nullable=True, doc="the resolved undo: tool + arguments"),
    sa.Column("undo_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("undo_error", sa.JSON, nullable=True),
    sa.Column("undo_trace_id", sa.String(32), nullable=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("run_id", "name", name="uq_saga_steps_name"),
)
