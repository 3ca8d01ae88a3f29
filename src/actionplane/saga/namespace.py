"""``plane.workflows``: register workflows, start runs, and operate on them (any process)."""

from __future__ import annotations

import builtins
import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from actionplane.errors import CallerError
from actionplane.saga.definition import load_workflow
from actionplane.saga.model import ACTIVE, Workflow, WorkflowRun
from actionplane.saga.policy import SagaPolicy
from actionplane.saga.runner import drive, new_owner
from actionplane.saga.store import RunStore
from actionplane.store.tables import saga_steps

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane

_log = logging.getLogger(__name__)


class AsyncWorkflows:
    """Durable workflow runs. Every process sharing the database can resume any run whose
    owner died, provided it knows the workflow (registered, or stored with the run as YAML)."""

    def __init__(self, plane: AsyncPlane, policy: SagaPolicy | None = None) -> None:
        self._plane = plane
        self.policy = policy or SagaPolicy()
        self.owner = new_owner()
        self._registry: dict[str, Workflow] = {}
        self._store: RunStore | None = None

    def bound_to(self, plane: AsyncPlane) -> AsyncWorkflows:
        """The same workflows and policy, acting for another plane (a project view)."""
        view = AsyncWorkflows(plane, self.policy)
        view.owner, view._registry = self.owner, self._registry
        return view

    def register(self, *workflows: Workflow) -> None:
        for item in workflows:
            self._registry[item.name] = item

    def load(self, source: str | Path | Mapping[str, Any]) -> Workflow:
        """Load a YAML workflow (file, text or mapping) and register it."""
        loaded = load_workflow(source)
        self.register(loaded)
        return loaded

    def registered(self) -> builtins.list[Workflow]:
        return sorted(self._registry.values(), key=lambda w: w.name)

    async def _runs(self) -> RunStore:
        if self._store is None:
            await self._plane._executor()
            self._store = RunStore(self._plane._engine)
        return self._store

    def _workflow_for(self, name: str, definition: dict[str, Any] | None) -> Workflow | None:
        if name in self._registry:
            return self._registry[name]
        return load_workflow(definition) if definition else None

    async def start(
        self,
        workflow: Workflow | str,
        input: Any = None,
        *,
        user_id: str,
        run_id: str | None = None,
        wait: bool = True,
    ) -> WorkflowRun:
        """Start a run (persisted before its first step) and, with ``wait``, drive it to the end.

        A ``run_id`` makes starting idempotent: a second start with the same id returns the
        existing run. Without ``wait`` the run is left for any worker (``work`` / ``recover``).
        """
        chosen = self._registry.get(workflow) if isinstance(workflow, str) else workflow
        if chosen is None:
            raise CallerError(f"no workflow {workflow!r} is registered")
        self._registry.setdefault(chosen.name, chosen)
        store = await self._runs()
        run_id = run_id or "run_" + secrets.token_hex(12)
        created = await store.create(
            run_id=run_id,
            project_id=self._plane.project_id,
            user_id=user_id,
            workflow=chosen.name,
            definition=chosen.definition,
            input=input,
            owner=self.owner,
            lease_s=self.policy.lease_s,
        )
        if created and not wait:
            await store.release(run_id, self.owner)
        elif created or (wait and await store.claim(run_id, self.owner, self.policy.lease_s)):
            await drive(self._plane, store, self.policy, self.owner, run_id, chosen)
        return await store.get(self._plane.project_id, run_id)

    async def get(self, run_id: str) -> WorkflowRun:
        store = await self._runs()
        return await store.get(self._plane.project_id, run_id)

    async def list(
        self, status: str | None = None, workflow: str | None = None, limit: int = 100
    ) -> builtins.list[WorkflowRun]:
        store = await self._runs()
        return await store.list(self._plane.project_id, status, workflow, limit)

    async def _drive_claimed(self, run_id: str) -> WorkflowRun:
        store = await self._runs()
        row = await store.row(run_id)
        found = self._workflow_for(row["workflow"], row["definition"])
        await drive(self._plane, store, self.policy, self.owner, run_id, found)
        return await store.get(self._plane.project_id, run_id)

    async def resume(self, run_id: str) -> WorkflowRun:
        """Continue an active run nobody holds, or retry the undos a parked run still needs."""
        store = await self._runs()
        run = await store.get(self._plane.project_id, run_id)
        if run.status == "needs_attention":
            await self._reset_undos(run_id)
            if not await store.request(self._plane.project_id, run_id, "compensating"):
                raise CallerError(f"run {run_id} is held by {run.owner}")
        elif run.status not in ACTIVE:
            raise CallerError(f"run {run_id} is {run.status}; there is nothing to resume")
        if not await store.claim(run_id, self.owner, self.policy.lease_s):
            raise CallerError(f"run {run_id} is held by a live process ({run.owner})")
        return await self._drive_claimed(run_id)

    async def compensate(self, run_id: str) -> WorkflowRun:
        """Roll a run back now: stop a stalled run, or undo a completed one."""
        store = await self._runs()
        run = await store.get(self._plane.project_id, run_id)
        if run.status in ("compensated", "failed"):
            return run
        await self._reset_undos(run_id)
        if not await store.request(self._plane.project_id, run_id, "compensating"):
            raise CallerError(f"run {run_id} is held by a live process ({run.owner})")
        if not await store.claim(run_id, self.owner, self.policy.lease_s):
            raise CallerError(f"run {run_id} was taken by another process")
        return await self._drive_claimed(run_id)

    async def _reset_undos(self, run_id: str) -> None:
        await self._plane._executor()
        async with self._plane._engine.begin() as db:
            await db.execute(
                saga_steps.update()
                .where(saga_steps.c.run_id == run_id, saga_steps.c.status == "undo_failed")
                .values(status="succeeded", undo_attempts=0)
            )

    async def recover(self, limit: int = 50) -> builtins.list[WorkflowRun]:
        """Drive every active run whose owner is gone (lease expired) and that this process
        can run; returns them as they ended up. Safe to call from many processes at once."""
        store = await self._runs()
        driven = []
        for run_id, name in await store.due(limit, self._plane.project_id):
            row = await store.row(run_id)
            if row["status"] == "running" and self._workflow_for(name, row["definition"]) is None:
                continue
            if await store.claim(run_id, self.owner, self.policy.lease_s):
                driven.append(await self._drive_claimed(run_id))
        return driven

    async def work(self, poll_s: float = 1.0, concurrency: int = 8) -> None:
        """Recover runs forever (a worker's main loop); cancel the task to stop."""
        limiter = anyio.CapacityLimiter(concurrency)
        store = await self._runs()
        queued: set[str] = set()
        async with anyio.create_task_group() as group:
            while True:
                for run_id, name in await store.due(50, self._plane.project_id):
                    if run_id in queued:
                        continue
                    row = await store.row(run_id)
                    known = self._workflow_for(name, row["definition"]) is not None
                    if row["status"] == "running" and not known:
                        continue
                    queued.add(run_id)
                    group.start_soon(self._guarded, limiter, run_id, queued)
                await anyio.sleep(poll_s)

    async def _guarded(self, limiter: anyio.CapacityLimiter, run_id: str, queued: set[str]) -> None:
        store = await self._runs()
        try:
            async with limiter:
                # Claimed only once there is room to drive it: a claimed run left waiting
                # here would not have its lease renewed, and another worker would take it.
                if await store.claim(run_id, self.owner, self.policy.lease_s):
                    await self._drive_claimed(run_id)
        except Exception:  # one run's failure must not stop the worker; its lease runs out
            _log.exception("driving workflow run %s failed", run_id)
        finally:
            queued.discard(run_id)

    async def wait(self, run_id: str, timeout_s: float = 60.0, poll_s: float = 0.2) -> WorkflowRun:
        """Poll until the run is final (whoever drives it)."""
        with anyio.fail_after(timeout_s):
            while True:
                run = await self.get(run_id)
                if run.finished:
                    return run
                await anyio.sleep(poll_s)


__all__ = ["AsyncWorkflows"]
