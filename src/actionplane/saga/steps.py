"""One forward step: persisted before and after its tool call, under a key derived from
(run, step), so running it again never repeats its side effect."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio

from actionplane.catalog.models import ArgumentMapping
from actionplane.engine.reconcile import find_applied, resolve_mapping
from actionplane.engine.result import ExecutionResult
from actionplane.saga.keys import drop_key, key_state, step_key
from actionplane.saga.model import Compensation
from actionplane.saga.policy import RETRYABLE
from actionplane.store.tables import saga_steps

if TYPE_CHECKING:
    from actionplane.saga.runner import RunContext


class Postpone(Exception):
    """The run cannot make progress now (e.g. a lookup failed): leave it for a later pickup."""


class StepFailed(Exception):
    """A step ended without success; the run rolls back the steps before it."""

    def __init__(self, step: str, error: dict[str, Any]) -> None:
        super().__init__(f"step {step!r} failed: {error.get('message')}")
        self.step = step
        self.error = error


@dataclass(frozen=True)
class StepCall:
    name: str
    tool: str
    arguments: dict[str, Any]
    compensation: Compensation | bool | None
    pivot: bool
    retry_until_done: bool


def undo_for(ctx: RunContext, call: StepCall, data: Any) -> dict[str, Any] | None:
    """The step's undo, resolved now from its call and answer (so compensating needs no code)."""
    if call.compensation is False:
        return {"tool": None, "arguments": {}, "declared": "none"}
    if isinstance(call.compensation, Compensation):
        mapping = ArgumentMapping(
            tool=call.compensation.tool, arguments=dict(call.compensation.arguments)
        )
    else:
        declared = ctx.plane.catalog.get(call.tool).compensation
        if declared is None:
            return None
        mapping = declared
    # A reconciled answer is the lookup's item (``Id`` rather than ``id``, no ``channel``):
    # read lower-cased names too, and the call's own arguments for names the answer lacks.
    view: Any = data
    if isinstance(data, Mapping):
        view = {**{k.lower(): v for k, v in data.items()}, **data}
    arguments = resolve_mapping(mapping, call.arguments, view)
    for name, value in mapping.arguments.items():
        if name not in arguments and isinstance(value, str) and value.startswith("$result."):
            field = value.removeprefix("$result.")
            if field in call.arguments:
                arguments[name] = call.arguments[field]
    required = ctx.plane.catalog.get(mapping.tool).input_schema.get("required", [])
    missing = [name for name in required if name not in arguments]
    undo: dict[str, Any] = {"tool": mapping.tool, "arguments": arguments}
    if missing:
        undo["unresolved"] = missing
    return undo


def _error(result: ExecutionResult) -> dict[str, Any]:
    error: dict[str, Any] = {"category": "unknown", "message": ""}
    if result.error is not None:
        error = result.error.model_dump()
    error.update(outcome=result.outcome, dead_letter_id=result.dead_letter_id)
    return error


async def run_step(ctx: RunContext, seq: int, call: StepCall, resumed: bool) -> Any:
    """Call the step's tool (again, when ``resumed`` after a crash mid-call) and persist it."""
    plane, key = ctx.plane, step_key(ctx.run_id, call.name)
    if resumed:
        reconciled = await _settle_in_doubt(ctx, call, key)
        if reconciled is not None:
            return await _succeeded(ctx, seq, call, reconciled, attempts=0)
    else:
        now = time.time()
        async with ctx.store.fenced(ctx.run_id, ctx.owner) as db:
            await db.execute(
                saga_steps.insert().values(
                    run_id=ctx.run_id,
                    seq=seq,
                    name=call.name,
                    tool=call.tool,
                    arguments=call.arguments,
                    idempotency_key=key,
                    status="running",
                    pivot=call.pivot,
                    attempts=0,
                    undo_attempts=0,
                    started_at=now,
                    updated_at=now,
                )
            )
    tries, attempts = 0, 0
    budget = ctx.policy.step_attempts if (call.retry_until_done or ctx.past_pivot) else 1
    while True:
        tries += 1
        result = await plane.tools.execute(
            call.tool, call.arguments, user_id=ctx.user_id, idempotency_key=key
        )
        attempts += result.attempts
        if result.successful:
            return await _succeeded(ctx, seq, call, result, attempts)
        error = _error(result)
        unknown = result.outcome == "unknown" or error["category"] == "unknown"
        if not unknown:
            # The saga owns this call's fate now: an automatic DLQ redrive must not re-apply a
            # step that is being rolled back.
            await ctx.discard_dead_letter(result.dead_letter_id)
        if unknown or error["category"] not in RETRYABLE or tries >= budget:
            await ctx.update_step(
                seq,
                status="unknown" if unknown else "failed",
                error=error,
                attempts=attempts,
                execution_id=result.execution_id,
                trace_id=result.trace_id,
            )
            raise StepFailed(call.name, error)
        await ctx.update_step(seq, attempts=attempts, error=error, trace_id=result.trace_id)
        await anyio.sleep(ctx.policy.step_delay(tries))


async def _succeeded(
    ctx: RunContext, seq: int, call: StepCall, result: ExecutionResult | Any, attempts: int
) -> Any:
    if isinstance(result, ExecutionResult):
        data, execution_id, trace_id = result.data, result.execution_id, result.trace_id
    else:
        data, execution_id, trace_id = result, None, None
    await ctx.update_step(
        seq,
        status="succeeded",
        result=data,
        error=None,
        attempts=attempts,
        execution_id=execution_id,
        trace_id=trace_id,
        compensation=undo_for(ctx, call, data),
    )
    return data


async def _settle_in_doubt(ctx: RunContext, call: StepCall, key: str) -> Any | None:
    """A step found ``running``: its process died during the call. Decide what happened.

    A completed key replays its stored answer; no key means nothing was sent or the attempt
    proved harmless. An in-flight key is the dead call itself: safe to resend for a read, an
    idempotent tool or a provider honouring our upstream key; otherwise the tool's lookup says
    whether the write landed (returns the found record), and without a lookup the step is
    parked as ``unknown`` rather than risk a duplicate.
    """
    plane = ctx.plane
    engine = await ctx.engine()
    state = await key_state(engine, plane.project_id, ctx.user_id, key)
    if state != "in_flight":
        return None
    tool = plane.catalog.get(call.tool)
    toolkit = plane.catalog.toolkit(tool.toolkit, tool.version)
    behavior = tool.behavior
    if not (behavior.read_only or behavior.idempotent or toolkit.idempotency_header):
        if tool.lookup is None:
            error = {
                "category": "unknown",
                "message": "the process died during this call and the tool has no lookup",
            }
            await ctx.update_step(ctx.seq_of(call.name), status="unknown", error=error)
            raise StepFailed(call.name, error)
        found = await plane.tools.execute(
            tool.lookup.tool,
            resolve_mapping(tool.lookup, call.arguments, None),
            user_id=ctx.user_id,
        )
        if not found.successful:
            raise Postpone(f"the lookup for step {call.name!r} failed: {found.error}")
        applied = find_applied(found.data, call.arguments)
        if applied is not None:
            await drop_key(engine, plane.project_id, ctx.user_id, key)
            return applied
    await drop_key(engine, plane.project_id, ctx.user_id, key)
    return None
