"""The dead-letter queue: calls that could not finish, kept with everything needed to replay them.

Entries keep the call's arguments and its idempotency key, so a replay of a call that did reach
the provider is deduplicated (by our key store, and upstream by the key we send). Entries that
failed for a transient reason carry ``next_attempt_at`` and are redriven automatically; any
process may claim a due entry, one at a time, through a lease on its row.
"""

from __future__ import annotations

import builtins
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.errors import CallerError
from actionplane.store.tables import dead_letters

REASONS = ("exhausted", "unknown_outcome", "poison")


@dataclass(frozen=True)
class DeadLetter:
    id: str
    project_id: str
    user_id: str
    tool: str
    tool_version: str
    connection_id: str | None
    arguments: dict[str, Any]
    idempotency_key: str
    upstream_key: str | None
    reason: str
    error: dict[str, Any] | None
    attempts: int
    execution_id: str
    trace_id: str
    status: str
    auto_redrive: bool
    next_attempt_at: float | None
    redrives: int
    created_at: float
    updated_at: float

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _entry(row: sa.Row[Any]) -> DeadLetter:
    values = {k: v for k, v in row._mapping.items() if k != "lease_until"}
    return DeadLetter(**values)


class DeadLetterQueue:
    """Dead letters in the database, scoped by project."""

    def __init__(self, engine: AsyncEngine, lease_s: float = 120.0) -> None:
        self._engine = engine
        self._lease_s = lease_s

    async def add(
        self,
        *,
        project_id: str,
        user_id: str,
        tool: str,
        tool_version: str,
        connection_id: str | None,
        arguments: dict[str, Any],
        idempotency_key: str,
        upstream_key: str | None,
        reason: str,
        error: dict[str, Any] | None,
        attempts: int,
        execution_id: str,
        trace_id: str,
        redrive_after_s: float | None,
    ) -> str:
        """Store a call; ``redrive_after_s`` schedules an automatic replay (None: a human acts)."""
        entry_id = "dlq_" + secrets.token_hex(10)
        now = time.time()
        async with self._engine.begin() as db:
            await db.execute(
                dead_letters.insert().values(
                    id=entry_id,
                    project_id=project_id,
                    user_id=user_id,
                    tool=tool,
                    tool_version=tool_version,
                    connection_id=connection_id,
                    arguments=arguments,
                    idempotency_key=idempotency_key,
                    upstream_key=upstream_key,
                    reason=reason,
                    error=error,
                    attempts=attempts,
                    execution_id=execution_id,
                    trace_id=trace_id,
                    status="pending",
                    auto_redrive=redrive_after_s is not None,
                    next_attempt_at=None if redrive_after_s is None else now + redrive_after_s,
                    redrives=0,
                    lease_until=None,
                    created_at=now,
                    updated_at=now,
                )
            )
        return entry_id

    async def list(
        self, project_id: str, status: str | None = None, limit: int = 100
    ) -> list[DeadLetter]:
        query = sa.select(dead_letters).where(dead_letters.c.project_id == project_id)
        if status:
            query = query.where(dead_letters.c.status == status)
        query = query.order_by(dead_letters.c.created_at.desc()).limit(limit)
        async with self._engine.connect() as db:
            return [_entry(row) for row in (await db.execute(query)).all()]

    async def get(self, project_id: str, entry_id: str) -> DeadLetter:
        query = sa.select(dead_letters).where(
            dead_letters.c.id == entry_id, dead_letters.c.project_id == project_id
        )
        async with self._engine.connect() as db:
            row = (await db.execute(query)).first()
        if row is None:
            raise CallerError(f"no dead-letter entry {entry_id!r} in this project")
        return _entry(row)

    async def claim(self, project_id: str, entry_id: str) -> DeadLetter | None:
        """Take a pending entry for replay (None if another process holds or finished it)."""
        now = time.time()
        async with self._engine.begin() as db:
            taken = await db.execute(
                dead_letters.update()
                .where(
                    dead_letters.c.id == entry_id,
                    dead_letters.c.project_id == project_id,
                    sa.or_(
                        dead_letters.c.status == "pending",
                        sa.and_(
                            dead_letters.c.status == "replaying",
                            dead_letters.c.lease_until < now,
                        ),
                    ),
                )
                .values(status="replaying", lease_until=now + self._lease_s, updated_at=now)
            )
        if taken.rowcount != 1:
            return None
        return await self.get(project_id, entry_id)

    async def due(self, limit: int = 20) -> builtins.list[tuple[str, str]]:
        """(project, id) of entries whose automatic redrive time has come, oldest first."""
        now = time.time()
        query = (
            sa.select(dead_letters.c.project_id, dead_letters.c.id)
            .where(
                dead_letters.c.auto_redrive.is_(True),
                dead_letters.c.next_attempt_at <= now,
                sa.or_(
                    dead_letters.c.status == "pending",
                    sa.and_(dead_letters.c.status == "replaying", dead_letters.c.lease_until < now),
                ),
            )
            .order_by(dead_letters.c.next_attempt_at)
            .limit(limit)
        )
        async with self._engine.connect() as db:
            return [(r.project_id, r.id) for r in (await db.execute(query)).all()]

    async def finish(
        self,
        entry_id: str,
        *,
        succeeded: bool,
        error: dict[str, Any] | None = None,
        redrive_after_s: float | None = None,
    ) -> None:
        """After a replay: ``replayed``, or back to ``pending`` (rescheduled when asked)."""
        now = time.time()
        values: dict[str, Any] = {
            "lease_until": None,
            "updated_at": now,
            "redrives": dead_letters.c.redrives + 1,
        }
        if succeeded:
            values.update(status="replayed", next_attempt_at=None)
        else:
            values.update(
                status="pending",
                error=error,
                auto_redrive=redrive_after_s is not None,
                next_attempt_at=None if redrive_after_s is None else now + redrive_after_s,
            )
        async with self._engine.begin() as db:
            await db.execute(
                dead_letters.update().where(dead_letters.c.id == entry_id).values(**values)
            )

    async def discard(self, project_id: str, entry_id: str) -> None:
        async with self._engine.begin() as db:
            done = await db.execute(
                dead_letters.update()
                .where(
                    dead_letters.c.id == entry_id,
                    dead_letters.c.project_id == project_id,
                    dead_letters.c.status.in_(["pending"]),
                )
                .values(status="discarded", auto_redrive=False, updated_at=time.time())
            )
        if done.rowcount != 1:
            entry = await self.get(project_id, entry_id)
            raise CallerError(
                f"entry {entry_id} is {entry.status}; only pending entries can be discarded"
            )
