"""``actionplane trace`` and ``actionplane executions``: why did the agent do that?"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.tree import Tree

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.plane import Plane

executions_app = typer.Typer(help="The execution log.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).strftime("%H:%M:%S.%f")[:-3]


def _status(record: Any) -> str:
    colour = "green" if record.status == "succeeded" else "red"
    return f"[{colour}]{record.outcome}[/]"


def trace(trace_id: str, as_json: JsonFlag = False) -> None:
    """Print a trace as a tree: tool calls, their attempts and upstream answers."""
    with Plane() as plane:
        records = plane.executions.list(trace_id=trace_id, limit=1000)
    if not records:
        fail(f"no executions in trace {trace_id}")
    if as_json:
        print_json([r.__dict__ for r in records])
        return
    root = Tree(f"trace [bold]{trace_id}[/]")
    for record in records:
        flags = " [yellow]replayed[/]" if record.replayed else ""
        call = root.add(
            f"{_when(record.started_at)} [bold]{record.tool}[/]@{record.tool_version} "
            f"for {record.user_id}: {_status(record)}{flags}  "
            f"({record.duration_ms:.0f} ms, {record.attempts} attempts, {record.id})"
        )
        for attempt in record.attempt_log or []:
            code = attempt.get("status_code") or "-"
            waited = attempt.get("delay_before_s") or 0
            call.add(
                f"attempt {attempt['number']}: HTTP {code} -> {attempt['outcome']} "
                f"after waiting {waited:.2f}s, {attempt['duration_ms']:.0f} ms"
                + (f"  {attempt['message']}" if attempt.get("message") else "")
            )
        if record.error:
            call.add(f"[red]{record.error.get('category')}[/]: {record.error.get('message')}")
        if record.dead_letter_id:
            call.add(f"dead-lettered as {record.dead_letter_id}")
    console.print(root, highlight=False)


@executions_app.command("list")
def executions_list(
    trace_id: Annotated[str | None, typer.Option("--trace", help="One trace id.")] = None,
    user: Annotated[str | None, typer.Option(help="One end user.")] = None,
    tool: Annotated[str | None, typer.Option(help="One tool slug.")] = None,
    status: Annotated[str | None, typer.Option(help="succeeded or failed.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List executions, newest first."""
    with Plane() as plane:
        records = plane.executions.list(
            trace_id=trace_id, user_id=user, tool=tool, status=status, limit=limit
        )
    if as_json:
        print_json([r.__dict__ for r in records])
        return
    print_table(
        f"{len(records)} executions",
        ["id", "time", "tool", "user", "outcome", "attempts", "ms", "trace"],
        [
            [
                r.id,
                _when(r.started_at),
                r.tool,
                r.user_id,
                r.outcome,
                r.attempts,
                f"{r.duration_ms:.0f}",
                r.trace_id,
            ]
            for r in records
        ],
    )
