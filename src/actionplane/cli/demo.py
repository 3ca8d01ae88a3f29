"""``actionplane demo``: the golden workflow against an in-process sandbox, end to end.

Three runs: a clean run; a run whose Google Drive step fails (503 until retries run out) so the
Salesforce contact it created is deleted by compensation; and a run started by a separate worker
process that is killed (SIGKILL) in the middle of the Drive call, then resumed by this process.
Prints each run's steps and undos and the sandbox ledger; exits 0 only if all three runs end as
expected with no orphaned record.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import typer

from actionplane.cli.output import console, print_table
from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.retry import RetryPolicy
from actionplane.errors import CallerError
from actionplane.saga.golden import golden_lead
from actionplane.saga.model import WorkflowRun
from actionplane.settings import Settings

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane
    from actionplane.testing import RunningSandbox

LEAD = {"email": "ada@analytical-engines.com", "name": "Ada Lovelace"}
SECOND = {"email": "grace@cobol.dev", "name": "Grace Hopper"}
THIRD = {"email": "katherine@nasa.gov", "name": "Katherine Johnson"}
KITS = ["salesforce", "google_drive", "slack"]
CRASH_RUN = "run_demo_killed"
WORKER_LEASE_S = 1.0
SLOW_DRIVE_MS = 800.0
GOLDEN_EFFECTS = {"Contact.create": 1, "files.create": 1, "messages.create": 1}


def _show(title: str, run: WorkflowRun) -> None:
    console.print(
        f"\n[bold]{title}[/]: run {run.id} -> [bold]{run.status}[/] (picked up {run.pickups}x)"
    )
    print_table(
        "steps",
        ["#", "step", "tool", "status", "attempts", "trace", "undo", "undone"],
        [
            [
                s.seq,
                s.name,
                s.tool,
                s.status,
                s.attempts,
                (s.trace_id or "")[:8],
                (s.compensation or {}).get("tool"),
                "done" if s.status == "compensated" else s.status if s.undo_attempts else "",
            ]
            for s in run.steps
        ],
    )
    if run.error:
        console.print(f"failed at [bold]{run.error.get('step')}[/]: {run.error.get('message')}")


def _ledger(entries: list[dict[str, Any]]) -> None:
    print_table(
        "sandbox ledger (side effects applied, oldest first)",
        ["toolkit", "operation", "resource"],
        [[e["toolkit"], e["operation"], e["resource_id"]] for e in entries],
    )


def _worker_env(sandbox: RunningSandbox, settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
    env.update(sandbox.environ())
    env.update(
        ACTIONPLANE_DATABASE_URL=settings.database_url,
        ACTIONPLANE_KEY_FILE=str(settings.key_file.resolve()),
        ACTIONPLANE_PROJECT=settings.project,
        SAGA_USER="demo-user",
        SAGA_LEASE_S=str(WORKER_LEASE_S),
    )
    return env


def _spawn_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "actionplane.saga.worker", "start", CRASH_RUN, json.dumps(THIRD)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


async def _killed_and_resumed(
    plane: AsyncPlane, sandbox: RunningSandbox, settings: Settings
) -> tuple[WorkflowRun, bool]:
    """Run 3: a worker process starts the run and is SIGKILLed while its Drive call is in
    flight (the contact is already created); this process then resumes the run."""
    sandbox.clear_faults()
    sandbox.add_fault(
        toolkit="google_drive",
        tool="GOOGLE_DRIVE_CREATE_FOLDER",
        kind="latency",
        latency_ms=SLOW_DRIVE_MS,
        count=1,
    )
    worker = _spawn_worker(_worker_env(sandbox, settings))
    killed_at: WorkflowRun | None = None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and worker.poll() is None:
            try:
                run = await plane.workflows.get(CRASH_RUN)
            except CallerError:  # not created yet
                run = None
            states = {s.name: s.status for s in run.steps} if run else {}
            if states.get("upsert_contact") == "succeeded" and "create_folder" in states:
                os.kill(worker.pid, signal.SIGKILL)
                killed_at = run
                break
            await anyio.sleep(0.01)
    finally:
        if worker.poll() is None and killed_at is None:
            worker.kill()
        _, err = worker.communicate(timeout=10)
    killed = killed_at is not None and worker.returncode == -signal.SIGKILL
    if not killed:
        console.print(f"[red]the worker was not killed mid-run[/] (exit {worker.returncode})")
        console.print(err[-2000:])
        return await plane.workflows.get(CRASH_RUN), False
    run = await plane.workflows.get(CRASH_RUN)
    done = ", ".join(f"{s.name} {s.status}" for s in run.steps)
    console.print(
        f"\n[bold]3. worker process {worker.pid} killed with SIGKILL mid-run[/]: "
        f"run {run.id} is {run.status}, steps: {done}"
    )
    # Its lease must run out, and the Drive call it left in flight land, before we resume.
    resume_at = max(run.lease_until or 0.0, time.time() + SLOW_DRIVE_MS / 1000) + 0.05
    console.print(f"resuming it in this process (pid {os.getpid()}) once its lease has expired")
    await anyio.sleep(max(0.0, resume_at - time.time()))
    await plane.workflows.recover()
    return await plane.workflows.get(CRASH_RUN), True


async def _demo(workdir: Path) -> bool:
    from actionplane.plane import AsyncPlane
    from actionplane.testing import start_sandbox

    with start_sandbox(seed=7) as sandbox:
        os.environ.update(sandbox.environ())
        settings = Settings(
            database_url=f"sqlite:///{workdir / 'demo.db'}", key_file=workdir / "demo.key"
        )
        async with AsyncPlane(
            settings=settings,
            retry_policy=RetryPolicy(max_attempts=3, base_delay_s=0.05, max_delay_s=0.2),
            breaker_policy=BreakerPolicy(window_size=50, minimum_calls=50),
        ) as plane:
            plane.workflows.register(golden_lead)
            await sandbox.connect(plane, "demo-user", KITS)
            clean = await plane.workflows.start(golden_lead, LEAD, user_id="demo-user")
            _show("1. clean run", clean)
            first = len(sandbox.ledger())

            sandbox.add_fault(toolkit="google_drive", tool="GOOGLE_DRIVE_CREATE_FOLDER", status=503)
            failed = await plane.workflows.start(golden_lead, SECOND, user_id="demo-user")
            _show("2. Google Drive answers 503 until retries run out", failed)
            second = len(sandbox.ledger())

            resumed, killed = await _killed_and_resumed(plane, sandbox, settings)
            _show("3. killed mid-run, resumed by another process", resumed)
            ledger = sandbox.ledger()
            _ledger(ledger)
    created = Counter(e["operation"] for e in ledger[:first])
    rolled_back = Counter(e["operation"] for e in ledger[first:second])
    recovered = Counter(e["operation"] for e in ledger[second:])
    checks = {
        "run 1 completed": clean.status == "completed" and created == GOLDEN_EFFECTS,
        "run 2 compensated with no orphaned record": failed.status == "compensated"
        and rolled_back == {"Contact.create": 1, "Contact.delete": 1},
        "run 3 killed, resumed and completed, each record once": killed
        and resumed.status == "completed"
        and resumed.pickups >= 2
        and recovered == GOLDEN_EFFECTS,
    }
    console.print()
    for label, passed in checks.items():
        verdict = "[green]as expected[/]" if passed else "[red]NOT as expected[/]"
        console.print(f"{label}: {verdict}")
    return all(checks.values())


def demo() -> None:
    """Run the golden workflow (Salesforce -> Google Drive -> Slack) against a sandbox three
    times: cleanly, with Drive failing (rollback), and with its worker process killed mid-run."""
    saved = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory(prefix="actionplane-demo-") as workdir:
            ok = anyio.run(_demo, Path(workdir))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    raise typer.Exit(0 if ok else 1)
