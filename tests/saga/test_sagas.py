"""Sagas against the sandbox: completion, rollback in reverse order, parked undos, pivots,
retry-until-done steps, YAML workflows and idempotent starts (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from actionplane import AsyncPlane
from actionplane.saga import Compensation, RunContext, load_workflow, workflow
from actionplane.saga.golden import GOLDEN_YAML, golden_lead
from actionplane.testing import RunningSandbox
from tests.saga.conftest import effects

LEAD = {"email": "ada@analytical-engines.com", "name": "Ada Lovelace"}


def operations(sandbox: RunningSandbox) -> Counter[str]:
    return Counter(op for _, op, _ in effects(sandbox))


async def test_golden_workflow_completes_with_one_effect_per_step(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    run = await plane.workflows.start(golden_lead, LEAD, user_id="alice")
    assert run.status == "completed", run.error
    assert [s.name for s in run.steps] == [
        "find_contact",
        "upsert_contact",
        "create_folder",
        "announce",
    ]
    assert all(s.status == "succeeded" for s in run.steps)
    assert run.output["contact_id"].startswith("003")
    assert operations(sandbox) == {"Contact.create": 1, "files.create": 1, "messages.create": 1}
    contact = run.steps[1]
    assert contact.idempotency_key == f"saga:{run.id}:upsert_contact"
    assert contact.compensation == {
        "tool": "SALESFORCE_DELETE_CONTACT",
        "arguments": {"contact_id": run.output["contact_id"]},
    }


async def test_a_failed_folder_step_deletes_the_contact(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(
        toolkit="google_drive", tool="GOOGLE_DRIVE_CREATE_FOLDER", kind="status", status=503
    )
    run = await plane.workflows.start(golden_lead, LEAD, user_id="alice")
    assert run.status == "compensated"
    assert run.error is not None and run.error["step"] == "create_folder"
    by_name = {s.name: s for s in run.steps}
    assert by_name["upsert_contact"].status == "compensated"
    assert by_name["create_folder"].status == "failed"
    assert "announce" not in by_name
    contact_id = by_name["upsert_contact"].result["id"]
    assert [(op, rid) for _, op, rid in effects(sandbox)] == [
        ("Contact.create", contact_id),
        ("Contact.delete", contact_id),
    ]
    # The exhausted folder call must not be redriven later: the saga discarded it.
    assert await plane.dlq.list(status="pending") == []


async def test_compensations_run_in_reverse_order(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    run = await plane.workflows.start(
        golden_lead, {**LEAD, "channel": "C_NO_SUCH_CHANNEL"}, user_id="alice"
    )
    assert run.status == "compensated"
    assert [op for _, op, _ in effects(sandbox)] == [
        "Contact.create",
        "files.create",
        "files.delete",
        "Contact.delete",
    ]


async def test_a_compensation_that_keeps_failing_parks_the_run_with_what_remains(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(
        toolkit="google_drive", tool="GOOGLE_DRIVE_CREATE_FOLDER", kind="status", status=400
    )
    undo_fault = sandbox.add_fault(tool="SALESFORCE_DELETE_CONTACT", kind="status", status=500)
    run = await plane.workflows.start(golden_lead, LEAD, user_id="alice")
    assert run.status == "needs_attention"
    contact = next(s for s in run.steps if s.name == "upsert_contact")
    assert contact.status == "undo_failed" and contact.undo_attempts == 3
    assert run.pending == [
        {
            "step": "upsert_contact",
            "tool": "SALESFORCE_CREATE_CONTACT",
            "reason": "compensation kept failing",
            "result": contact.result,
            "compensation": contact.compensation,
            "error": contact.undo_error,
        }
    ]
    assert operations(sandbox) == {"Contact.create": 1}

    sandbox.remove_fault(undo_fault["id"])
    resumed = await plane.workflows.resume(run.id)
    assert resumed.status == "compensated" and resumed.pending is None
    assert operations(sandbox) == {"Contact.create": 1, "Contact.delete": 1}


async def test_an_undo_whose_record_is_gone_counts_as_done(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    @workflow("delete_behind_its_back")
    async def flow(run: RunContext, lead: dict[str, Any]) -> None:
        contact = await run.step("contact", "SALESFORCE_CREATE_CONTACT", {"LastName": "Gone"})
        await run.step(
            "someone_else",
            "SALESFORCE_DELETE_CONTACT",
            {"contact_id": contact["id"]},
            compensation=False,
        )
        await run.step("boom", "SLACK_POST_MESSAGE", {"channel": "C_NOPE", "text": "x"})

    run = await plane.workflows.start(flow, {}, user_id="alice")
    assert run.status == "compensated", run.pending
    assert [s.status for s in run.steps] == ["compensated", "succeeded", "failed"]


async def test_nothing_past_a_pivot_is_undone(plane: AsyncPlane, sandbox: RunningSandbox) -> None:
    @workflow("pivoted")
    async def flow(run: RunContext, _input: Any) -> None:
        await run.step("contact", "SALESFORCE_CREATE_CONTACT", {"LastName": "Kept"}, pivot=True)
        await run.step("folder", "GOOGLE_DRIVE_CREATE_FOLDER", {"name": "Undone"})
        await run.step("note", "SLACK_POST_MESSAGE", {"channel": "C_NOPE", "text": "x"})

    run = await plane.workflows.start(flow, None, user_id="alice")
    assert run.status == "failed"
    assert [s.status for s in run.steps] == ["succeeded", "compensated", "failed"]
    assert operations(sandbox) == {"Contact.create": 1, "files.create": 1, "files.delete": 1}


async def test_a_retry_until_done_step_outlasts_a_flaky_provider(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    # 3 attempts per call: five 503s exhaust the first call and part of the second.
    sandbox.add_fault(
        toolkit="google_drive",
        tool="GOOGLE_DRIVE_CREATE_FOLDER",
        kind="status",
        status=503,
        count=5,
    )

    @workflow("patient")
    async def flow(run: RunContext, _input: Any) -> Any:
        return await run.step(
            "folder", "GOOGLE_DRIVE_CREATE_FOLDER", {"name": "Eventually"}, retry_until_done=True
        )

    run = await plane.workflows.start(flow, None, user_id="alice")
    assert run.status == "completed"
    assert run.steps[0].attempts == 6
    assert operations(sandbox) == {"files.create": 1}


async def test_an_explicit_compensation_replaces_the_catalogs(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    @workflow("trash_instead")
    async def flow(run: RunContext, _input: Any) -> None:
        await run.step(
            "folder",
            "GOOGLE_DRIVE_CREATE_FOLDER",
            {"name": "To trash"},
            compensation=Compensation("GOOGLE_DRIVE_TRASH_FILE", {"file_id": "$result.id"}),
        )
        raise RuntimeError("the agent changed its mind")

    run = await plane.workflows.start(flow, None, user_id="alice")
    assert run.status == "compensated"
    assert run.error is not None and run.error["category"] == "workflow_error"
    assert run.steps[0].compensation is not None
    assert run.steps[0].compensation["tool"] == "GOOGLE_DRIVE_TRASH_FILE"
    assert "files.delete" not in operations(sandbox)


async def test_a_yaml_workflow_runs_and_rolls_back_the_same_way(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    flow = plane.workflows.load(GOLDEN_YAML)
    lead = {
        "email": "g@h.io",
        "first_name": "Grace",
        "last_name": "Hopper",
        "company": "Navy",
        "channel": "C0123456789",
    }
    done = await plane.workflows.start(flow, lead, user_id="alice")
    assert done.status == "completed"
    assert done.output["contact_id"] == done.steps[0].result["id"]
    undone = await plane.workflows.start(flow, {**lead, "channel": "C_NOPE"}, user_id="alice")
    assert undone.status == "compensated"
    assert operations(sandbox) == {
        "Contact.create": 2,
        "files.create": 2,
        "messages.create": 1,
        "files.delete": 1,
        "Contact.delete": 1,
    }
    assert load_workflow(flow.definition or {}).name == "golden_lead_yaml"


async def test_starting_a_run_id_twice_runs_it_once(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    first = await plane.workflows.start(golden_lead, LEAD, user_id="alice", run_id="run_lead_1")
    again = await plane.workflows.start(golden_lead, LEAD, user_id="alice", run_id="run_lead_1")
    assert first.status == again.status == "completed"
    assert operations(sandbox) == {"Contact.create": 1, "files.create": 1, "messages.create": 1}
    listed = await plane.workflows.list()
    assert [r.id for r in listed] == ["run_lead_1"]
