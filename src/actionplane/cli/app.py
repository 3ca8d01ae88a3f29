"""Commands. Each one parses its options, calls the SDK, and prints a table or JSON."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from actionplane.catalog.render import FORMATS
from actionplane.cli.connect import connections_complete, connections_initiate
from actionplane.cli.dashboard import connections_reconnect, dashboard, dlq_replay_all, stats
from actionplane.cli.demo import demo
from actionplane.cli.dlq import dlq_app
from actionplane.cli.importer import import_app
from actionplane.cli.mcp import mcp
from actionplane.cli.oauth_apps import oauth_apps_app
from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.cli.sandbox import sandbox_app
from actionplane.cli.serve import keys_app, projects_app, serve
from actionplane.cli.trace import executions_app, trace
from actionplane.cli.vault import vault_app
from actionplane.cli.workflows import runs_app, workflows_app
from actionplane.errors import ActionplaneError
from actionplane.plane import Plane

app = typer.Typer(
    help="actionplane: safe tool calls for AI agents, on behalf of each end user.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
tools_app = typer.Typer(help="Browse the tool catalog.", no_args_is_help=True)
connections_app = typer.Typer(help="End users' connections to toolkits.", no_args_is_help=True)
app.add_typer(tools_app, name="tools")
app.add_typer(connections_app, name="connections")
app.add_typer(dlq_app, name="dlq")
app.add_typer(executions_app, name="executions")
app.command("trace")(trace)
app.command("serve")(serve)
app.add_typer(projects_app, name="projects")
app.add_typer(keys_app, name="keys")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(vault_app, name="vault")
app.add_typer(oauth_apps_app, name="oauth-apps")
app.add_typer(import_app, name="import")
app.add_typer(workflows_app, name="workflows")
app.add_typer(runs_app, name="runs")
app.command("demo")(demo)
app.command("mcp")(mcp)
connections_app.command("initiate")(connections_initiate)
connections_app.command("complete")(connections_complete)
connections_app.command("reconnect")(connections_reconnect)
app.command("dashboard")(dashboard)
app.command("stats")(stats)
dlq_app.command("replay-all")(dlq_replay_all)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _plane() -> Plane:
    try:
        return Plane()
    except ActionplaneError as error:
        fail(error.message)


@tools_app.command("list")
def tools_list(
    toolkit: Annotated[str | None, typer.Option(help="Only this toolkit (e.g. github).")] = None,
    search: Annotated[str | None, typer.Option(help="Rank tools by these keywords.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many tools.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List tools, optionally filtered by toolkit or ranked by a keyword search."""
    with _plane() as plane:
        try:
            tools = plane.tools.list(toolkit=toolkit, search=search, limit=limit)
        except ActionplaneError as error:
            fail(error.message)
    if as_json:
        print_json(
            [
                {
                    "slug": t.slug,
                    "toolkit": t.toolkit,
                    "version": t.version,
                    "name": t.name,
                    "description": t.description,
                    "behavior": t.behavior.model_dump(),
                }
                for t in tools
            ]
        )
        return

    def behavior(tool: Any) -> str:
        b = tool.behavior
        if b.read_only:
            return "read"
        return "write, destructive" if b.destructive else "write"

    print_table(
        f"{len(tools)} tools" + (f" matching {search!r}" if search else ""),
        ["slug", "toolkit", "version", "kind", "name"],
        [[t.slug, t.toolkit, t.version, behavior(t), t.name] for t in tools],
    )


@tools_app.command("show")
def tools_show(
    slug: str,
    format: Annotated[str, typer.Option("--format", help="One of: " + ", ".join(FORMATS))] = "json",
    version: Annotated[str, typer.Option(help="A pinned version, or latest.")] = "latest",
) -> None:
    """Print one tool's definition in an LLM API's format."""
    if format not in FORMATS:
        fail(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    with _plane() as plane:
        try:
            print_json(plane.tools.render(slug, format, version))
        except ActionplaneError as error:
            fail(error.message)


@app.command("execute")
def execute(
    slug: str,
    user: Annotated[str, typer.Option("--user", help="The end user the call acts for.")],
    args: Annotated[str, typer.Option("--args", help="Arguments as a JSON object.")] = "{}",
    version: Annotated[str, typer.Option(help="A pinned version, or latest.")] = "latest",
    connection: Annotated[str | None, typer.Option(help="A specific connection id.")] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(help="Repeat-safe key: the same key and arguments replay the first result."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Execute a tool for a user and print the result envelope."""
    try:
        arguments = json.loads(args)
    except json.JSONDecodeError as error:
        fail(f"--args is not valid JSON: {error}")
    with _plane() as plane:
        result = plane.tools.execute(
            slug,
            arguments,
            user_id=user,
            version=version,
            connected_account_id=connection,
            idempotency_key=idempotency_key,
        )
    envelope = result.model_dump(mode="json")
    if as_json:
        print_json(envelope)
    else:
        status = "[green]succeeded[/]" if result.successful else "[red]failed[/]"
        console.print(
            f"{result.tool} {status} ({result.outcome})  execution {result.execution_id}  "
            f"trace {result.trace_id}  attempts {result.attempts}"
            + ("  [yellow]replayed[/]" if result.replayed else "")
        )
        if result.dead_letter_id:
            console.print(f"dead-lettered as {result.dead_letter_id}")
        if result.error:
            console.print(
                f"[red]{result.error.category}[/]: {result.error.message}", highlight=False
            )
        else:
            console.print_json(json.dumps(result.data, default=str))
    if not result.successful:
        raise typer.Exit(1)


@connections_app.command("add")
def connections_add(
    user: Annotated[str, typer.Option("--user", help="The end user who owns the account.")],
    toolkit: Annotated[str, typer.Option("--toolkit", help="e.g. github")],
    token: Annotated[str | None, typer.Option(help="A bearer / personal access token.")] = None,
    api_key: Annotated[str | None, typer.Option(help="An API key.")] = None,
    username: Annotated[str | None, typer.Option(help="Basic auth user name or email.")] = None,
    password: Annotated[str | None, typer.Option(help="Basic auth password or API token.")] = None,
    account: Annotated[str, typer.Option(help="A label for this account.")] = "default",
    as_json: JsonFlag = False,
) -> None:
    """Store a static credential for a user (encrypted at rest)."""
    with _plane() as plane:
        try:
            connection = plane.connections.add(
                user,
                toolkit,
                token=token,
                api_key=api_key,
                username=username,
                password=password,
                account=account,
            )
        except ActionplaneError as error:
            fail(error.message)
    if as_json:
        print_json(_connection_json(connection))
    else:
        console.print(f"connection {connection.id} for {user} on {toolkit}: {connection.status}")


def _connection_json(connection: Any) -> dict[str, Any]:
    return {
        "id": connection.id,
        "user_id": connection.user_id,
        "toolkit": connection.toolkit,
        "account": connection.account,
        "auth_type": connection.auth_type,
        "status": connection.status.value,
        "status_reason": connection.status_reason,
        "created_at": connection.created_at,
    }


@connections_app.command("list")
def connections_list(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's.")] = None,
    toolkit: Annotated[str | None, typer.Option(help="Only this toolkit's.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List connections (never their secrets)."""
    with _plane() as plane:
        found = plane.connections.list(user_id=user, toolkit=toolkit)
    if as_json:
        print_json([_connection_json(c) for c in found])
        return
    print_table(
        f"{len(found)} connections",
        ["id", "user", "toolkit", "account", "auth", "status"],
        [[c.id, c.user_id, c.toolkit, c.account, c.auth_type, c.status.value] for c in found],
    )


@connections_app.command("remove")
def connections_remove(connection_id: str) -> None:
    """Delete a connection and its stored credential."""
    with _plane() as plane:
        try:
            plane.connections.remove(connection_id)
        except ActionplaneError as error:
            fail(error.message)
    console.print(f"removed {connection_id}")


@app.command("purge-keys")
def purge_keys() -> None:
    """Delete idempotency keys past their retention (ACTIONPLANE_IDEMPOTENCY_RETENTION_S)."""
    with _plane() as plane:
        removed = plane.purge_idempotency_keys()
    console.print(f"purged {removed} expired idempotency keys")


def main() -> None:
    app()
