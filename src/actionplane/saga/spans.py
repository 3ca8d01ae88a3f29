"""Spans for saga runs: ``saga {workflow}`` per pickup of a run, with one child per step
(``saga.step {name}``) and per compensation (``saga.compensate {name}``). The steps' tool calls
(``execute_tool {slug}``) nest under their step's span because the executor starts its span in
the current context.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from actionplane.observability.tracing import set_attributes, tracer

RUN_ID = "actionplane.saga.run_id"
WORKFLOW = "actionplane.saga.workflow"
STATUS = "actionplane.saga.status"
STEP = "actionplane.saga.step"
STEP_STATUS = "actionplane.saga.step.status"
_UNSUCCESSFUL = ("compensated", "needs_attention", "failed")


@contextmanager
def run_span(workflow: str, run_id: str, user_id: str, pickups: int) -> Iterator[Span]:
    """The span of one pickup of a run (a resumed run gets a new one, in its own trace)."""
    attributes: dict[str, str | int] = {
        RUN_ID: run_id,
        WORKFLOW: workflow,
        "actionplane.user_id": user_id,
        "actionplane.saga.pickup": pickups,
    }
    with tracer().start_as_current_span(
        f"saga {workflow}", kind=SpanKind.INTERNAL, attributes=attributes
    ) as span:
        yield span


def note_run(values: Mapping[str, Any]) -> None:
    """Record a run's status change on the current (run) span."""
    status = values.get("status")
    if status is None:
        return
    span = trace.get_current_span()
    span.set_attribute(STATUS, status)
    error = values.get("error")
    if isinstance(error, Mapping):
        failed = {"actionplane.saga.failed_step": error.get("step")}
        set_attributes(span, {**failed, "error.type": error.get("category")})
    pending = values.get("pending")
    if pending:
        span.set_attribute("actionplane.saga.pending", len(pending))
    if status in _UNSUCCESSFUL:
        span.set_status(Status(StatusCode.ERROR, f"run {status}"))


@contextmanager
def step_span(kind: str, run_id: str, name: str, tool: str | None) -> Iterator[Span]:
    """A ``saga.step`` or ``saga.compensate`` span; the caller sets the step's status on it."""
    attributes = {RUN_ID: run_id, STEP: name, "actionplane.saga.step.tool": tool}
    with tracer().start_as_current_span(
        f"saga.{kind} {name}",
        kind=SpanKind.INTERNAL,
        attributes={k: v for k, v in attributes.items() if v is not None},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        yield span


def end_step(span: Span, status: str, error: Mapping[str, Any] | None = None) -> None:
    span.set_attribute(STEP_STATUS, status)
    if error is not None:
        set_attributes(span, {"error.type": error.get("category")})
        span.set_status(Status(StatusCode.ERROR, str(error.get("message") or status)))
