"""Stateful behaviour through the SDK, and the ledger and request log that prove it."""

from __future__ import annotations

import time

from actionplane import AsyncPlane
from actionplane.testing import RunningSandbox

REPO = {"owner": "octocat", "repo": "hello-world"}


async def test_created_issue_can_be_read_listed_and_updated(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    await sandbox.connect(plane, "alice", ["github"])
    created = await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", {**REPO, "title": "Broken login"}, user_id="alice"
    )
    number = created.data["number"]

    got = await plane.tools.execute(
        "GITHUB_GET_ISSUE", {**REPO, "issue_number": number}, user_id="alice"
    )
    closed = await plane.tools.execute(
        "GITHUB_UPDATE_ISSUE", {**REPO, "issue_number": number, "state": "closed"}, user_id="alice"
    )
    still_open = await plane.tools.execute("GITHUB_LIST_ISSUES", REPO, user_id="alice")
    every = await plane.tools.execute(
        "GITHUB_LIST_ISSUES", {**REPO, "state": "all"}, user_id="alice"
    )

    assert got.data["title"] == "Broken login"
    assert got.data["user"]["login"] == "alice"
    assert closed.data["state"] == "closed"
    assert number not in [i["number"] for i in still_open.data]
    assert number in [i["number"] for i in every.data]


async def test_deleted_records_are_gone(sandbox: RunningSandbox, plane: AsyncPlane) -> None:
    await sandbox.connect(plane, "alice", ["stripe"])
    customer = await plane.tools.execute(
        "STRIPE_CREATE_CUSTOMER", {"email": "ada@example.com"}, user_id="alice"
    )
    cid = customer.data["id"]
    deleted = await plane.tools.execute(
        "STRIPE_DELETE_CUSTOMER", {"customer_id": cid}, user_id="alice"
    )
    missing = await plane.tools.execute(
        "STRIPE_GET_CUSTOMER", {"customer_id": cid}, user_id="alice"
    )

    assert cid.startswith("cus_") and deleted.data == {
        "id": cid,
        "object": "customer",
        "deleted": True,
    }
    assert not missing.successful
    assert missing.error is not None and missing.error.status_code == 404


async def test_ledger_and_request_log_match_what_was_done(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    await sandbox.connect(plane, "alice", ["slack"])
    before = time.time()
    posted = await plane.tools.execute(
        "SLACK_POST_MESSAGE", {"channel": "C0123456789", "text": "hi"}, user_id="alice"
    )
    await plane.tools.execute(
        "SLACK_GET_CONVERSATION_HISTORY", {"channel": "C0123456789"}, user_id="alice"
    )
    await plane.tools.execute(
        "SLACK_ADD_REACTION",
        {"channel": "C0123456789", "timestamp": posted.data["ts"], "name": "eyes"},
        user_id="alice",
    )

    ledger = sandbox.ledger("slack")
    assert [(e["operation"], e["resource_id"]) for e in ledger] == [
        ("messages.create", posted.data["ts"]),
        ("reactions.add", posted.data["ts"]),
    ]
    assert all(e["idempotency_key"] is None and before <= e["time"] <= time.time() for e in ledger)
    api_calls = [r for r in sandbox.requests("slack") if not r["path"].startswith("/oauth/")]
    assert [(r["method"], r["path"], r["status"], r["tool"]) for r in api_calls] == [
        ("POST", "/slack/chat.postMessage", 200, "SLACK_POST_MESSAGE"),
        ("GET", "/slack/conversations.history", 200, "SLACK_GET_CONVERSATION_HISTORY"),
        ("POST", "/slack/reactions.add", 200, "SLACK_ADD_REACTION"),
    ]
    history = await plane.tools.execute(
        "SLACK_GET_CONVERSATION_HISTORY", {"channel": "C0123456789"}, user_id="alice"
    )
    assert history.data["messages"][0]["reactions"][0]["name"] == "eyes"

    sandbox.reset()
    assert sandbox.ledger() == [] and sandbox.requests() == []
