"""``actionplane mcp``: serve the catalog to MCP clients for one end user."""

from __future__ import annotations

from typing import Annotated

import anyio
import typer

from actionplane.cli.output import fail


def mcp(
    user: Annotated[str, typer.Option("--user", help="The end user every call acts for.")],
    toolkits: Annotated[
        str | None, typer.Option(help="Comma-separated toolkits to offer (default: all).")
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Offer the tools ranked best for these keywords.")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many tools.")] = None,
    transport: Annotated[
        str, typer.Option(help="stdio (for a client that starts this command) or http.")
    ] = "stdio",
    host: Annotated[str, typer.Option(help="Interface for --transport http.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port for --transport http (path /mcp).")] = 8788,
    meta_tools: Annotated[
        bool,
        typer.Option(help="Offer search_tools + execute_tool instead of every tool's schema."),
    ] = False,
) -> None:
    """Serve tools over MCP (stdio, or streamable HTTP at /mcp); calls run through the plane."""
    if transport not in ("stdio", "http"):
        fail(f"unknown transport {transport!r}; choose stdio or http")
    wanted = [t.strip() for t in toolkits.split(",") if t.strip()] if toolkits else None
    anyio.run(_serve, user, wanted, search, limit, transport, host, port, meta_tools)


async def _serve(
    user: str,
    toolkits: list[str] | None,
    search: str | None,
    limit: int | None,
    transport: str,
    host: str,
    port: int,
    meta_tools: bool,
) -> None:
    from actionplane.adapters.mcp_server import ActionplaneMCPServer
    from actionplane.errors import ActionplaneError
    from actionplane.plane import AsyncPlane

    async with AsyncPlane() as plane:
        try:
            server = ActionplaneMCPServer(
                plane, user, toolkits=toolkits, search=search, limit=limit, meta_tools=meta_tools
            )
        except ActionplaneError as error:
            fail(error.message)
        if transport == "stdio":
            await server.run_stdio_async()
        else:
            await server.run_streamable_http_async(host=host, port=port)
