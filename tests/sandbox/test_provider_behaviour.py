"""Provider-style rate limits and Stripe's idempotency, as each real API signals them."""

from __future__ import annotations

import httpx

from actionplane import AsyncPlane
from actionplane.testing import RunningSandbox


def client(sandbox: RunningSandbox, toolkit: str) -> httpx.Client:
    issued = sandbox.credential(toolkit, "alice")
    secret = issued.get("token") or issued.get("api_key")
    if "username" in issued:
        return httpx.Client(
            base_url=f"{sandbox.url}/{toolkit}", auth=(issued["username"], issued["password"])
        )
    return httpx.Client(
        base_url=f"{sandbox.url}/{toolkit}", headers={"Authorization": f"Bearer {secret}"}
    )


def test_github_headers_and_primary_limit(sandbox: RunningSandbox) -> None:
    with client(sandbox, "github") as github:
        first = github.get("/user")
        assert int(first.headers["x-ratelimit-limit"]) == 5000
        assert int(first.headers["x-ratelimit-remaining"]) == 4999
        sandbox.set_limit("github", limit=2, window_s=30)
        answers = [github.get("/user") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 403]
    assert answers[2].headers["x-ratelimit-remaining"] == "0"
    assert answers[2].json()["message"].startswith("API rate limit exceeded")


def test_slack_429_with_retry_after(sandbox: RunningSandbox) -> None:
    sandbox.set_limit("slack", limit=1, window_s=10)
    with client(sandbox, "slack") as slack:
        slack.get("/users.list")
        limited = slack.get("/users.list")
        sandbox.clear_limits()
        missing = slack.get("/users.info", params={"user": "U404"})
    assert limited.status_code == 429 and limited.json() == {"ok": False, "error": "ratelimited"}
    assert 1 <= int(limited.headers["retry-after"]) <= 10
    assert missing.status_code == 200 and missing.json() == {"ok": False, "error": "user_not_found"}


def test_jira_retry_after_and_salesforce_request_limit(sandbox: RunningSandbox) -> None:
    sandbox.add_fault(toolkit="jira", status=429, retry_after=3, count=1)
    sandbox.set_limit("salesforce", limit=0, window_s=60)
    with client(sandbox, "jira") as jira, client(sandbox, "salesforce") as salesforce:
        limited = jira.get("/rest/api/3/issue/PROJ-123")
        works = jira.get("/rest/api/3/issue/PROJ-123")
        over = salesforce.get("/services/data/v60.0/query", params={"q": "SELECT Id FROM Contact"})
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
    assert works.json()["key"] == "PROJ-123"
    assert over.status_code == 403
    assert over.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_stripe_idempotency_key(sandbox: RunningSandbox) -> None:
    with client(sandbox, "stripe") as stripe:
        key = {"Idempotency-Key": "order-6735"}
        first = stripe.post("/v1/customers", data={"email": "a@example.com"}, headers=key)
        again = stripe.post("/v1/customers", data={"email": "a@example.com"}, headers=key)
        other = stripe.post("/v1/customers", data={"email": "b@example.com"}, headers=key)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 400
    assert other.json()["error"]["type"] == "idempotency_error"
    assert [(e["operation"], e["idempotency_key"]) for e in sandbox.ledger()] == [
        ("customers.create", "order-6735")
    ]


def test_stripe_applied_then_fail_then_retry_with_same_key(sandbox: RunningSandbox) -> None:
    sandbox.add_fault(tool="STRIPE_CREATE_CUSTOMER", kind="applied_then_fail", count=1)
    with client(sandbox, "stripe") as stripe:
        key = {"Idempotency-Key": "retry-me"}
        failed = stripe.post("/v1/customers", data={"email": "a@example.com"}, headers=key)
        retried = stripe.post("/v1/customers", data={"email": "a@example.com"}, headers=key)
    assert failed.status_code == 500 and failed.json()["error"]["type"] == "api_error"
    assert retried.status_code == 200
    assert len(sandbox.ledger("stripe")) == 1


async def test_sdk_classifies_sandbox_rate_limits(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    await sandbox.connect(plane, "alice", ["slack"])
    sandbox.add_fault(tool="SLACK_LIST_USERS", status=429, retry_after=7, count=5)
    result = await plane.tools.execute("SLACK_LIST_USERS", {}, user_id="alice")
    assert result.error is not None
    assert result.error.category == "rate_limited"


async def test_slack_posts_to_a_channel_named_like_real_slack_accepts(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    await sandbox.connect(plane, "alice", ["slack"])
    for channel in ("#general", "general"):
        posted = await plane.tools.execute(
            "SLACK_POST_MESSAGE", {"channel": channel, "text": f"to {channel}"}, user_id="alice"
        )
        assert posted.successful and posted.data["channel"].startswith("C")
    missing = await plane.tools.execute(
        "SLACK_POST_MESSAGE", {"channel": "#nope", "text": "x"}, user_id="alice"
    )
    assert missing.error is not None and missing.error.message == "channel_not_found"
