"""``actionplane vault``: key rotation and new keys."""

from __future__ import annotations

import typer
from rich.progress import Progress, TaskID

from actionplane.auth.vault import generate_key
from actionplane.cli.output import console, fail
from actionplane.errors import ActionplaneError
from actionplane.plane import Plane

vault_app = typer.Typer(help="The token vault's encryption keys.", no_args_is_help=True)


@vault_app.command("generate-key")
def vault_generate_key() -> None:
    """Print a new random AES-256 key (base64) for ACTIONPLANE_ENCRYPTION_KEY."""
    typer.echo(generate_key())


@vault_app.command("rotate")
def vault_rotate() -> None:
    """Re-encrypt every stored secret under the newest key.

    Put the new key first: ACTIONPLANE_ENCRYPTION_KEY=new,old. Afterwards the old key can go.
    """
    with Plane() as plane, Progress(console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def report(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(f"re-sealing {table}", total=total)
            progress.update(tasks[table], completed=done)

        try:
            result = plane.vault.rotate(report)
        except ActionplaneError as error:
            fail(error.message)
    for table, count in result.resealed.items():
        console.print(f"{table}: {count} re-sealed")
    console.print(
        f"{result.total} secrets now under key {result.key_id} ({result.current} already were); "
        "older keys can be removed from ACTIONPLANE_ENCRYPTION_KEY."
    )
