"""A compensated saga as spans: ``saga {workflow}`` with one child per step and per
compensation, and each step's tool call under its step's span."""

from __future__ import annotations

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from actionplane import AsyncPlane
from actionplane.saga.golden import golden_lead
from actionplane.testing import RunningSandbox
from tests.saga.conftest import plane, running_sandbox, sandbox

__all__ = ["plane", "running_sandbox", "sandbox"]

LEAD = {"email": "ada@analytical-engines.com", "name": "Ada Lovelace"}


def named(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    [span] = [s for s in spans if s.name == name]
    return span


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


async def test_a_compensated_saga_has_step_and_compensation_spans(
    plane: AsyncPlane, sandbox: RunningSandbox, spans: InMemorySpanExporter
) -> None:
    sandbox.add_fault(
        toolkit="google_drive", tool="GOOGLE_DRIVE_CREATE_FOLDER", kind="status", status=503
    )
    run = await plane.workflows.start(golden_lead, LEAD, user_id="alice")
    assert run.status == "compensated"
    finished = list(spans.get_finished_spans())

    root = named(finished, "saga golden_lead")
    assert root.kind is SpanKind.INTERNAL
    attrs = dict(root.attributes or {})
    assert attrs["actionplane.saga.run_id"] == run.id
    assert attrs["actionplane.saga.workflow"] == "golden_lead"
    assert attrs["actionplane.saga.status"] == "compensated"
    assert attrs["actionplane.saga.failed_step"] == "create_folder"
    assert root.status.status_code is StatusCode.ERROR

    # Steps in order, then the one compensation, all direct children of the run's span.
    assert [s.name for s in sorted(children(finished, root), key=lambda s: s.start_time or 0)] == [
        "saga.step find_contact",
        "saga.step upsert_contact",
        "saga.step create_folder",
        "saga.compensate upsert_contact",
    ]
    upsert = named(finished, "saga.step upsert_contact")
    assert upsert.kind is SpanKind.INTERNAL
    assert dict(upsert.attributes or {})["actionplane.saga.step.status"] == "succeeded"
    assert dict(upsert.attributes or {})["actionplane.saga.run_id"] == run.id
    [create] = children(finished, upsert)
    assert create.name == "execute_tool SALESFORCE_CREATE_CONTACT"
    assert format(create.context.trace_id, "032x") == run.steps[1].trace_id

    folder = named(finished, "saga.step create_folder")
    folder_attrs = dict(folder.attributes or {})
    assert folder_attrs["actionplane.saga.step.status"] == "failed"
    assert folder_attrs["actionplane.saga.step.tool"] == "GOOGLE_DRIVE_CREATE_FOLDER"
    assert folder.status.status_code is StatusCode.ERROR
    assert [s.name for s in children(finished, folder)] == [
        "execute_tool GOOGLE_DRIVE_CREATE_FOLDER"
    ]

    undo = named(finished, "saga.compensate upsert_contact")
    undo_attrs = dict(undo.attributes or {})
    assert undo_attrs["actionplane.saga.step.status"] == "compensated"
    assert undo_attrs["actionplane.saga.step.tool"] == "SALESFORCE_DELETE_CONTACT"
    [delete] = children(finished, undo)
    assert delete.name == "execute_tool SALESFORCE_DELETE_CONTACT"
    # One trace for the whole run.
    assert {s.context.trace_id for s in finished if s.name.startswith(("saga", "execute"))} == {
        root.context.trace_id
    }
