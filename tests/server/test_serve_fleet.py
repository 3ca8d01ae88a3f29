"""``actionplane serve --workers 2`` on PostgreSQL + Redis: two server processes, one truth."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from actionplane.auth.vault import generate_key
from actionplane.testing import RunningSandbox, start_sandbox
from tests.cli_runner import ACTIONPLANE, run_cli, run_json
from tests.peers import free_port

ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "One issue, two servers"}


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(seed=5) as sandbox:
        yield sandbox


@pytest.fixture
def server(
    running_sandbox: RunningSandbox,
    postgres_url: str,
    redis_settings: dict[str, str],
    tmp_path: Path,
) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(base URL, API key, environment) of two server workers sharing PostgreSQL + Redis."""
    running_sandbox.reset(auth=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
    env.update(
        {
            "ACTIONPLANE_DATABASE_URL": postgres_url,
            "ACTIONPLANE_ENCRYPTION_KEY": generate_key(),
            "ACTIONPLANE_PROJECT": "acme",
            **redis_settings,
            **running_sandbox.environ(),
        }
    )
    run_cli("projects", "create", "acme", cwd=tmp_path, env=env)
    key = run_json("keys", "create", "--project", "acme", cwd=tmp_path, env=env)["key"]
    run_cli("sandbox", "connect", "--user", "alice", "--toolkits", "github", cwd=tmp_path, env=env)
    port = free_port()
    process = subprocess.Popen(
        [ACTIONPLANE, "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(
            "the server did not become ready: " + (process.stderr.read() if process.stderr else "")
        )
    try:
        yield url, key, env
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def test_fifty_requests_with_one_key_across_two_workers(
    server: tuple[str, str, dict[str, str]], running_sandbox: RunningSandbox
) -> None:
    url, key, _ = server
    running_sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="latency", latency_ms=600)
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "srv-1"}
    answers: list[httpx.Response] = []

    async def fire() -> None:
        # a fresh connection per request, so the load spreads over both workers
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            answers.append(
                await client.post(
                    "/v1/tools/GITHUB_CREATE_ISSUE/execute",
                    headers=headers,
                    json={"user_id": "alice", "arguments": ISSUE},
                )
            )

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(50):
                group.start_soon(fire)

    anyio.run(main)
    created = [e for e in running_sandbox.ledger("github") if "create" in e["operation"]]
    assert len(created) == 1
    ok = [a.json() for a in answers if a.status_code == 200]
    assert all(a.status_code in (200, 409) for a in answers)
    assert ok and all(body["data"] == ok[0]["data"] for body in ok)
    assert sum(not body["replayed"] for body in ok) == 1


def test_the_sdk_in_remote_mode_has_the_embedded_api(
    server: tuple[str, str, dict[str, str]], running_sandbox: RunningSandbox
) -> None:
    from actionplane import Plane, ToolNotFoundError

    url, key, _ = server
    with Plane(base_url=url, api_key=key) as plane:
        tools = plane.tools.list(toolkit="github")
        assert "GITHUB_CREATE_ISSUE" in {t.slug for t in tools}
        assert plane.tools.get("GITHUB_CREATE_ISSUE").behavior.read_only is False
        assert plane.tools.render("GITHUB_LIST_ISSUES", "mcp")["annotations"]["readOnlyHint"]
        with pytest.raises(ToolNotFoundError):
            plane.tools.get("GITHUB_CREATE_ISSUES")
        result = plane.tools.execute(
            "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", idempotency_key="remote-1"
        )
        assert result.successful
        again = plane.tools.execute(
            "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", idempotency_key="remote-1"
        )
        assert again.replayed
        invalid = plane.tools.execute("GITHUB_CREATE_ISSUE", {"owner": "o"}, user_id="alice")
        assert invalid.error is not None and invalid.error.category == "validation"
        [connection] = plane.connections.list(user_id="alice")
        assert connection.toolkit == "github" and connection.status.value == "ACTIVE"
        traced = plane.executions.list(trace_id=result.trace_id)
        assert [e.id for e in traced] == [result.execution_id]
        assert plane.dlq.list() == []
