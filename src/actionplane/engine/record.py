"""Recording each call in the execution log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


class ExecutionLog:
    """Writes one row per call."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, entry: ExecutionRecord) -> None:
        async with self._engine.begin() as db:
            await db.execute(executions.insert().values(**entry.__dict__))
