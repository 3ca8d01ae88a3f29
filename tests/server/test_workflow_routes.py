"""``/v1/workflows/runs`` in-process: a YAML workflow rolled back, a registered workflow by
name, reading, resuming and compensating runs, and one project never seeing another's runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

from actionplane import AsyncPlane
from actionplane.saga.golden import CHANNEL, GOLDEN_YAML, golden_lead
from actionplane.server.app import create_app
from actionplane.server.keys import KeyStore
from actionplane.testing import RunningSandbox, start_sandbox

KITS = ["salesforce", "google_drive", "slack"]
LEAD = {
    "email": "ada@analytical-engines.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company": "Analytical Engines",
    "channel": CHANNEL,
}


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(seed=5) as sandbox:
        yield sandbox


@pytest.fixture
def api(
    running_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A server with ``golden_lead`` registered; acme's alice is connected to its toolkits."""
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
            await running_sandbox.connect(await plane.for_project("acme"), "alice", KITS)
            return found

    keys = anyio.run(setup)
    with TestClient(create_app()) as client:
        client.app.state.plane.workflows.register(golden_lead)  # type: ignore[attr-defined]
        yield client, {p: f"Bearer {k}" for p, k in keys.items()}


def test_a_yaml_run_is_rolled_back_and_read_back(
    api: tuple[TestClient, dict[str, str]], running_sandbox: RunningSandbox
) -> None:
    client, keys = api
    acme = {"Authorization": keys["acme"]}
    running_sandbox.add_fault(tool="GOOGLE_DRIVE_CREATE_FOLDER", kind="status", status=400)
    body = {"user_id": "alice", "definition": GOLDEN_YAML, "input": LEAD}
    started = client.post("/v1/workflows/runs", json=body, headers=acme)
    assert started.status_code == 201
    run = started.json()
    assert run["status"] == "compensated" and run["error"]["step"] == "create_folder"
    assert [(s["name"], s["status"]) for s in run["steps"]] == [
        ("upsert_contact", "compensated"),
        ("create_folder", "failed"),
    ]
    assert "owner" not in run

    read = client.get(f"/v1/workflows/runs/{run['id']}", headers=acme).json()
    assert read["steps"] == run["steps"]
    listed = client.get("/v1/workflows/runs", params={"status": "compensated"}, headers=acme)
    assert [r["id"] for r in listed.json()] == [run["id"]]

    # Another project sees nothing of it.
    globex = {"Authorization": keys["globex"]}
    assert client.get("/v1/workflows/runs", headers=globex).json() == []
    hidden = client.get(f"/v1/workflows/runs/{run['id']}", headers=globex)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"


def test_a_registered_workflow_is_started_by_name_resumed_and_compensated(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = api
    acme = {"Authorization": keys["acme"]}
    lead = {"email": "grace@hopper.dev", "name": "Grace Hopper"}
    body = {"user_id": "alice", "workflow": "golden_lead", "input": lead, "wait": False}
    parked = client.post("/v1/workflows/runs", json=body, headers=acme).json()
    assert parked["status"] == "running" and parked["workflow"] == "golden_lead"

    resumed = client.post(f"/v1/workflows/runs/{parked['id']}/resume", headers=acme).json()
    assert resumed["status"] == "completed"
    assert resumed["output"]["contact_id"].startswith("003")
    again = client.post(f"/v1/workflows/runs/{parked['id']}/resume", headers=acme)
    assert again.status_code == 409 and "nothing to resume" in again.json()["detail"]

    undone = client.post(f"/v1/workflows/runs/{parked['id']}/compensate", headers=acme).json()
    assert undone["status"] == "compensated"
    # Starting twice under one run id is one run.
    twice = {**body, "run_id": parked["id"]}
    assert client.post("/v1/workflows/runs", json=twice, headers=acme).json()["status"] == (
        "compensated"
    )


def test_bad_requests_are_problems(api: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = api
    acme = {"Authorization": keys["acme"]}
    assert client.post("/v1/workflows/runs", json={"user_id": "alice"}).status_code == 401
    neither = client.post("/v1/workflows/runs", json={"user_id": "alice"}, headers=acme)
    assert neither.status_code == 422
    unknown = {"user_id": "alice", "workflow": "nope"}
    assert client.post("/v1/workflows/runs", json=unknown, headers=acme).status_code == 404
    missing = client.post("/v1/workflows/runs/run_nope/resume", headers=acme)
    assert missing.status_code == 404


def test_a_one_line_definition_is_yaml_never_a_server_path(
    api: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    client, keys = api
    acme = {"Authorization": keys["acme"]}
    secret = tmp_path / "secret.yaml"
    secret.write_text(GOLDEN_YAML)  # a valid workflow, were it read from disk
    for definition in (str(secret), "0.1.0", "[a", "{unclosed"):
        body = {"user_id": "alice", "definition": definition}
        answer = client.post("/v1/workflows/runs", json=body, headers=acme)
        assert answer.status_code == 422, (definition, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
