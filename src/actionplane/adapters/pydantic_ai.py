"""Pydantic AI (``pydantic-ai-slim``): catalog tools as ``Tool`` objects with their JSON Schema.

::

    from pydantic_ai import Agent, FunctionToolset
    from actionplane.adapters.pydantic_ai import tools_for

    agent = Agent(model, tools=tools_for(plane, user_id="alice", toolkits=["github"]))
    # or: Agent(model, toolsets=[FunctionToolset(tools_for(plane, "alice", ...))])
    result = await agent.run("File the grey button bug.")

Each tool is ``Tool.from_schema`` with the catalog's input schema (Pydantic AI adapts it to each
provider) and takes the ``RunContext``: its ``tool_call_id`` is the ``tool_call_id`` of the
call, so a repeated call id (a retried or resumed run) is an idempotent replay. A success
returns a ``ToolReturn`` whose value is ``result_text`` and whose ``metadata`` is the envelope
(kept in the message history, never sent to the model). A failure raises ``ToolFailed`` with
the error text: Pydantic AI turns it into a tool return with ``outcome="failed"`` (the
provider's error channel, e.g. Anthropic ``is_error``) that the model reads and acts on
(``auth_required`` with its connect link, ``rate_limited`` with when to retry); the run goes
on, and the envelope stays in the plane's execution log. ``agent.run`` works on an
``AsyncPlane`` or a ``Plane``; ``agent.run_sync`` needs a ``Plane``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pydantic_ai import RunContext, ToolFailed, ToolReturn
from pydantic_ai import Tool as PydanticTool

from actionplane.adapters._common import AnyPlane, execute, result_text, select_tools
from actionplane.catalog.models import Tool

__all__ = ["tool", "tools_for"]


def tool(
    plane: AnyPlane, spec: Tool, user_id: str, agent_id: str | None = None
) -> PydanticTool[Any]:
    """The Pydantic AI tool for one catalog tool."""
    slug = spec.slug

    async def run(context: RunContext[Any], /, **arguments: Any) -> ToolReturn:
        result = await execute(
            plane,
            slug,
            arguments,
            user_id=user_id,
            tool_call_id=context.tool_call_id,
            agent_id=agent_id,
        )
        if not result.successful:
            raise ToolFailed(result_text(result))
        return ToolReturn(return_value=result_text(result), metadata=result)

    return PydanticTool[Any].from_schema(
        run,
        name=slug,
        description=spec.description or spec.name,
        json_schema=copy.deepcopy(spec.input_schema),  # the catalog's stays untouched
        takes_ctx=True,
    )


def tools_for(
    plane: AnyPlane,
    user_id: str,
    *,
    toolkits: Sequence[str] | None = None,
    search: str | None = None,
    tools: Sequence[str] | None = None,
    limit: int | None = None,
    agent_id: str | None = None,
) -> list[PydanticTool[Any]]:
    """Pydantic AI tools for ``user_id`` (see ``select_tools`` for the filters)."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    return [tool(plane, spec, user_id, agent_id) for spec in chosen]
