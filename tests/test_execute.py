"""The first execution path, end to end in-process: arguments -> request -> envelope -> log."""

from __future__ import annotations

import json

import httpx
import pytest
import sqlalchemy as sa

from actionplane import AsyncPlane
from actionplane.engine.retry import RetryPolicy
from actionplane.store.tables import executions


def github_upstream(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("authorization") != "Bearer ghp_alice":
            return httpx.Response(401, json={"message": "Bad credentials"})
        body = json.loads(request.content)
        return httpx.Response(
            201, json={"id": 1, "number": 7, "title": body["title"], "state": "open"}
        )

    return httpx.MockTransport(handler)


async def test_create_issue_runs_with_the_users_token_and_is_logged(database_url: str) -> None:
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=github_upstream(seen)) as http:
        plane = AsyncPlane(database_url=database_url, http_client=http)
        await plane.connections.add("alice", "github", token="ghp_alice")
        result = await plane.tools.execute(
            "GITHUB_CREATE_ISSUE",
            {"owner": "acme", "repo": "app", "title": "Broken login"},
            user_id="alice",
        )
        await plane.aclose()

    assert result.successful, result.error
    assert result.data["number"] == 7
    assert result.attempts == 1
    assert len(result.trace_id) == 32
    assert [str(r.url) for r in seen] == ["https://api.github.com/repos/acme/app/issues"]
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as db:
        row = db.execute(sa.select(executions)).one()._mapping
    engine.dispose()
    assert (row["id"], row["tool"], row["status"], row["http_status"]) == (
        result.execution_id,
        "GITHUB_CREATE_ISSUE",
        "succeeded",
        201,
    )


async def test_missing_required_field_is_refused_without_sending(tmp_path) -> None:
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=github_upstream(seen)) as http:
        plane = AsyncPlane(database_url=f"sqlite:///{tmp_path}/a.db", http_client=http)
        await plane.connections.add("alice", "github", token="ghp_alice")
        result = await plane.tools.execute(
            "GITHUB_CREATE_ISSUE", {"owner": "acme", "repo": "app"}, user_id="alice"
        )
        await plane.aclose()

    assert seen == []
    assert not result.successful
    assert result.error is not None
    assert result.error.category == "validation"
    problem = result.error.details["problems"][0]  # type: ignore[index]
    assert problem["field"] == "title"
    assert "required" in problem["expected"]
    assert problem["example"] == "Login button does nothing on Safari"


async def test_unknown_tool_suggests_the_closest_slugs(tmp_path) -> None:
    plane = AsyncPlane(database_url=f"sqlite:///{tmp_path}/a.db")
    result = await plane.tools.execute("GITHUB_CREATE_ISSUES", {}, user_id="alice")
    await plane.aclose()
    assert result.error is not None
    assert result.error.category == "tool_not_found"
    assert result.error.details["suggestions"][0] == "GITHUB_CREATE_ISSUE"  # type: ignore[index]


async def test_a_user_without_a_connection_gets_auth_required(tmp_path) -> None:
    plane = AsyncPlane(database_url=f"sqlite:///{tmp_path}/a.db")
    await plane.connections.add("alice", "github", token="ghp_alice")
    result = await plane.tools.execute(
        "GITHUB_LIST_ISSUES", {"owner": "acme", "repo": "app"}, user_id="bob"
    )
    await plane.aclose()
    assert result.error is not None
    assert result.error.category == "auth_required"
    assert "connect" in result.error.message


@pytest.mark.parametrize(
    ("status", "category", "retryable"),
    [
        (429, "rate_limited", True),
        (503, "transient", True),
        (502, "unknown", True),
        (404, "permanent", False),
        (401, "auth_required", False),
    ],
)
async def test_http_failures_map_to_outcome_classes(
    tmp_path, status: int, category: str, retryable: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": "3"}, json={"message": "nope"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        plane = AsyncPlane(
            database_url=f"sqlite:///{tmp_path}/a.db",
            http_client=http,
            retry_policy=RetryPolicy(max_attempts=1),
        )
        await plane.connections.add("alice", "github", token="ghp_alice")
        result = await plane.tools.execute(
            "GITHUB_LIST_ISSUES", {"owner": "acme", "repo": "app"}, user_id="alice"
        )
        await plane.aclose()
    assert result.error is not None
    assert (result.error.category, result.error.retryable) == (category, retryable)
    assert result.error.status_code == status
    if category == "rate_limited":
        assert result.error.retry_after_s == 3
