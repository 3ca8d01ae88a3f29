"""The terminal side of the dashboard's actions, run as the installed command: ``stats``,
``dlq replay-all``, ``connections reconnect``, and ``dashboard`` serving the page on the local
database with an admin token."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import anyio
import httpx
import pytest

from actionplane import AsyncPlane
from actionplane.testing import RunningSandbox
from tests.cli_runner import ACTIONPLANE, run_cli, run_json
from tests.dashboard.conftest import FAST_RETRIES, MANUAL_DLQ

ISSUE = {"owner": "octocat", "repo": "hello-world"}


@pytest.fixture
def local(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A local database where alice (GitHub, OAuth) has two dead-lettered calls and dora a
    static Stripe key; the ids of alice's and dora's connections."""
    monkeypatch.setenv("ACTIONPLANE_DATABASE_URL", f"sqlite:///{tmp_path / 'local.db'}")
    monkeypatch.setenv("ACTIONPLANE_GITHUB_CLIENT_ID", "local-client")
    monkeypatch.setenv("ACTIONPLANE_GITHUB_CLIENT_SECRET", "local-secret")

    async def setup() -> dict[str, str]:
        async with AsyncPlane(retry_policy=FAST_RETRIES, execution_settings=MANUAL_DLQ) as plane:
            [alice] = await sandbox.connect(plane, "alice", ["github"])
            dora = await plane.connections.add("dora", "stripe", api_key="sk_test_local")
            sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=6)
            for title in ("one", "two"):
                await plane.tools.execute(
                    "GITHUB_CREATE_ISSUE", {**ISSUE, "title": title}, user_id="alice"
                )
            assert len(await plane.dlq.list(status="pending")) == 2
            return {"alice": alice.id, "dora": dora.id}

    return anyio.run(setup)


def test_stats_and_bulk_replay_in_the_terminal(
    local: dict[str, str], tmp_path: Path, sandbox: RunningSandbox
) -> None:
    found = run_json("stats", "--minutes", "5", cwd=tmp_path)
    assert (found["calls"], found["failed"], found["dlq_pending"]) == (2, 2, 2)
    assert found["retries"] == 4
    table = run_cli("stats", cwd=tmp_path).stdout
    assert "rate-limit waits" in table and "github" in table

    replayed = run_json("dlq", "replay-all", cwd=tmp_path)
    assert [r["outcome"] for r in replayed] == ["succeeded", "succeeded"]
    created = [e for e in sandbox.ledger("github") if e["operation"] == "issues.create"]
    assert len(created) == 2


def test_reconnect_prints_a_consent_url_and_refuses_a_static_key(
    local: dict[str, str], tmp_path: Path
) -> None:
    redirect = "http://127.0.0.1:8788/ui/connected.html"
    started = run_json(
        "connections", "reconnect", local["alice"], "--redirect-url", redirect, cwd=tmp_path
    )
    assert started["connection_id"] == local["alice"]
    assert "redirect_uri=http" in started["authorize_url"]
    refused = run_cli(
        "connections", "reconnect", local["dora"], "--redirect-url", redirect,
        cwd=tmp_path, check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "static api_key credential" in refused.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dashboard_serves_the_page_on_the_local_database(
    local: dict[str, str], tmp_path: Path
) -> None:
    port, token = _free_port(), "local-admin-token-for-the-test"
    env = {**os.environ, "ACTIONPLANE_ADMIN_TOKEN": token, "COLUMNS": "200"}
    process = subprocess.Popen(
        [ACTIONPLANE, "dashboard", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(
                    f"{url}/v1/stats/overview", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert answer.status_code == 200
        assert (answer.json()["project"], answer.json()["dlq_pending"]) == ("default", 2)
        assert "/ui/js/main.js" in httpx.get(url + "/").text
        wrong = httpx.get(f"{url}/v1/dlq", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert token not in output  # a token given in the environment is never printed
    assert f"{url}/" in output
