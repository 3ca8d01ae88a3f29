"""``actionplane serve``, ``actionplane projects`` and ``actionplane keys``."""

from __future__ import annotations

from typing import Annotated

import anyio
import typer

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.errors import ActionplaneError
from actionplane.plane import AsyncPlane
from actionplane.server.keys import ApiKey, KeyStore

projects_app = typer.Typer(help="Projects: each API key belongs to one.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of the server.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8787,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Configure with ACTIONPLANE_* variables;
    several workers or hosts share PostgreSQL + Redis."""
    import uvicorn

    from actionplane.settings import Settings
    from actionplane.store.database import migrate

    migrate(Settings().database_url)  # once, before the workers race to do it
    uvicorn.run(
        "actionplane.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


async def _keys() -> tuple[AsyncPlane, KeyStore]:
    plane = AsyncPlane()
    await plane._executor()
    return plane, KeyStore(plane._engine)


@projects_app.command("create")
def projects_create(project_id: str, name: Annotated[str | None, typer.Option()] = None) -> None:
    """Create a project."""

    async def run() -> None:
        plane, keys = await _keys()
        try:
            await keys.create_project(project_id, name)
        finally:
            await plane.aclose()

    try:
        anyio.run(run)
    except ActionplaneError as error:
        fail(error.message)
    console.print(f"project {project_id} created")


@projects_app.command("list")
def projects_list(as_json: JsonFlag = False) -> None:
    """List projects."""

    async def run() -> list[tuple[str, str]]:
        plane, keys = await _keys()
        try:
            return await keys.projects()
        finally:
            await plane.aclose()

    found = anyio.run(run)
    if as_json:
        print_json([{"id": i, "name": n} for i, n in found])
    else:
        print_table(f"{len(found)} projects", ["id", "name"], found)


@keys_app.command("create")
def keys_create(
    project: Annotated[str, typer.Option("--project", help="The project the key acts for.")],
    name: Annotated[str, typer.Option(help="A label.")] = "default",
    as_json: JsonFlag = False,
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""

    async def run() -> tuple[ApiKey, str]:
        plane, keys = await _keys()
        try:
            return await keys.create_key(project, name)
        finally:
            await plane.aclose()

    try:
        record, key = anyio.run(run)
    except ActionplaneError as error:
        fail(error.message)
    if as_json:
        print_json({**record.__dict__, "key": key})
    else:
        console.print(f"API key for {project} (shown once): [bold]{key}[/]")


@keys_app.command("list")
def keys_list(
    project: Annotated[str | None, typer.Option()] = None, as_json: JsonFlag = False
) -> None:
    """List API keys (prefixes only)."""

    async def run() -> list[ApiKey]:
        plane, keys = await _keys()
        try:
            return list(await keys.keys(project))
        finally:
            await plane.aclose()

    found = anyio.run(run)
    if as_json:
        print_json([k.__dict__ for k in found])
    else:
        print_table(
            f"{len(found)} keys",
            ["id", "project", "name", "prefix", "revoked"],
            [
                [
                    k.id,
                    k.project_id,
                    k.name,
                    k.prefix + "...",
                    "yes" if k.revoked_at else "",
                ]
                for k in found
            ],
        )


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke an API key."""

    async def run() -> None:
        plane, keys = await _keys()
        try:
            await keys.revoke(key_id)
        finally:
            await plane.aclose()

    try:
        anyio.run(run)
    except ActionplaneError as error:
        fail(error.message)
    console.print(f"{key_id} revoked")
