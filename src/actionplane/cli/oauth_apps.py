"""``actionplane oauth-apps``: OAuth client ids and secrets per toolkit, secrets sealed."""

from __future__ import annotations

from typing import Annotated

import typer

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.errors import ActionplaneError
from actionplane.plane import Plane

oauth_apps_app = typer.Typer(
    help="OAuth apps (client id + secret) per toolkit.", no_args_is_help=True
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@oauth_apps_app.command("set")
def oauth_apps_set(
    toolkit: str,
    client_id: Annotated[str, typer.Option("--client-id")],
    client_secret: Annotated[
        str | None,
        typer.Option("--client-secret", envvar="ACTIONPLANE_CLIENT_SECRET", help="Or from env."),
    ] = None,
) -> None:
    """Store this project's OAuth app for a toolkit (the secret is encrypted at rest)."""
    with Plane() as plane:
        try:
            plane.oauth_apps.set(toolkit, client_id, client_secret)
        except ActionplaneError as error:
            fail(error.message)
    console.print(f"OAuth app for {toolkit} stored (client id {client_id})")


@oauth_apps_app.command("list")
def oauth_apps_list(as_json: JsonFlag = False) -> None:
    """List OAuth apps (never their secrets): stored ones, then those from the environment."""
    with Plane() as plane:
        apps = plane.oauth_apps.list()
    rows = [{"toolkit": a.toolkit, "client_id": a.client_id, "source": a.source} for a in apps]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} OAuth apps",
        ["toolkit", "client id", "source"],
        [[r["toolkit"], r["client_id"], r["source"]] for r in rows],
    )
