"""Rolling a failed run back: each completed step's stored undo, in reverse order.

Undos run under keys derived from (run, step), so one that already ran replays; an undo whose
target is gone (404, ``not_found``) counts as done, so compensating a step that never happened
is harmless. A failing undo is retried within the policy's budget, then the run is parked as
``needs_attention`` with the exact list of what remains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio

from actionplane.engine.result import ExecutionResult
from actionplane.saga.keys import drop_key, undo_key
from actionplane.saga.model import StepView
from actionplane.saga.spans import end_step, step_span

if TYPE_CHECKING:
    from actionplane.saga.runner import RunContext

_GONE_MARKERS = ("not_found", "notfound", "entity_is_deleted", "does not exist", "already")


def already_gone(result: ExecutionResult) -> bool:
    """Whether an undo failed only because there is nothing left to undo."""
    error = result.error
    if error is None:
        return False
    if error.status_code in (404, 410):
        return True
    code = str((error.details or {}).get("provider_code") or "")
    text = f"{code} {error.message}".lower()
    return error.category == "permanent" and any(m in text for m in _GONE_MARKERS)


def _leftover(step: StepView, reason: str, error: Any = None) -> dict[str, Any]:
    """One entry of a run's ``pending`` list: the record left behind and why."""
    return {
        "step": step.name,
        "tool": step.tool,
        "reason": reason,
        "result": step.result,
        "compensation": step.compensation,
        "error": error,
    }


async def compensate_run(ctx: RunContext) -> None:
    """Undo, newest first, every completed step after the last completed pivot; then settle
    the run as compensated, failed (a pivot held) or needs_attention."""
    steps = await ctx.store.steps(ctx.run_id)
    pivots = [s.seq for s in steps if s.pivot and s.status in ("succeeded", "compensated")]
    floor = max(pivots, default=-1)
    pending: list[dict[str, Any]] = []
    for step in sorted(steps, key=lambda s: s.seq, reverse=True):
        if step.seq <= floor:
            continue
        if step.status in ("unknown", "running"):
            pending.append(_leftover(step, "outcome unknown", step.error))
            continue
        if step.status not in ("succeeded", "compensating", "undo_failed"):
            continue
        left = await _traced_undo(ctx, step)
        if left is not None:
            pending.append(left)
    if pending:
        await ctx.set_run(status="needs_attention", pending=pending)
    else:
        await ctx.set_run(status="failed" if floor >= 0 else "compensated", pending=None)


async def _traced_undo(ctx: RunContext, step: StepView) -> dict[str, Any] | None:
    """``_undo`` under a ``saga.compensate`` span when the step has an undo to call."""
    tool = (step.compensation or {}).get("tool")
    if tool is None:
        return await _undo(ctx, step)
    with step_span("compensate", ctx.run_id, step.name, tool) as span:
        left = await _undo(ctx, step)
        failure = None if left is None else {"message": left["reason"], **(left["error"] or {})}
        end_step(span, "compensated" if left is None else "undo_failed", failure)
        return left


async def _undo(ctx: RunContext, step: StepView) -> dict[str, Any] | None:
    """Run one step's undo to the end of its budget; the leftover entry if it did not finish."""
    undo = step.compensation
    if undo is None:
        if ctx.plane.catalog.get(step.tool).behavior.read_only:
            return None
        await ctx.update_step(step.seq, status="undo_failed")
        return _leftover(step, "no compensation declared")
    if undo.get("declared") == "none":
        return None
    if undo.get("unresolved"):
        await ctx.update_step(step.seq, status="undo_failed")
        return _leftover(step, f"undo arguments unresolved: {undo['unresolved']}")
    plane, key = ctx.plane, undo_key(ctx.run_id, step.name)
    tries = step.undo_attempts
    while True:
        await ctx.update_step(step.seq, status="compensating")
        result = await plane.tools.execute(
            undo["tool"], undo["arguments"], user_id=ctx.user_id, idempotency_key=key
        )
        if result.successful or already_gone(result):
            await ctx.update_step(
                step.seq, status="compensated", undo_error=None, undo_trace_id=result.trace_id
            )
            return None
        tries += 1
        error = result.error.model_dump() if result.error else None
        await ctx.discard_dead_letter(result.dead_letter_id)
        # A settled failure is stored under the key; the next try must really be sent again
        # (an undo is a delete: sending it twice is harmless, and "gone" counts as done).
        await drop_key(await ctx.engine(), plane.project_id, ctx.user_id, key)
        done = tries >= ctx.policy.undo_attempts
        await ctx.update_step(
            step.seq,
            status="undo_failed" if done else "compensating",
            undo_attempts=tries,
            undo_error=error,
            undo_trace_id=result.trace_id,
        )
        if done:
            return _leftover(step, "compensation kept failing", error)
        await anyio.sleep(ctx.policy.undo_delay(tries))
