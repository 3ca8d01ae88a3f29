"""Anthropic: Messages API tools, and ``tool_use`` blocks turned into ``tool_result`` blocks.

::

    from actionplane.adapters import anthropic as ap_anthropic

    tools = ap_anthropic.tools_for(plane, toolkits=["github"])
    message = client.messages.create(model=..., messages=messages, tools=tools, max_tokens=1024)
    messages.append({"role": "assistant", "content": message.content})
    results = await ap_anthropic.handle_tool_use(plane, message, user_id="alice")
    messages.append({"role": "user", "content": results})

Each ``tool_use`` block's ``id`` is the ``tool_call_id`` (an idempotent replay when repeated);
a failed call comes back as a ``tool_result`` with ``is_error: true`` and the error as text the
model can act on. The ``anthropic`` package is not imported: SDK objects and dicts both work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from actionplane.adapters._common import (
    AnyPlane,
    execute,
    execute_sync,
    field,
    result_text,
    select_tools,
)
from actionplane.catalog.render import render_tool
from actionplane.engine.result import ExecutionResult

__all__ = ["handle_tool_use", "handle_tool_use_sync", "tool_result", "tool_uses", "tools_for"]


def tools_for(
    plane: AnyPlane,
    *,
    toolkits: Sequence[str] | None = None,
    search: str | None = None,
    tools: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Client tools for the Messages API (``name``, ``description``, ``input_schema``)."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    return [render_tool(tool, "anthropic") for tool in chosen]


def tool_uses(source: Any) -> list[Any]:
    """The ``tool_use`` blocks of a ``Message`` (or its ``content`` list, or dicts)."""
    content = source if isinstance(source, list) else field(source, "content") or []
    return [block for block in content if field(block, "type") == "tool_use"]


def tool_result(tool_use_id: str, result: ExecutionResult) -> dict[str, Any]:
    """The ``tool_result`` block answering one ``tool_use``."""
    block: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": tool_use_id,
        "content": result_text(result),
    }
    if not result.successful:
        block["is_error"] = True
    return block


def _arguments(block: Any) -> dict[str, Any]:
    given = field(block, "input")
    return dict(given) if isinstance(given, Mapping) else {}


async def handle_tool_use(
    plane: AnyPlane,
    source: Any,
    *,
    user_id: str,
    agent_id: str | None = None,
    traceparent: str | None = None,
) -> list[dict[str, Any]]:
    """Execute every ``tool_use`` in ``source`` for ``user_id``, in order; returns the
    ``tool_result`` blocks for the next user message."""
    results = []
    for block in tool_uses(source):
        result = await execute(
            plane,
            field(block, "name"),
            _arguments(block),
            user_id=user_id,
            tool_call_id=field(block, "id"),
            agent_id=agent_id,
            traceparent=traceparent,
        )
        results.append(tool_result(field(block, "id"), result))
    return results


def handle_tool_use_sync(
    plane: AnyPlane,
    source: Any,
    *,
    user_id: str,
    agent_id: str | None = None,
    traceparent: str | None = None,
) -> list[dict[str, Any]]:
    """``handle_tool_use`` for synchronous code, on a ``Plane``."""
    results = []
    for block in tool_uses(source):
        result = execute_sync(
            plane,
            field(block, "name"),
            _arguments(block),
            user_id=user_id,
            tool_call_id=field(block, "id"),
            agent_id=agent_id,
            traceparent=traceparent,
        )
        results.append(tool_result(field(block, "id"), result))
    return results
