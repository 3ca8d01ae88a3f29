"""Runs and steps in the database, and the lease that makes one process at a time drive a run.

A run row holds ``owner`` and ``lease_until``. A process takes a run by compare-and-swap (free,
expired, or already its own), renews the lease while it works, and every write it makes about
the run starts by checking that it still holds the lease (a fence): a process that lost its run
to another cannot overwrite what the new owner does.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from actionplane.errors import CallerError
from actionplane.saga.model import ACTIVE, StepView, WorkflowRun
from actionplane.store.tables import saga_runs, saga_steps


class LeaseLost(Exception):
    """Another process owns the run now; this one must stop driving it."""


def _run(row: sa.Row[Any], steps: list[StepView]) -> WorkflowRun:
    m = row._mapping
    return WorkflowRun(
        id=m["id"],
        workflow=m["workflow"],
        user_id=m["user_id"],
        status=m["status"],
        input=m["input"],
        output=m["output"],
        error=m["error"],
        pending=m["pending"],
        owner=m["owner"],
        lease_until=m["lease_until"],
        pickups=m["pickups"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        steps=steps,
    )


def _step(row: sa.Row[Any]) -> StepView:
    m = row._mapping
    return StepView(**{name: m[name] for name in StepView.__dataclass_fields__})


class RunStore:
    """Saga runs of every project in one database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self,
        *,
        run_id: str,
        project_id: str,
        user_id: str,
        workflow: str,
        definition: dict[str, Any] | None,
        input: Any,
        owner: str,
        lease_s: float,
    ) -> bool:
        """Insert a running run held by ``owner``; False when ``run_id`` exists already."""
        now = time.time()
        async with self._engine.begin() as db:
            found = await db.execute(sa.select(saga_runs.c.id).where(saga_runs.c.id == run_id))
            if found.first() is not None:
                return False
            try:
                await db.execute(
                    saga_runs.insert().values(
                        id=run_id,
                        project_id=project_id,
                        user_id=user_id,
                        workflow=workflow,
                        definition=definition,
                        status="running",
                        input=input,
                        owner=owner,
                        lease_until=now + lease_s,
                        pickups=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
            except sa.exc.IntegrityError:
                return False
        return True

    async def claim(self, run_id: str, owner: str, lease_s: float) -> bool:
        """Take an active run whose lease is free or expired (or ours already)."""
        now = time.time()
        c = saga_runs.c
        async with self._engine.begin() as db:
            taken = await db.execute(
                saga_runs.update()
                .where(
                    c.id == run_id,
                    c.status.in_(ACTIVE),
                    sa.or_(c.owner.is_(None), c.lease_until < now, c.owner == owner),
                )
                .values(owner=owner, lease_until=now + lease_s, pickups=c.pickups + 1)
            )
        return taken.rowcount == 1

    async def renew(self, run_id: str, owner: str, lease_s: float) -> bool:
        async with self._engine.begin() as db:
            renewed = await db.execute(
                saga_runs.update()
                .where(saga_runs.c.id == run_id, saga_runs.c.owner == owner)
                .values(lease_until=time.time() + lease_s)
            )
        return renewed.rowcount == 1

    async def release(self, run_id: str, owner: str) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                saga_runs.update()
                .where(saga_runs.c.id == run_id, saga_runs.c.owner == owner)
                .values(owner=None, lease_until=None)
            )

    @asynccontextmanager
    async def fenced(self, run_id: str, owner: str) -> AsyncIterator[AsyncConnection]:
        """A transaction that first proves ``owner`` still holds the run (else ``LeaseLost``)."""
        async with self._engine.begin() as db:
            held = await db.execute(
                saga_runs.update()
                .where(saga_runs.c.id == run_id, saga_runs.c.owner == owner)
                .values(updated_at=time.time())
            )
            if held.rowcount != 1:
                raise LeaseLost(run_id)
            yield db

    async def due(self, limit: int = 50, project_id: str | None = None) -> list[tuple[str, str]]:
        """(run id, workflow) of active runs nobody holds: new, or their owner's lease expired."""
        c = saga_runs.c
        query = (
            sa.select(c.id, c.workflow)
            .where(c.status.in_(ACTIVE), sa.or_(c.owner.is_(None), c.lease_until < time.time()))
            .order_by(c.created_at)
            .limit(limit)
        )
        if project_id is not None:
            query = query.where(c.project_id == project_id)
        async with self._engine.connect() as db:
            return [(r.id, r.workflow) for r in await db.execute(query)]

    async def row(self, run_id: str) -> dict[str, Any]:
        async with self._engine.connect() as db:
            found = (await db.execute(sa.select(saga_runs).where(saga_runs.c.id == run_id))).first()
        if found is None:
            raise CallerError(f"no workflow run {run_id!r}")
        return dict(found._mapping)

    async def steps(self, run_id: str) -> list[StepView]:
        async with self._engine.connect() as db:
            rows = await db.execute(
                sa.select(saga_steps)
                .where(saga_steps.c.run_id == run_id)
                .order_by(saga_steps.c.seq)
            )
            return [_step(r) for r in rows]

    async def get(self, project_id: str, run_id: str) -> WorkflowRun:
        async with self._engine.connect() as db:
            found = (
                await db.execute(
                    sa.select(saga_runs).where(
                        saga_runs.c.id == run_id, saga_runs.c.project_id == project_id
                    )
                )
            ).first()
        if found is None:
            raise CallerError(f"no workflow run {run_id!r}")
        return _run(found, await self.steps(run_id))

    async def list(
        self,
        project_id: str,
        status: str | None = None,
        workflow: str | None = None,
        limit: int = 100,
    ) -> list[WorkflowRun]:
        c = saga_runs.c
        query = (
            sa.select(saga_runs)
            .where(c.project_id == project_id)
            .order_by(c.created_at.desc())
            .limit(limit)
        )
        if status is not None:
            query = query.where(c.status == status)
        if workflow is not None:
            query = query.where(c.workflow == workflow)
        async with self._engine.connect() as db:
            rows = list(await db.execute(query))
        return [_run(r, []) for r in rows]

    async def request(self, project_id: str, run_id: str, status: str) -> bool:
        """Move a final run back to an active status (resume / compensate), freeing its lease."""
        c = saga_runs.c
        async with self._engine.begin() as db:
            moved = await db.execute(
                saga_runs.update()
                .where(c.id == run_id, c.project_id == project_id)
                .where(sa.or_(c.owner.is_(None), c.lease_until < time.time()))
                .values(status=status, owner=None, lease_until=None, updated_at=time.time())
            )
        return moved.rowcount == 1
