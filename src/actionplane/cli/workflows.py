"""``actionplane workflows`` and ``actionplane runs``: start YAML workflows, inspect, resume and
roll back durable runs (any process sharing the database can operate on any run)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.errors import ActionplaneError
from actionplane.plane import Plane
from actionplane.saga.golden import golden_lead
from actionplane.saga.model import WorkflowRun

workflows_app = typer.Typer(help="Workflows: list them, run a YAML workflow.", no_args_is_help=True)
runs_app = typer.Typer(help="Workflow runs: list, show, resume, compensate.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _plane() -> Plane:
    try:
        plane = Plane()
    except ActionplaneError as error:
        fail(error.message)
    # Code workflows must be registered to be resumed; the built-in golden one always is.
    plane.workflows.register(golden_lead)
    return plane


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def _undo_state(status: str, undo_attempts: int) -> str:
    if status == "compensated":
        return "undone"
    if status == "undo_failed":
        return f"NOT undone ({undo_attempts} tries)"
    return f"{undo_attempts} tries" if undo_attempts else ""


def show_run(run: WorkflowRun) -> None:
    """A run for people: its header, its steps with their undos, and what remains undone."""
    console.print(
        f"[bold]{run.id}[/] {run.workflow} for {run.user_id}: [bold]{run.status}[/] "
        f"(pickups {run.pickups}, started {_when(run.created_at)})",
        highlight=False,
    )
    print_table(
        "steps",
        ["#", "step", "tool", "status", "attempts", "trace", "undo", "undo status"],
        [
            [
                s.seq,
                s.name + (" (pivot)" if s.pivot else ""),
                s.tool,
                s.status,
                s.attempts,
                s.trace_id,
                (s.compensation or {}).get("tool"),
                _undo_state(s.status, s.undo_attempts),
            ]
            for s in run.steps
        ],
    )
    if run.error:
        console.print(
            f"failed at [bold]{run.error.get('step', '-')}[/]: {run.error.get('message')}",
            highlight=False,
        )
    if run.pending:
        print_table(
            "remains undone",
            ["step", "tool", "reason", "undo", "record"],
            [
                [
                    p["step"],
                    p["tool"],
                    p["reason"],
                    (p.get("compensation") or {}).get("tool"),
                    json.dumps(p.get("result"), default=str)[:80],
                ]
                for p in run.pending
            ],
        )
    if run.output is not None:
        console.print(f"output: {json.dumps(run.output, default=str)}", highlight=False)


def _emit(run: WorkflowRun, as_json: bool) -> None:
    if as_json:
        print_json(run.as_json())
    else:
        show_run(run)


@workflows_app.command("list")
def workflows_list(as_json: JsonFlag = False) -> None:
    """Workflows this CLI can resume, and every workflow that has runs, with their statuses."""
    with _plane() as plane:
        known = {w.name: w for w in plane.workflows.registered()}
        runs = plane.workflows.list(limit=10_000)
    counts: dict[str, Counter[str]] = {name: Counter() for name in known}
    for run in runs:
        counts.setdefault(run.workflow, Counter())[run.status] += 1
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "registered": name in known,
            "description": known[name].description if name in known else "",
            "runs": dict(counts[name]),
        }
        for name in sorted(counts)
    ]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} workflows",
        ["name", "registered here", "runs by status", "description"],
        [
            [
                r["name"],
                "yes" if r["registered"] else "no (YAML runs resume from their stored definition)",
                ", ".join(f"{k} {v}" for k, v in sorted(r["runs"].items())) or "-",
                r["description"],
            ]
            for r in rows
        ],
    )


@workflows_app.command("run")
def workflows_run(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A YAML workflow.")],
    user: Annotated[str, typer.Option("--user", help="The end user the steps act for.")],
    input: Annotated[str, typer.Option("--input", help="The run's input as JSON.")] = "{}",
    run_id: Annotated[str | None, typer.Option(help="Idempotent start under this id.")] = None,
    wait: Annotated[bool, typer.Option(help="Drive the run to its end here.")] = True,
    as_json: JsonFlag = False,
) -> None:
    """Start a YAML workflow; exits 1 unless the run completed (or was left for a worker)."""
    try:
        arguments: Any = json.loads(input)
    except json.JSONDecodeError as error:
        fail(f"--input is not JSON: {error}")
    with _plane() as plane:
        try:
            loaded = plane.workflows.load(file)
            run = plane.workflows.start(loaded, arguments, user_id=user, run_id=run_id, wait=wait)
        except ActionplaneError as error:
            fail(error.message)
    _emit(run, as_json)
    if wait and run.status != "completed":
        raise typer.Exit(1)


@runs_app.command("list")
def runs_list(
    status: Annotated[str | None, typer.Option(help="Only runs with this status.")] = None,
    workflow: Annotated[str | None, typer.Option(help="Only runs of this workflow.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """List workflow runs, newest first."""
    with _plane() as plane:
        runs = plane.workflows.list(status=status, workflow=workflow, limit=limit)
    if as_json:
        print_json([r.as_json() for r in runs])
        return
    print_table(
        f"{len(runs)} runs",
        ["id", "workflow", "user", "status", "failed at", "left undone", "started"],
        [
            [
                r.id,
                r.workflow,
                r.user_id,
                r.status,
                (r.error or {}).get("step"),
                len(r.pending or []) or "",
                _when(r.created_at),
            ]
            for r in runs
        ],
    )


@runs_app.command("show")
def runs_show(run_id: str, as_json: JsonFlag = False) -> None:
    """One run: its steps, their statuses and undos, and what remains undone."""
    with _plane() as plane:
        try:
            run = plane.workflows.get(run_id)
        except ActionplaneError as error:
            fail(error.message)
    _emit(run, as_json)


@runs_app.command("resume")
def runs_resume(run_id: str, as_json: JsonFlag = False) -> None:
    """Continue a run nobody holds, or retry the undos of a run that needs attention."""
    with _plane() as plane:
        try:
            run = plane.workflows.resume(run_id)
        except ActionplaneError as error:
            fail(error.message)
    _emit(run, as_json)


@runs_app.command("compensate")
def runs_compensate(run_id: str, as_json: JsonFlag = False) -> None:
    """Roll a run back now (a stalled or a completed one); exits 1 if something stays undone."""
    with _plane() as plane:
        try:
            run = plane.workflows.compensate(run_id)
        except ActionplaneError as error:
            fail(error.message)
    _emit(run, as_json)
    if run.status == "needs_attention":
        raise typer.Exit(1)
