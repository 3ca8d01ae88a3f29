"""``actionplane demo``: the golden workflow against an in-process sandbox, end to end.

A clean run, then a run whose Google Drive step fails (503 until retries run out) so the
Salesforce contact it created is deleted by compensation. Prints each run's steps and undos
and the sandbox ledger; exits 0 only if both runs end as expected with no orphaned record.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import typer

from actionplane.cli.output import console, print_table
from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.retry import RetryPolicy
from actionplane.saga.golden import golden_lead
from actionplane.saga.model import WorkflowRun
from actionplane.settings import Settings

LEAD = {"email": "ada@analytical-engines.com", "name": "Ada Lovelace"}
KITS = ["salesforce", "google_drive", "slack"]


def _show(title: str, run: WorkflowRun) -> None:
    console.print(f"\n[bold]{title}[/]: run {run.id} -> [bold]{run.status}[/]")
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
            await sandbox.connect(plane, "demo-user", KITS)
            clean = await plane.workflows.start(golden_lead, LEAD, user_id="demo-user")
            _show("1. clean run", clean)
            before = len(sandbox.ledger())

            sandbox.add_fault(toolkit="google_drive", tool="GOOGLE_DRIVE_CREATE_FOLDER", status=503)
            second = {"email": "grace@cobol.dev", "name": "Grace Hopper"}
            failed = await plane.workflows.start(golden_lead, second, user_id="demo-user")
            _show("2. Google Drive answers 503 until retries run out", failed)
            ledger = sandbox.ledger()
            _ledger(ledger)
    rolled_back = Counter(e["operation"] for e in ledger[before:])
    ok = (
        clean.status == "completed"
        and failed.status == "compensated"
        and rolled_back == {"Contact.create": 1, "Contact.delete": 1}
    )
    verdict = "[green]as expected[/]" if ok else "[red]NOT as expected[/]"
    console.print(f"\nrun 1 completed, run 2 compensated with no orphaned record: {verdict}")
    return ok


def demo() -> None:
    """Run the golden workflow (Salesforce -> Google Drive -> Slack) against a sandbox, once
    cleanly and once with Drive failing, and show the rollback."""
    saved = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory(prefix="actionplane-demo-") as workdir:
            ok = anyio.run(_demo, Path(workdir))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    raise typer.Exit(0 if ok else 1)
