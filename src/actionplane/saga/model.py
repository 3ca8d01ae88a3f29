"""Workflows, their steps' options, and what a run looks like from outside.

A workflow is an async function ``(run, input) -> output`` whose side effects are the tool calls
it makes through ``run.step(...)``. After a crash the function is called again from the top:
steps that already finished return their stored result without calling anything, so the
function must reach the same steps in the same order for the same input (no clocks, no random
choices outside steps).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actionplane.saga.runner import RunContext

RUN_STATUSES = ("running", "completed", "compensating", "compensated", "needs_attention", "failed")
ACTIVE = ("running", "compensating")
FINAL = ("completed", "compensated", "needs_attention", "failed")

WorkflowFunction = Callable[["RunContext", Any], Awaitable[Any]]


@dataclass(frozen=True)
class Compensation:
    """An explicit undo: ``tool`` called with ``arguments``, whose string values may read the
    step's call and answer as ``$input.path`` / ``$result.path`` (the catalog's convention)."""

    tool: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Workflow:
    """A named workflow. ``definition`` is set for workflows loaded from YAML: it is stored with
    each run, so any process can resume the run without having the workflow registered."""

    name: str
    function: WorkflowFunction
    definition: dict[str, Any] | None = None
    description: str = ""


def workflow(name: str | None = None) -> Callable[[WorkflowFunction], Workflow]:
    """Decorate ``async def f(run, input)`` to make it a ``Workflow`` (named ``name`` or f's name).

    ::

        @workflow("onboard_lead")
        async def onboard(run: RunContext, lead: dict[str, Any]) -> dict[str, Any]:
            contact = await run.step("contact", "SALESFORCE_CREATE_CONTACT", {...})
            await run.step("folder", "GOOGLE_DRIVE_CREATE_FOLDER", {"name": lead["company"]})
            return {"contact_id": contact["id"]}
    """

    def wrap(function: WorkflowFunction) -> Workflow:
        doc = (function.__doc__ or "").strip()
        label = name or str(getattr(function, "__name__", "workflow"))
        return Workflow(label, function, None, doc)

    return wrap


@dataclass(frozen=True)
class StepView:
    """One step of a run as stored: its call, its outcome, and its undo."""

    seq: int
    name: str
    tool: str
    status: str
    attempts: int
    pivot: bool
    idempotency_key: str
    arguments: dict[str, Any]
    result: Any
    error: dict[str, Any] | None
    trace_id: str | None
    compensation: dict[str, Any] | None
    undo_attempts: int
    undo_error: dict[str, Any] | None
    undo_trace_id: str | None


@dataclass(frozen=True)
class WorkflowRun:
    """A run as stored. ``pending`` lists what remains undone when it needs attention."""

    id: str
    workflow: str
    user_id: str
    status: str
    input: Any
    output: Any
    error: dict[str, Any] | None
    pending: list[dict[str, Any]] | None
    owner: str | None
    lease_until: float | None
    pickups: int
    created_at: float
    updated_at: float
    steps: list[StepView] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in FINAL

    def as_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["steps"] = [dict(s.__dict__) for s in self.steps]
        return data
