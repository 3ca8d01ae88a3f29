"""``actionplane dlq``: inspect, replay and discard dead-lettered calls."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import typer

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.errors import ActionplaneError
from actionplane.plane import Plane

dlq_app = typer.Typer(
    help="Dead-lettered calls: list, show, replay, discard.", no_args_is_help=True
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


@dlq_app.command("list")
def dlq_list(
    status: Annotated[
        str | None, typer.Option(help="pending, replaying, replayed or discarded.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """List dead-lettered calls, newest first."""
    with Plane() as plane:
        entries = plane.dlq.list(status=status, limit=limit)
    if as_json:
        print_json([e.as_json() for e in entries])
        return
    print_table(
        f"{len(entries)} dead-lettered calls",
        ["id", "tool", "user", "reason", "status", "attempts", "next redrive", "error"],
        [
            [
                e.id,
                e.tool,
                e.user_id,
                e.reason,
                e.status,
                e.attempts,
                _when(e.next_attempt_at) if e.auto_redrive else "manual",
                (e.error or {}).get("message", ""),
            ]
            for e in entries
        ],
    )


@dlq_app.command("show")
def dlq_show(entry_id: str, as_json: JsonFlag = False) -> None:
    """Everything stored about one entry (arguments, key, error, attempts)."""
    with Plane() as plane:
        try:
            entry = plane.dlq.get(entry_id)
        except ActionplaneError as error:
            fail(error.message)
    if as_json:
        print_json(entry.as_json())
        return
    for name, value in entry.as_json().items():
        console.print(f"[bold]{name}[/]: {value}", highlight=False)


@dlq_app.command("replay")
def dlq_replay(entry_id: str, as_json: JsonFlag = False) -> None:
    """Run an entry again under its original idempotency key."""
    with Plane() as plane:
        try:
            result = plane.dlq.replay(entry_id)
        except ActionplaneError as error:
            fail(error.message)
    if as_json:
        print_json(result.model_dump(mode="json"))
    elif result.successful:
        console.print(f"{entry_id} replayed: succeeded (execution {result.execution_id})")
    else:
        assert result.error is not None
        console.print(
            f"{entry_id} replayed: failed ({result.error.category}: {result.error.message})",
            highlight=False,
        )
    if not result.successful:
        raise typer.Exit(1)


@dlq_app.command("discard")
def dlq_discard(entry_id: str) -> None:
    """Give up on a pending entry (it stays listed as discarded)."""
    with Plane() as plane:
        try:
            plane.dlq.discard(entry_id)
        except ActionplaneError as error:
            fail(error.message)
    console.print(f"{entry_id} discarded")


@dlq_app.command("redrive")
def dlq_redrive(
    watch: Annotated[
        bool, typer.Option(help="Keep running, redriving entries as they fall due.")
    ] = False,
    interval: Annotated[float, typer.Option(help="Seconds between checks with --watch.")] = 5.0,
) -> None:
    """Replay the entries whose automatic redrive time has come (durable: state is in the DB)."""
    with Plane() as plane:
        while True:
            results = plane.dlq.redrive_due()
            for result in results:
                state = "succeeded" if result.successful else "failed"
                console.print(f"redrove {result.tool}: {state}")
            if not watch:
                console.print(f"{len(results)} entries redriven")
                return
            time.sleep(interval)
