"""Guarantees that must hold across a fleet: two worker processes sharing PostgreSQL and Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from actionplane import AsyncPlane
from actionplane.auth.vault import generate_key
from actionplane.testing import RunningSandbox
from tests.requirements import REPO

ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "Fleet-wide duplicate"}


def run_fleet(env: dict[str, str], specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start one worker per spec at once; return every envelope they printed."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.safety.fleet_worker", json.dumps(spec)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for spec in specs
    ]
    envelopes: list[dict[str, Any]] = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
        envelopes += json.loads(out)
    return envelopes


@pytest.fixture
async def fleet_env(
    sandbox: RunningSandbox, postgres_url: str, redis_settings: dict[str, str], tmp_path: Path
) -> dict[str, str]:
    """The environment two workers share, with alice connected through the sandbox's OAuth."""
    shared = {
        "ACTIONPLANE_DATABASE_URL": postgres_url,
        "ACTIONPLANE_ENCRYPTION_KEY": generate_key(),
        **redis_settings,
        **sandbox.environ(),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
    env.update(shared)
    for name, value in shared.items():
        os.environ[name] = value
    try:
        async with AsyncPlane() as plane:
            await sandbox.connect(plane, "alice", ["github"])
    finally:
        for name in shared:
            os.environ.pop(name, None)
    return env


def test_fifty_calls_with_one_key_over_two_processes_make_one_side_effect(
    fleet_env: dict[str, str], sandbox: RunningSandbox
) -> None:
    # Slow creates keep the first call in flight while the other 49 arrive.
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="latency", latency_ms=800)
    spec = {
        "tool": "GITHUB_CREATE_ISSUE",
        "arguments": ISSUE,
        "user": "alice",
        "idempotency_key": "fleet-1",
        "calls": 25,
        "start_at": time.time() + 3,
    }
    envelopes = run_fleet(fleet_env, [spec, spec])

    assert len(envelopes) == 50
    created = [e for e in sandbox.ledger("github") if "create" in str(e["operation"])]
    assert len(created) == 1
    succeeded = [e for e in envelopes if e["successful"]]
    conflicts = [e for e in envelopes if not e["successful"]]
    assert all(e["error"]["category"] == "idempotency_conflict" for e in conflicts)
    assert len({json.dumps(e["data"], sort_keys=True) for e in succeeded}) == 1
    assert sum(not e["replayed"] for e in succeeded) == 1
    assert str(succeeded[0]["data"]["number"]) == str(created[0]["resource_id"])


def test_breaker_state_is_shared_by_the_fleet(
    fleet_env: dict[str, str], sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(toolkit="github", kind="status", status=503)
    args = {"owner": "octocat", "repo": "hello-world"}
    tripping = {
        "tool": "GITHUB_LIST_ISSUES",
        "arguments": args,
        "user": "alice",
        "calls": 6,
        "start_at": time.time() + 2,
    }
    run_fleet(fleet_env, [tripping])
    sent = len(sandbox.requests("github"))
    later = {**tripping, "calls": 3, "start_at": time.time() + 2}
    envelopes = run_fleet(fleet_env, [later])  # a fresh process: only Redis knows
    assert [e["error"]["category"] for e in envelopes] == ["circuit_open"] * 3
    assert len(sandbox.requests("github")) == sent
