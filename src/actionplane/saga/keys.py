"""Idempotency keys derived from (run, step), and what the key store knows about one."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.store.tables import idempotency_keys


def step_key(run_id: str, step: str) -> str:
    return f"saga:{run_id}:{step}"


def undo_key(run_id: str, step: str) -> str:
    return f"saga:{run_id}:{step}:undo"


def _where(project_id: str, user_id: str, key: str) -> sa.ColumnElement[bool]:
    c = idempotency_keys.c
    return sa.and_(c.project_id == project_id, c.user_id == user_id, c.key == key)


async def key_state(engine: AsyncEngine, project_id: str, user_id: str, key: str) -> str | None:
    """``completed``, ``in_flight`` or None (never claimed, or released without a result)."""
    async with engine.connect() as db:
        found = await db.execute(
            sa.select(idempotency_keys.c.state).where(_where(project_id, user_id, key))
        )
        row = found.first()
    return None if row is None else str(row.state)


async def drop_key(engine: AsyncEngine, project_id: str, user_id: str, key: str) -> None:
    """Forget a key. Only called by the holder of the run's lease, for its own step's key: an
    in-flight claim on it can only be left over from a process that died mid-call."""
    async with engine.begin() as db:
        await db.execute(idempotency_keys.delete().where(_where(project_id, user_id, key)))
