"""``actionplane dashboard``, ``actionplane stats``, ``actionplane dlq replay-all`` and
``actionplane connections reconnect``: the dashboard, and the terminal side of what it shows
and does."""

from __future__ import annotations

import datetime as dt
import webbrowser
from typing import Annotated, Any

import anyio
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.dashboard.bulk import entries_to_replay, replay_many
from actionplane.dashboard.stats import MAX_MINUTES, overview
from actionplane.errors import ActionplaneError
from actionplane.plane import AsyncPlane, Plane

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def dashboard(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8788,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="ACTIONPLANE_ADMIN_TOKEN",
            help="The admin token to sign in with (default: a new one, printed once).",
            show_default=False,
        ),
    ] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open it in a browser.")] = False,
) -> None:
    """Serve the dashboard on this machine's database (the embedded plane's project), signed in
    with a local admin token or a project API key."""
    import uvicorn

    from actionplane.dashboard.embedded import embedded_app, new_admin_token
    from actionplane.saga.golden import golden_lead

    if token is not None and len(token) < 16:
        fail("ACTIONPLANE_ADMIN_TOKEN must have at least 16 characters")
    if host not in LOOPBACK:
        console.print(
            f"[yellow]warning:[/] listening on {host}: anyone who can reach it and has the "
            "token acts for this project; put TLS in front of it",
            highlight=False,
        )
    admin = token or new_admin_token()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    try:
        plane = AsyncPlane()
    except ActionplaneError as error:
        fail(error.message)
    # As in `actionplane runs`: code workflows must be registered to be resumed.
    plane.workflows.register(golden_lead)

    async def run() -> None:
        config = uvicorn.Config(embedded_app(admin, plane), host=host, port=port, log_level="info")
        try:
            await uvicorn.Server(config).serve()
        finally:
            await plane.aclose()

    console.print(f"dashboard for project [bold]{plane.project_id}[/] at {url}", highlight=False)
    if token is None:
        console.print(f"admin token (shown once): [bold]{admin}[/]", highlight=False)
        console.print(f"sign in directly: {url}#token={admin}", highlight=False, soft_wrap=True)
    if open_browser:
        webbrowser.open(f"{url}#token={admin}")
    anyio.run(run)


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).strftime("%H:%M")


def stats(
    minutes: Annotated[int, typer.Option(min=1, max=MAX_MINUTES, help="How far back.")] = 15,
    as_json: JsonFlag = False,
) -> None:
    """The dashboard's overview in the terminal: calls, success rate, latency, retries,
    rate-limit waits, breakers, DLQ depth and runs needing attention."""

    async def run() -> dict[str, Any]:
        async with AsyncPlane() as plane:
            return await overview(plane, minutes)

    found = anyio.run(run)
    if as_json:
        print_json(found)
        return
    rate = found["success_rate"]
    latency = found["latency_ms"]
    print_table(
        f"last {minutes} min, project {found['project']}",
        ["calls", "success", "p50 ms", "p99 ms", "retries", "rate-limit waits", "DLQ", "attention"],
        [
            [
                found["calls"],
                "-" if rate is None else f"{rate:.1%}",
                "-" if latency["p50"] is None else f"{latency['p50']:.0f}",
                "-" if latency["p99"] is None else f"{latency['p99']:.0f}",
                found["retries"],
                found["rate_limit_waits"],
                found["dlq_pending"],
                found["runs_needing_attention"],
            ]
        ],
    )
    busy = [m for m in found["per_minute"] if m["calls"]]
    if busy:
        print_table(
            "calls per minute",
            ["minute", "calls", "failed"],
            [[_when(m["minute"]), m["calls"], m["failed"]] for m in busy],
        )
    if found["breakers"]:
        print_table(
            "breakers (this process)",
            ["provider", "state", "retry in s"],
            [[b["provider"], b["state"], b["retry_in_s"]] for b in found["breakers"]],
        )


def dlq_replay_all(
    entry: Annotated[
        list[str] | None, typer.Option("--id", help="Only this entry (repeat); default: all.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Replay every pending entry (or the given ones), oldest first, each under its original
    idempotency key, with a progress bar; exits 1 if any failed."""

    async def run() -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = []
        async with AsyncPlane() as plane:
            ids = await entries_to_replay(plane, entry)
            with Progress(
                TextColumn("replaying"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                disable=as_json or not ids,
            ) as bar:
                task = bar.add_task("replay", total=len(ids))
                async for progress in replay_many(plane, ids):
                    done.append(progress.as_json())
                    bar.advance(task)
        return done

    results = anyio.run(run)
    if as_json:
        print_json(results)
    else:
        print_table(
            f"{len(results)} entries replayed",
            ["entry", "outcome", "execution", "message"],
            [[r["entry_id"], r["outcome"], r["execution_id"], r["message"]] for r in results],
        )
    if any(r["outcome"] == "failed" for r in results):
        raise typer.Exit(1)


def connections_reconnect(
    connection_id: str,
    redirect_url: Annotated[
        str, typer.Option("--redirect-url", help="Your callback, registered with the OAuth app.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """A fresh consent URL that makes an EXPIRED (or FAILED) OAuth connection ACTIVE again."""
    with Plane() as plane:
        try:
            connection = plane.connections.get(connection_id)
            if connection.auth_type != "oauth2":
                fail(f"{connection_id} holds a static {connection.auth_type} credential")
            started = plane.connections.reconnect(connection_id, redirect_url=redirect_url)
        except ActionplaneError as error:
            fail(error.message)
    if as_json:
        print_json(
            {
                "connection_id": started.connection_id,
                "authorize_url": started.authorize_url,
                "expires_at": started.expires_at,
            }
        )
        return
    console.print(f"send the user to reconnect {started.connection_id}:")
    console.print(started.authorize_url, highlight=False, soft_wrap=True)
