"""Chaos: 200 golden-workflow runs under random faults, driven by worker processes that are
SIGKILLed at random moments and replaced; then the sandbox ledger must hold exactly the records
of the runs that completed and of the needs_attention runs' ``pending`` lists, and nothing else.

Faults are ``probability=`` rules: each draws from its own stream seeded by the sandbox seed, and
the kill times come from a seeded ``random.Random``, so a failure reproduces closely (the order
in which concurrent workers reach the sandbox still varies).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio

from actionplane import AsyncPlane
from actionplane.auth.vault import generate_key
from actionplane.saga.golden import golden_lead
from actionplane.saga.model import FINAL, WorkflowRun
from actionplane.saga.worker import CALM_BREAKER, FAST_RETRIES, fast_policy
from actionplane.testing import start_sandbox
from tests.requirements import REPO
from tests.saga.conftest import GOLDEN_KITS

RUNS = 200
WORKERS = 3
KILLS = 6
LEASE_S = 1.5
SEED = 4242
# Resource ids of the records each write step creates, read from the step's stored answer.
CREATES = {
    "upsert_contact": ("salesforce", "Contact.create", "id"),
    "create_folder": ("google_drive", "files.create", "id"),
    "announce": ("slack", "messages.create", "ts"),
}
DELETES = {"Contact.delete", "files.delete", "messages.delete"}

FAULTS: list[dict[str, Any]] = [
    {"tool": "SALESFORCE_CREATE_CONTACT", "kind": "applied_then_fail", "status": 500},
    {"tool": "GOOGLE_DRIVE_CREATE_FOLDER", "kind": "status", "status": 503},
    {"tool": "GOOGLE_DRIVE_CREATE_FOLDER", "kind": "applied_then_fail", "status": 500},
    {"tool": "SLACK_POST_MESSAGE", "kind": "status", "status": 429, "retry_after": 0.05},
    {"tool": "SLACK_POST_MESSAGE", "kind": "applied_then_fail", "status": 500},
    {"tool": "SALESFORCE_DELETE_CONTACT", "kind": "status", "status": 503},
    {"tool": "GOOGLE_DRIVE_DELETE_FILE", "kind": "status", "status": 429, "retry_after": 0.05},
    {"toolkit": "salesforce", "kind": "latency", "latency_ms": 40},
    {"toolkit": "google_drive", "kind": "latency", "latency_ms": 60},
    {"toolkit": "slack", "kind": "status", "status": 503},
]
PROBABILITIES = [0.08, 0.25, 0.06, 0.12, 0.06, 0.35, 0.3, 0.15, 0.15, 0.05]


def _spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "actionplane.saga.worker", "work"],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=sink,
        )


def _live_records(ledger: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(toolkit, resource id) of every record created and not deleted, with its copies."""
    live: Counter[tuple[str, str]] = Counter()
    for entry in ledger:
        key = (entry["toolkit"], str(entry["resource_id"]))
        if entry["operation"] in DELETES:
            live.pop(key, None)
        elif entry["operation"].endswith(".create"):
            live[key] += 1
    return live


def _records_of(run: WorkflowRun) -> set[tuple[str, str]]:
    """The records a completed run's write steps created."""
    found = set()
    for step in run.steps:
        if step.name in CREATES and step.status == "succeeded":
            toolkit, _, field = CREATES[step.name]
            # a step settled by its lookup holds the provider's own record (Salesforce: "Id")
            value = step.result.get(field) or step.result.get(field.capitalize())
            found.add((toolkit, str(value)))
    return found


def _pending_records(run: WorkflowRun) -> set[tuple[str, str]]:
    """The records a needs_attention run lists as left behind."""
    found = set()
    for left in run.pending or []:
        toolkit, _, field = CREATES[left["step"]]
        result = left.get("result") or {}
        found.add((toolkit, str(result.get(field))))
    return found


async def test_two_hundred_runs_survive_faults_and_killed_workers(tmp_path: Path) -> None:
    chance = random.Random(SEED)
    started = time.monotonic()
    with start_sandbox(seed=SEED) as sandbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
        env.update(
            sandbox.environ(),
            ACTIONPLANE_DATABASE_URL=f"sqlite:///{tmp_path / 'chaos.db'}",
            ACTIONPLANE_ENCRYPTION_KEY=generate_key(),
            SAGA_USER="alice",
            SAGA_LEASE_S=str(LEASE_S),
            SAGA_CONCURRENCY="6",
        )
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            async with AsyncPlane(retry_policy=FAST_RETRIES, breaker_policy=CALM_BREAKER) as plane:
                plane.workflows.policy = fast_policy(LEASE_S)
                await sandbox.connect(plane, "alice", GOLDEN_KITS)
                for rule, probability in zip(FAULTS, PROBABILITIES, strict=True):
                    sandbox.add_fault(**rule, probability=probability)
                ids = [f"chaos_{i:03d}" for i in range(RUNS)]
                for i, run_id in enumerate(ids):
                    lead = {"email": f"lead{i:03d}@chaos-{i % 7}.example", "name": f"Lead {i}"}
                    await plane.workflows.start(
                        golden_lead, lead, user_id="alice", run_id=run_id, wait=False
                    )

                workers = [_spawn(env, tmp_path / "workers.log") for _ in range(WORKERS)]
                kills = 0
                deadline = time.monotonic() + 80
                runs: list[WorkflowRun] = []
                try:
                    while time.monotonic() < deadline:
                        await anyio.sleep(chance.uniform(0.4, 1.6) if kills < KILLS else 0.3)
                        active = await plane.workflows.list(status="running", limit=RUNS)
                        active += await plane.workflows.list(status="compensating", limit=RUNS)
                        if kills < KILLS:
                            victim = chance.randrange(len(workers))
                            os.kill(workers[victim].pid, signal.SIGKILL)
                            workers[victim].wait(timeout=10)
                            workers[victim] = _spawn(env, tmp_path / "workers.log")
                            kills += 1
                        elif not active:
                            break
                    runs = [await plane.workflows.get(run_id) for run_id in ids]
                finally:
                    for worker in workers:
                        worker.kill()
                        worker.wait(timeout=10)
                ledger = [e for e in sandbox.ledger() if e["toolkit"] in GOLDEN_KITS]
        finally:
            os.environ.clear()
            os.environ.update(saved)

    outcomes = Counter(r.status for r in runs)
    elapsed = time.monotonic() - started
    print(f"\nchaos: {RUNS} runs, {kills} kills, {dict(outcomes)}, {elapsed:.1f}s")
    assert kills >= 5
    assert all(r.status in FINAL for r in runs), outcomes
    assert set(outcomes) <= {"completed", "compensated", "needs_attention"}, outcomes
    assert outcomes["completed"] and outcomes["compensated"], outcomes
    assert sum(r.pickups > 1 for r in runs) >= 5, "the kills interrupted runs"

    live = _live_records(ledger)
    expected: set[tuple[str, str]] = set()
    for run in runs:
        if run.status == "completed":
            mine = _records_of(run)
            assert len(mine) == 3, (run.id, run.steps)
            expected |= mine
        elif run.status == "needs_attention":
            listed = _pending_records(run)
            assert listed, (run.id, run.pending)
            expected |= listed
    duplicates = {k: n for k, n in live.items() if n > 1}
    assert not duplicates, f"records created twice: {duplicates}"
    orphans = set(live) - expected
    assert not orphans, f"records left behind by no completed or listed step: {orphans}"
    missing = expected - set(live)
    assert not missing, f"records completed or listed as pending but not in the ledger: {missing}"
