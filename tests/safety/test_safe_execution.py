"""The safe-execution guarantees of issue 4, each against the sandbox (one process, SQLite)."""

from __future__ import annotations

from pathlib import Path

import anyio

from actionplane import AsyncPlane
from actionplane.testing import RunningSandbox
from tests.safety.conftest import FAST_RETRIES

ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "Checkout button is grey"}
CUSTOMER = {"email": "jenny@example.com", "name": "Jenny Rosen"}


def creates(sandbox: RunningSandbox, toolkit: str) -> list[dict[str, object]]:
    return [
        e
        for e in sandbox.ledger(toolkit)
        if "create" in str(e["operation"]) or "post" in str(e["operation"])
    ]


async def test_same_create_twice_without_a_key_is_one_side_effect(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    first = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    second = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert first.successful and second.successful
    assert second.replayed and second.data == first.data
    assert len(creates(sandbox, "github")) == 1


async def test_two_503s_then_success(plane: AsyncPlane, sandbox: RunningSandbox) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=2)
    result = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert result.successful
    assert result.attempts == 3
    assert len(creates(sandbox, "github")) == 1


async def test_429_retry_after_holds_every_request_back(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(tool="GITHUB_LIST_ISSUES", kind="status", status=429, retry_after=2, count=1)
    args = {"owner": "octocat", "repo": "hello-world"}

    async def another_call_meanwhile() -> None:
        await anyio.sleep(0.5)
        await plane.tools.execute("GITHUB_GET_ISSUE", {**args, "issue_number": 42}, user_id="alice")

    async with anyio.create_task_group() as group:
        group.start_soon(another_call_meanwhile)
        result = await plane.tools.execute("GITHUB_LIST_ISSUES", args, user_id="alice")
    assert result.successful and result.attempts == 2
    seen = sandbox.requests("github")
    limited = next(r for r in seen if r["status"] == 429)
    after = [r for r in seen if r["time"] > limited["time"]]
    assert after, "the call was retried"
    assert min(r["time"] for r in after) - limited["time"] >= 1.95


async def test_ambiguous_create_is_reconciled_not_duplicated(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="applied_then_fail", status=500, count=1)
    result = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert len(creates(sandbox, "github")) == 1
    assert result.successful and result.outcome == "reconciled"
    assert result.data["title"] == ISSUE["title"]


async def test_ambiguous_create_without_lookup_is_parked_as_unknown_outcome(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    assert plane.catalog.get("JIRA_CREATE_ISSUE").lookup is None
    sandbox.add_fault(tool="JIRA_CREATE_ISSUE", kind="applied_then_fail", status=500, count=1)
    issue = plane.catalog.get("JIRA_CREATE_ISSUE").examples[0].arguments
    result = await plane.tools.execute("JIRA_CREATE_ISSUE", issue, user_id="alice")
    assert not result.successful
    assert result.outcome == "unknown" and result.attempts == 1
    assert result.dead_letter_id is not None
    entry = await plane.dlq.get(result.dead_letter_id)
    assert entry.reason == "unknown_outcome" and not entry.auto_redrive
    again = await plane.tools.execute("JIRA_CREATE_ISSUE", issue, user_id="alice")
    assert again.replayed and not again.successful  # the repeat is not sent either
    assert len(creates(sandbox, "jira")) == 1


async def test_ambiguous_stripe_create_is_retried_with_the_same_upstream_key(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(tool="STRIPE_CREATE_CUSTOMER", kind="applied_then_fail", status=500, count=1)
    result = await plane.tools.execute("STRIPE_CREATE_CUSTOMER", CUSTOMER, user_id="alice")
    assert result.successful and result.attempts == 2
    effects = creates(sandbox, "stripe")
    assert len(effects) == 1
    assert effects[0]["idempotency_key"] is not None


async def test_breaker_opens_refuses_without_sending_then_recovers(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(toolkit="github", kind="status", status=503)
    args = {"owner": "octocat", "repo": "hello-world"}
    for _ in range(2):
        await plane.tools.execute("GITHUB_LIST_ISSUES", args, user_id="alice")
    sent = len(sandbox.requests("github"))
    refused = await plane.tools.execute("GITHUB_LIST_ISSUES", args, user_id="alice")
    assert refused.error is not None and refused.error.category == "circuit_open"
    assert refused.attempts == 0 and len(sandbox.requests("github")) == sent
    sandbox.clear_faults()
    await anyio.sleep(1.1)
    trials = [
        await plane.tools.execute("GITHUB_LIST_ISSUES", args, user_id="alice") for _ in range(3)
    ]
    assert all(t.successful for t in trials)


async def test_dead_lettered_call_replays_once_the_fault_is_gone(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=4)
    failed = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert not failed.successful and failed.dead_letter_id is not None
    entry = await plane.dlq.get(failed.dead_letter_id)
    assert entry.reason == "exhausted" and entry.arguments == ISSUE
    sandbox.clear_faults()
    await anyio.sleep(1.1)  # four 503s in a row opened the breaker
    replayed = await plane.dlq.replay(entry.id)
    assert replayed.successful
    assert (await plane.dlq.get(entry.id)).status == "replayed"
    assert len(creates(sandbox, "github")) == 1


async def test_transient_dead_letters_are_redriven_after_a_restart(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    from actionplane.engine.executor import ExecutionSettings
    from actionplane.server.background import redrive_once

    url = f"sqlite:///{tmp_path / 'restart.db'}"
    quick = ExecutionSettings(redrive_after_s=0.2)
    async with AsyncPlane(
        database_url=url, retry_policy=FAST_RETRIES, execution_settings=quick
    ) as first:
        await sandbox.connect(first, "alice", ["github"])
        sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=4)
        failed = await first.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
        assert failed.dead_letter_id is not None
    # the process is gone; the schedule is in the database
    await anyio.sleep(0.3)
    async with AsyncPlane(database_url=url, execution_settings=quick) as second:
        assert await redrive_once(second) == 1
        entry = await second.dlq.get(failed.dead_letter_id)
        assert entry.status == "replayed" and entry.redrives == 1
        assert await redrive_once(second) == 0  # nothing due twice
    assert len(creates(sandbox, "github")) == 1
