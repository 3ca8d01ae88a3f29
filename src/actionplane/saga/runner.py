"""Driving one run while holding its lease: the forward steps, then (on failure) compensation.

The workflow function is called from the top on every pickup; ``RunContext.step`` returns the
stored answer of every step that already finished, so only the remaining work is done.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import anyio
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.errors import CallerError
from actionplane.saga.compensate import compensate_run
from actionplane.saga.model import Compensation, StepView, Workflow
from actionplane.saga.policy import SagaPolicy
from actionplane.saga.spans import end_step, note_run, run_span, step_span
from actionplane.saga.steps import Postpone, StepCall, StepFailed, run_step
from actionplane.saga.store import LeaseLost, RunStore
from actionplane.store.tables import saga_runs, saga_steps

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane


class RunContext:
    """What a workflow function sees: ``await run.step(...)`` and the run's identity."""

    def __init__(
        self,
        plane: AsyncPlane,
        store: RunStore,
        policy: SagaPolicy,
        owner: str,
        run_id: str,
        user_id: str,
        steps: list[StepView],
    ) -> None:
        self.plane = plane
        self.store = store
        self.policy = policy
        self.owner = owner
        self.run_id = run_id
        self.user_id = user_id
        self._stored = {s.name: s for s in steps}
        self._seq = len(steps) and max(s.seq for s in steps) + 1
        self._called: set[str] = set()
        self.past_pivot = any(s.pivot and s.status == "succeeded" for s in steps)

    async def step(
        self,
        name: str,
        tool: str,
        arguments: Mapping[str, Any] | None = None,
        *,
        compensation: Compensation | bool | None = None,
        pivot: bool = False,
        retry_until_done: bool = False,
    ) -> Any:
        """Run ``tool`` once for this run (its answer's ``data``), or return the stored answer.

        ``compensation``: None takes the catalog's declared undo, a ``Compensation`` gives one,
        False declares there is none. A ``pivot`` step is the point of no return: a failure
        after it undoes only the steps after it. ``retry_until_done`` retries a retryable
        failure within the policy's budget instead of failing the run (steps after a pivot
        always do). Raises ``StepFailed`` when the step fails.
        """
        if name in self._called:
            raise CallerError(f"step names must be unique within a run; {name!r} is repeated")
        self._called.add(name)
        call = StepCall(name, tool, dict(arguments or {}), compensation, pivot, retry_until_done)
        stored = self._stored.get(name)
        if stored is not None:
            if stored.status == "succeeded":
                if stored.pivot:
                    self.past_pivot = True
                return stored.result
            if stored.status != "running":
                raise StepFailed(name, stored.error or {"message": stored.status})
            seq, resumed = stored.seq, True
        else:
            seq, self._seq, resumed = self._seq, self._seq + 1, False
        with step_span("step", self.run_id, name, tool) as span:
            try:
                data = await run_step(self, seq, call, resumed=resumed)
            except StepFailed as failure:
                unknown = failure.error.get("category") == "unknown"
                end_step(span, "unknown" if unknown else "failed", failure.error)
                raise
            end_step(span, "succeeded")
        if pivot:
            self.past_pivot = True
        return data

    def seq_of(self, name: str) -> int:
        return self._stored[name].seq

    async def engine(self) -> AsyncEngine:
        await self.plane._executor()
        engine: AsyncEngine = self.plane._engine
        return engine

    async def update_step(self, seq: int, **values: Any) -> None:
        values["updated_at"] = time.time()
        async with self.store.fenced(self.run_id, self.owner) as db:
            await db.execute(
                saga_steps.update()
                .where(saga_steps.c.run_id == self.run_id, saga_steps.c.seq == seq)
                .values(**values)
            )

    async def set_run(self, **values: Any) -> None:
        note_run(values)
        async with self.store.fenced(self.run_id, self.owner) as db:
            await db.execute(
                saga_runs.update().where(saga_runs.c.id == self.run_id).values(**values)
            )

    async def discard_dead_letter(self, entry_id: str | None) -> None:
        if entry_id is None:
            return
        executor = await self.plane._executor()
        # Already replayed or discarded by someone else: nothing to stop.
        with contextlib.suppress(CallerError):
            await executor.dlq.discard(self.plane.project_id, entry_id)


def new_owner() -> str:
    import os
    import socket

    return f"{socket.gethostname()[:24]}:{os.getpid()}:{secrets.token_hex(4)}"


async def drive(
    plane: AsyncPlane,
    store: RunStore,
    policy: SagaPolicy,
    owner: str,
    run_id: str,
    workflow: Workflow | None,
) -> None:
    """Drive a run this process holds until it is final, postponed, or the lease is lost.

    The lease is renewed in the background; losing it cancels the work (another process owns
    the run now and will finish it)."""
    lost = False

    async def heartbeat(scope: anyio.CancelScope) -> None:
        nonlocal lost
        while True:
            await anyio.sleep(policy.lease_s / 3)
            if not await store.renew(run_id, owner, policy.lease_s):
                lost = True
                scope.cancel()
                return

    # Caught inside the task group: anyio wraps what escapes it in an ExceptionGroup.
    stopped: LeaseLost | Postpone | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(heartbeat, group.cancel_scope)
        try:
            await _drive(plane, store, policy, owner, run_id, workflow)
        except (LeaseLost, Postpone) as stop:
            stopped = stop
        finally:
            group.cancel_scope.cancel()
    if isinstance(stopped, LeaseLost):
        return
    if isinstance(stopped, Postpone):
        async with store.fenced(run_id, owner) as db:
            # Parked under no live owner until the lease runs out: then any process retries.
            await db.execute(
                saga_runs.update()
                .where(saga_runs.c.id == run_id)
                .values(owner="postponed", lease_until=time.time() + policy.step_base_delay_s)
            )
        return
    if not lost:
        await store.release(run_id, owner)


async def _drive(
    plane: AsyncPlane,
    store: RunStore,
    policy: SagaPolicy,
    owner: str,
    run_id: str,
    workflow: Workflow | None,
) -> None:
    row = await store.row(run_id)
    with run_span(row["workflow"], run_id, row["user_id"], row["pickups"]):
        await _drive_row(plane, store, policy, owner, run_id, workflow, row)


async def _drive_row(
    plane: AsyncPlane,
    store: RunStore,
    policy: SagaPolicy,
    owner: str,
    run_id: str,
    workflow: Workflow | None,
    row: Mapping[str, Any],
) -> None:
    ctx = RunContext(plane, store, policy, owner, run_id, row["user_id"], await store.steps(run_id))
    if row["status"] == "running":
        if workflow is None:
            raise CallerError(f"workflow {row['workflow']!r} is not registered in this process")
        try:
            output = await workflow.function(ctx, row["input"])
        except StepFailed as failure:
            error = {"step": failure.step, **failure.error}
            await ctx.set_run(status="compensating", error=error)
        except (LeaseLost, Postpone):
            raise
        except Exception as bug:  # the workflow's own code failed: roll back what it did
            error = {"category": "workflow_error", "message": f"{type(bug).__name__}: {bug}"}
            await ctx.set_run(status="compensating", error=error)
        else:
            await ctx.set_run(status="completed", output=_jsonable(output))
            return
    await compensate_run(ctx)


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))
