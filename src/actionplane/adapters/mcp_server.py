"""The catalog as an MCP server, for one end user, on the official ``mcp`` SDK (``MCPServer``).

::

    async with AsyncPlane() as plane:
        server = ActionplaneMCPServer(plane, user_id="alice", toolkits=["github"])
        await server.run_stdio_async()   # or: await server.run_streamable_http_async(port=N)

or from a shell: ``actionplane mcp --user alice --toolkits github [--transport http --port N]``.

``tools/list`` gives ``render_tool(tool, "mcp")`` for every offered tool: ``inputSchema``,
``outputSchema`` and annotations from the behaviour record (read-only, destructive, idempotent,
open-world). ``tools/call`` runs through the plane: on success the data as text and as
``structuredContent`` (``mcp_structured_content``); on failure ``isError`` with the error as
text the model can act on (an ``auth_required`` error carries its connect link in ``details``).
A W3C ``traceparent`` in the request ``_meta`` joins the caller's trace, and an
``io.actionplane/idempotency-key`` in ``_meta`` makes a repeated call an idempotent replay.
Each result's ``_meta`` holds ``io.actionplane/execution``: execution id, trace id, attempts,
replayed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent
from mcp_types import Tool as MCPTool

from actionplane.adapters._common import AnyPlane, execute, failure, result_text, select_tools
from actionplane.catalog.models import Tool
from actionplane.catalog.render import mcp_structured_content, render_tool
from actionplane.engine.result import ExecutionResult

__all__ = ["EXECUTION_META_KEY", "IDEMPOTENCY_META_KEY", "ActionplaneMCPServer"]

IDEMPOTENCY_META_KEY = "io.actionplane/idempotency-key"
EXECUTION_META_KEY = "io.actionplane/execution"


class ActionplaneMCPServer(MCPServer[Any]):
    """An MCP server offering a slice of the catalog and executing it for ``user_id``."""

    def __init__(
        self,
        plane: AnyPlane,
        user_id: str,
        *,
        toolkits: Sequence[str] | None = None,
        search: str | None = None,
        tools: Sequence[str] | None = None,
        limit: int | None = None,
        agent_id: str | None = None,
        name: str = "actionplane",
        meta_tools: bool = False,
    ) -> None:
        super().__init__(
            name=name,
            instructions=(
                "Tools that act on SaaS APIs for one user through actionplane. A failed call "
                "says why; an auth_required error carries a link the user must open."
            ),
        )
        self.plane = plane
        self.user_id = user_id
        self.agent_id = agent_id
        offered = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
        self.offered: dict[str, Tool] = {tool.slug: tool for tool in offered}
        self.meta_tools = meta_tools

    async def list_tools(self) -> list[MCPTool]:
        if self.meta_tools:
            return [MCPTool.model_validate(t) for t in META_TOOLS]
        return [MCPTool.model_validate(render_tool(t, "mcp")) for t in self.offered.values()]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult:
        meta = _request_meta(context)
        if self.meta_tools:
            if name == "search_tools":
                return self._search(str(arguments.get("query", "")), arguments.get("limit"))
            if name == "execute_tool":
                name = str(arguments.get("tool", ""))
                arguments = dict(arguments.get("arguments") or {})
            else:
                return _result(
                    None, failure(name, "tool_not_found", "Use search_tools, then execute_tool.")
                )
        tool = self.offered.get(name)
        if tool is None:
            known = ", ".join(sorted(self.offered)[:20])
            return _result(
                None,
                failure(name, "tool_not_found", f"Unknown tool {name!r}. Offered: {known}"),
            )
        result = await execute(
            self.plane,
            name,
            arguments,
            user_id=self.user_id,
            agent_id=self.agent_id,
            traceparent=_text(meta.get("traceparent")),
            idempotency_key=_text(meta.get(IDEMPOTENCY_META_KEY)),
        )
        return _result(tool, result)

    def _search(self, query: str, limit: Any) -> CallToolResult:
        """The offered tools that best match ``query``, with their schemas and annotations."""
        count = limit if isinstance(limit, int) and 0 < limit <= 50 else 5
        ranked = self.plane.catalog.search(query, limit=len(self.offered) or 1)
        found = [render_tool(t, "mcp") for t in ranked if t.slug in self.offered][:count]
        payload = {"tools": found}
        return CallToolResult(
            content=[TextContent(type="text", text=json.dumps(payload))],
            structured_content=payload,
            is_error=False,
        )


# Large catalogs: two tools instead of thousands, so the agent's context holds only what it finds.
META_TOOLS: list[dict[str, Any]] = [
    {
        "name": "search_tools",
        "title": "Search tools",
        "description": (
            "Find the tools that can do something, by keywords (e.g. 'create a github issue'). "
            "Returns each tool's name, description, inputSchema and annotations; call it with "
            "execute_tool."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What you want to do."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
            },
            "required": ["query"],
        },
        "annotations": {"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False},
    },
    {
        "name": "execute_tool",
        "title": "Execute a tool",
        "description": (
            "Run a tool found with search_tools: give its name and arguments matching its "
            "inputSchema. Returns the tool's result, or an error saying what to fix."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "tool": {
                    "type": "string",
                    "description": "The tool's name, e.g. GITHUB_CREATE_ISSUE.",
                },
                "arguments": {"type": "object", "description": "The tool's arguments."},
            },
            "required": ["tool", "arguments"],
        },
        "annotations": {"readOnlyHint": False, "destructiveHint": True, "openWorldHint": True},
    },
]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _request_meta(context: Context[Any, Any] | None) -> Mapping[str, Any]:
    if context is None:
        return {}
    try:
        meta = context.request_context.meta
    except ValueError:  # no request in flight: a direct call from Python
        return {}
    return dict(meta) if meta else {}


def _result(tool: Tool | None, result: ExecutionResult) -> CallToolResult:
    execution = {
        "execution_id": result.execution_id,
        "trace_id": result.trace_id,
        "attempts": result.attempts,
        "replayed": result.replayed,
        "outcome": result.outcome,
    }
    structured = (
        mcp_structured_content(tool, result.data)
        if tool is not None and result.successful
        else None
    )
    return CallToolResult(
        content=[TextContent(type="text", text=result_text(result))],
        structured_content=structured,
        is_error=not result.successful,
        _meta={EXECUTION_META_KEY: execution},
    )
