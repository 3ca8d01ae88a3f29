"""Recording each call in the execution log."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.store.tables import executions


@dataclass(frozen=True)
class ExecutionRecord:
    id: str
    project_id: str
    user_id: str
    tool: str
    tool_version: str
    connection_id: str | None
    trace_id: str
    status: str
    outcome: str
    attempts: int
    http_status: int | None
    error: dict[str, Any] | None
    started_at: float
    duration_ms: float
    idempotency_key: str | None = None
    replayed: bool = False
    dead_letter_id: str | None = None
    attempt_log: list[dict[str, Any]] | None = None
    span_id: str | None = None
    agent_id: str | None = None
    tool_call_id: str | None = None


class ExecutionLog:
    """Writes one row per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, entry: ExecutionRecord) -> None:
        async with self._engine.begin() as db:
            await db.execute(executions.insert().values(**entry.__dict__))


def _row_record(row: Any) -> ExecutionRecord:
    fields = ExecutionRecord.__dataclass_fields__
    return ExecutionRecord(**{k: v for k, v in row._mapping.items() if k in fields})


class ExecutionQueries:
    """Reading the execution log, always within one project."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, project_id: str, execution_id: str) -> ExecutionRecord | None:
        query = sa.select(executions).where(
            executions.c.project_id == project_id, executions.c.id == execution_id
        )
        async with self._engine.connect() as db:
            row = (await db.execute(query)).first()
        return None if row is None else _row_record(row)

    async def list(
        self,
        project_id: str,
        *,
        trace_id: str | None = None,
        user_id: str | None = None,
        tool: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> builtins.list[ExecutionRecord]:
        """Newest first (oldest first within one trace, the order a trace is read in)."""
        query = sa.select(executions).where(executions.c.project_id == project_id)
        for column, value in (
            ("trace_id", trace_id),
            ("user_id", user_id),
            ("tool", tool),
            ("status", status),
        ):
            if value is not None:
                query = query.where(executions.c[column] == value)
        order = executions.c.started_at if trace_id else executions.c.started_at.desc()
        async with self._engine.connect() as db:
            rows = (await db.execute(query.order_by(order).limit(limit))).all()
        return [_row_record(row) for row in rows]
