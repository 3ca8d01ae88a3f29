"""``actionplane connections initiate|complete``: the OAuth connect flow from a terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from actionplane.cli.output import console, fail, print_json
from actionplane.errors import ActionplaneError
from actionplane.plane import Plane

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def connections_initiate(
    user: Annotated[str, typer.Option("--user", help="The end user who connects.")],
    toolkit: Annotated[str, typer.Option("--toolkit", help="An OAuth toolkit, e.g. github.")],
    redirect_url: Annotated[
        str, typer.Option("--redirect-url", help="Your callback, registered with the OAuth app.")
    ],
    account: Annotated[str, typer.Option(help="A label for this account.")] = "default",
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="A scope (repeat); default: the toolkit's.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Start an OAuth connection and print the URL to send the user to."""
    with Plane() as plane:
        try:
            started = plane.connections.initiate(
                user, toolkit, redirect_url=redirect_url, account=account, scopes=scope or None
            )
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
    console.print(f"connection {started.connection_id} INITIATED; send the user to:")
    console.print(started.authorize_url, highlight=False, soft_wrap=True)


def connections_complete(
    state: Annotated[str, typer.Option("--state", help="The callback's state parameter.")],
    code: Annotated[str, typer.Option("--code", help="The callback's code parameter.")],
    as_json: JsonFlag = False,
) -> None:
    """Finish an OAuth connection with the code and state the provider redirected with."""
    with Plane() as plane:
        try:
            connection = plane.connections.complete(state=state, code=code)
        except ActionplaneError as error:
            fail(error.message)
    if as_json:
        print_json({"id": connection.id, "status": connection.status.value})
    else:
        console.print(f"connection {connection.id}: {connection.status.value}")
