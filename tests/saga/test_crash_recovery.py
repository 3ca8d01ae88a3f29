"""A worker process killed (SIGKILL) in the middle of a run; another process finishes it, or
finishes rolling it back, with exactly one side effect per step in the sandbox ledger."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from actionplane import AsyncPlane
from actionplane.auth.vault import generate_key
from actionplane.testing import RunningSandbox
from tests.requirements import REPO
from tests.saga.conftest import GOLDEN_KITS, effects

LEAD = {"email": "grace@cobol.dev", "name": "Grace Hopper"}


@pytest.fixture
async def worker_env(sandbox: RunningSandbox, database_url: str) -> dict[str, str]:
    """The environment the workers share, with alice connected through the sandbox."""
    shared = {
        "ACTIONPLANE_DATABASE_URL": database_url,
        "ACTIONPLANE_ENCRYPTION_KEY": generate_key(),
        "SAGA_LEASE_S": "1.5",
        **sandbox.environ(),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
    env.update(shared)
    os.environ.update(shared)
    try:
        async with AsyncPlane() as plane:
            await sandbox.connect(plane, "alice", GOLDEN_KITS)
    finally:
        for name in shared:
            os.environ.pop(name, None)
    return env


def spawn(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.saga.saga_worker", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def recover(env: dict[str, str]) -> list[dict[str, Any]]:
    worker = spawn(env, "recover")
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err[-3000:]
    runs: list[dict[str, Any]] = json.loads(out)
    return runs


async def kill_when(env: dict[str, str], run_id: str, ready: Any) -> None:
    """Start the run in a worker and SIGKILL it once ``ready(run)`` holds."""
    worker = spawn(env, "start", run_id, json.dumps(LEAD))
    os.environ["ACTIONPLANE_DATABASE_URL"] = env["ACTIONPLANE_DATABASE_URL"]
    os.environ["ACTIONPLANE_ENCRYPTION_KEY"] = env["ACTIONPLANE_ENCRYPTION_KEY"]
    try:
        async with AsyncPlane() as plane:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    run = await plane.workflows.get(run_id)
                except Exception:
                    run = None
                if run is not None and ready(run):
                    break
                assert worker.poll() is None, worker.communicate()[1][-3000:]
                await anyio.sleep(0.02)
            await anyio.sleep(0.3)  # well inside the next (slowed) call
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            killed = await plane.workflows.get(run_id)
            assert not killed.finished, "the worker was killed mid-run"
    finally:
        os.environ.pop("ACTIONPLANE_DATABASE_URL", None)
        os.environ.pop("ACTIONPLANE_ENCRYPTION_KEY", None)
    worker.communicate()
    await anyio.sleep(1.6)  # the dead worker's lease runs out


async def test_a_run_killed_between_steps_is_finished_by_another_process(
    worker_env: dict[str, str], sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.add_fault(
        toolkit="google_drive", tool="GOOGLE_DRIVE_CREATE_FOLDER", kind="latency", latency_ms=1000
    )

    def contact_done(run: Any) -> bool:
        return any(s.name == "upsert_contact" and s.status == "succeeded" for s in run.steps)

    await kill_when(worker_env, "run_killed_forward", contact_done)
    runs = recover(worker_env)
    assert [(r["id"], r["status"]) for r in runs] == [("run_killed_forward", "completed")]
    assert runs[0]["pickups"] == 2
    ops = Counter(op for _, op, _ in effects(sandbox))
    assert ops == {"Contact.create": 1, "files.create": 1, "messages.create": 1}


async def test_a_run_killed_mid_compensation_is_rolled_back_by_another_process(
    worker_env: dict[str, str], sandbox: RunningSandbox
) -> None:
    sandbox.add_fault(toolkit="google_drive", tool="GOOGLE_DRIVE_CREATE_FOLDER", status=503)
    sandbox.add_fault(tool="SALESFORCE_DELETE_CONTACT", kind="latency", latency_ms=1000)

    await kill_when(worker_env, "run_killed_undo", lambda run: run.status == "compensating")
    runs = recover(worker_env)
    assert [(r["id"], r["status"]) for r in runs] == [("run_killed_undo", "compensated")]
    contact = next(s for s in runs[0]["steps"] if s["name"] == "upsert_contact")
    assert [(op, rid) for _, op, rid in effects(sandbox)] == [
        ("Contact.create", contact["result"]["id"]),
        ("Contact.delete", contact["result"]["id"]),
    ]
