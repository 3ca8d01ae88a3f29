"""The HTTP API in-process (FastAPI's TestClient runs the lifespan), against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

from actionplane import AsyncPlane
from actionplane.server.app import create_app
from actionplane.server.keys import KeyStore
from actionplane.testing import RunningSandbox, start_sandbox

ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "Filed over HTTP"}


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(seed=3) as sandbox:
        yield sandbox


@pytest.fixture
def api(
    running_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client, and the API keys of two projects (acme has alice connected to GitHub)."""
    running_sandbox.reset(auth=True)
    for name, value in running_sandbox.environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ACTIONPLANE_DATABASE_URL", f"sqlite:///{tmp_path}/server.db")

    async def setup() -> dict[str, str]:
        async with AsyncPlane() as plane:
            keys = KeyStore((await plane._connection_store())._engine)
            found = {}
            for project in ("acme", "globex"):
                await keys.create_project(project)
                found[project] = (await keys.create_key(project))[1]
            acme = await plane.for_project("acme")
            await running_sandbox.connect(acme, "alice", ["github"])
            return found

    keys = anyio.run(setup)
    with TestClient(create_app()) as client:
        yield client, keys


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_every_route_but_health_needs_a_key(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = api
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    refused = client.get("/v1/tools")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 401
    assert client.get("/v1/tools", headers=auth("apk_wrong")).status_code == 401


def test_tools_are_listed_searched_and_rendered(api: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = api
    tools = client.get("/v1/tools", params={"toolkit": "jira"}, headers=auth(keys["acme"]))
    assert tools.status_code == 200 and all(t["toolkit"] == "jira" for t in tools.json())
    found = client.get(
        "/v1/tools",
        params={"search": "post a slack message", "limit": 1, "format": "openai"},
        headers=auth(keys["acme"]),
    )
    assert found.json()[0]["function"]["name"] == "SLACK_POST_MESSAGE"
    missing = client.get("/v1/tools/SLACK_SEND_MESSAGE", headers=auth(keys["acme"]))
    assert missing.status_code == 404
    assert "SLACK_POST_MESSAGE" in missing.json()["details"]["suggestions"]


def test_execute_with_idempotency_over_http(
    api: tuple[TestClient, dict[str, str]], running_sandbox: RunningSandbox
) -> None:
    client, keys = api
    headers = {
        **auth(keys["acme"]),
        "Idempotency-Key": "http-1",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    }
    body = {"user_id": "alice", "arguments": ISSUE}
    first = client.post("/v1/tools/GITHUB_CREATE_ISSUE/execute", json=body, headers=headers)
    again = client.post("/v1/tools/GITHUB_CREATE_ISSUE/execute", json=body, headers=headers)
    assert first.status_code == 200 and first.json()["successful"]
    assert first.json()["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert again.json()["replayed"] and again.json()["data"] == first.json()["data"]
    other = client.post(
        "/v1/tools/GITHUB_CREATE_ISSUE/execute",
        headers=headers,
        json={"user_id": "alice", "arguments": {**ISSUE, "title": "x"}},
    )
    assert other.status_code == 422 and other.json()["category"] == "idempotency_mismatch"
    invalid = client.post(
        "/v1/tools/GITHUB_CREATE_ISSUE/execute",
        headers=auth(keys["acme"]),
        json={"user_id": "alice", "arguments": {"owner": "o"}},
    )
    assert invalid.status_code == 422
    assert invalid.json()["result"]["error"]["details"]["problems"][0]["field"] == "repo"
    assert len([e for e in running_sandbox.ledger("github") if "create" in e["operation"]]) == 1
    traced = client.get(
        "/v1/executions", params={"trace_id": first.json()["trace_id"]}, headers=auth(keys["acme"])
    )
    # the three calls that carried the agent's traceparent, oldest first
    assert traced.json()[0]["id"] == first.json()["execution_id"]
    assert [e["replayed"] for e in traced.json()] == [False, True, False]


def test_projects_never_see_each_other(api: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = api
    acme = client.get("/v1/connections", headers=auth(keys["acme"])).json()
    assert [c["user_id"] for c in acme] == ["alice"]
    assert client.get("/v1/connections", headers=auth(keys["globex"])).json() == []
    stolen = client.get(f"/v1/connections/{acme[0]['id']}", headers=auth(keys["globex"]))
    assert stolen.status_code == 404
    result = client.post(
        "/v1/tools/GITHUB_LIST_ISSUES/execute",
        headers=auth(keys["globex"]),
        json={
            "user_id": "alice",
            "connected_account_id": acme[0]["id"],
            "arguments": {"owner": "octocat", "repo": "hello-world"},
        },
    )
    assert result.json()["error"]["category"] == "auth_required"


def test_metrics_and_openapi(api: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = api
    client.post(
        "/v1/tools/GITHUB_LIST_ISSUES/execute",
        headers=auth(keys["acme"]),
        json={"user_id": "alice", "arguments": {"owner": "octocat", "repo": "hello-world"}},
    )
    text = client.get("/metrics").text
    assert "actionplane_tool_calls" in text
    assert "actionplane_dlq_depth" in text
    spec = client.get("/openapi.json").json()
    assert "/v1/tools/{slug}/execute" in spec["paths"]


def test_connect_flow_through_the_server(
    api: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    monkeypatch.setenv("ACTIONPLANE_SLACK_CLIENT_ID", "actionplane-sandbox")
    monkeypatch.setenv("ACTIONPLANE_SLACK_CLIENT_SECRET", "sandbox-secret")
    client, keys = api
    callback = "http://testserver/v1/connections/callback"
    started = client.post(
        "/v1/connections/initiate",
        headers=auth(keys["globex"]),
        json={"user_id": "bob", "toolkit": "slack", "redirect_url": callback},
    )
    assert started.status_code == 201
    body = started.json()
    pending = client.get(f"/v1/connections/{body['connection_id']}", headers=auth(keys["globex"]))
    assert pending.json()["status"] == "INITIATED"
    # the user's browser: the sandbox's authorize page consents for login_hint and redirects
    consent = httpx.get(body["authorize_url"] + "&login_hint=bob", follow_redirects=False)
    location = consent.headers["location"]
    assert location.startswith(callback)
    done = client.get("/v1/connections/callback" + location[len(callback) :])
    assert done.status_code == 200 and done.json()["status"] == "ACTIVE"
    replayed = client.get("/v1/connections/callback" + location[len(callback) :])
    assert replayed.status_code == 400  # the state is single-use
    assert client.get("/v1/connections", headers=auth(keys["acme"])).json()[0]["user_id"] == "alice"
    result = client.post(
        "/v1/tools/SLACK_LIST_CONVERSATIONS/execute",
        headers=auth(keys["globex"]),
        json={"user_id": "bob", "arguments": {}},
    )
    assert result.json()["successful"], result.json()
