"""``actionplane sandbox`` in its own process, ``sandbox connect`` and a call from another."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLI = [str(Path(sys.executable).parent / "actionplane")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [*CLI, "sandbox", "--port", str(port), "--seed", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/_sandbox/health").json()["seed"] == 3:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("actionplane sandbox did not start")
                time.sleep(0.1)
        env = {
            **os.environ,
            "ACTIONPLANE_SANDBOX_URL": url,
            "ACTIONPLANE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        }
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_connect_then_execute_from_other_processes(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    connect = subprocess.run(
        [*CLI, "sandbox", "connect", "--user", "alice", "--toolkits", "github,stripe"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert connect.returncode == 0, connect.stderr
    listed = subprocess.run(
        [*CLI, "connections", "list", "--user", "alice", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    kinds = {(c["toolkit"], c["auth_type"], c["status"]) for c in json.loads(listed.stdout)}
    assert kinds == {("github", "oauth2", "ACTIVE"), ("stripe", "api_key", "ACTIVE")}

    created = subprocess.run(
        [
            *CLI,
            "execute",
            "GITHUB_CREATE_ISSUE",
            "--user",
            "alice",
            "--json",
            "--args",
            '{"owner": "octocat", "repo": "hello-world", "title": "From the CLI"}',
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    assert json.loads(created.stdout)["data"]["title"] == "From the CLI"
    ledger = httpx.get(url + "/_sandbox/ledger").json()
    assert [(e["toolkit"], e["operation"]) for e in ledger] == [("github", "issues.create")]
