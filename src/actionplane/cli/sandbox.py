"""``actionplane sandbox``: serve the provider sandbox, or connect a user to it."""

from __future__ import annotations

import os
from typing import Annotated

import anyio
import typer

from actionplane.catalog.overrides import SANDBOX_URL_VARIABLE
from actionplane.cli.output import console, fail, print_table

sandbox_app = typer.Typer(
    help="A local stand-in for every built-in provider, with OAuth, faults and a ledger.",
    invoke_without_command=True,
)


@sandbox_app.callback()
def sandbox(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8790,
    seed: Annotated[int, typer.Option(help="Seed for ids and probabilistic faults.")] = 0,
    token_ttl: Annotated[
        float, typer.Option(help="Lifetime of issued access tokens, in seconds.")
    ] = 3600.0,
) -> None:
    """Serve the sandbox (when no subcommand is given)."""
    if ctx.invoked_subcommand is not None:
        return
    from actionplane.sandbox.server import serve

    console.print(
        f"sandbox on http://{host}:{port} (seed {seed}); "
        f"export {SANDBOX_URL_VARIABLE}=http://{host}:{port}"
    )
    serve(host=host, port=port, seed=seed, access_token_ttl_s=token_ttl)


@sandbox_app.command("connect")
def connect(
    user: Annotated[str, typer.Option("--user", help="The end user to connect.")],
    toolkits: Annotated[
        str | None, typer.Option(help="Comma-separated toolkits (default: all built-in).")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help=f"The sandbox (default: ${SANDBOX_URL_VARIABLE}).")
    ] = None,
) -> None:
    """Create ACTIVE connections for a user through the sandbox's OAuth flow."""
    target = url or os.environ.get(SANDBOX_URL_VARIABLE) or "http://127.0.0.1:8790"
    wanted = [t.strip() for t in toolkits.split(",")] if toolkits else None

    async def run() -> list[list[str]]:
        from actionplane.plane import AsyncPlane
        from actionplane.testing import SandboxClient

        async with AsyncPlane() as plane:
            known = {k.slug for k in plane.catalog.toolkits()}
            unknown = sorted(set(wanted or []) - known)
            if unknown:
                fail(f"unknown toolkits: {', '.join(unknown)}")
            client = SandboxClient(target)
            try:
                made = await client.connect(plane, user, wanted)
            finally:
                client.close()
        return [[c.id, c.toolkit, c.auth_type, c.status.value] for c in made]

    try:
        rows = anyio.run(run)
    except Exception as error:  # the CLI reports any failure in one line
        fail(f"could not connect {user} to the sandbox at {target}: {error}")
    print_table(f"{len(rows)} connections for {user}", ["id", "toolkit", "auth", "status"], rows)
