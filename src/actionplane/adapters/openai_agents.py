"""OpenAI Agents SDK (``openai-agents``): catalog tools as ``FunctionTool`` objects.

::

    from agents import Agent, Runner
    from actionplane.adapters.openai_agents import tools_for

    agent = Agent(name="triager", tools=tools_for(plane, user_id="alice", toolkits=["github"]))
    result = await Runner.run(agent, "File the grey button bug.")
    for item in result.new_items:
        if item.type == "tool_call_output_item":
            item.custom_data["actionplane"]       # the envelope: execution id, replayed, error

Tools are OpenAI strict tools (the catalog's strict rendering; arguments go through
``decode_arguments`` before execution). ``on_invoke_tool`` runs the call through the plane with
the SDK's ``ToolContext.tool_call_id`` as the ``tool_call_id``, so a run that repeats a call id
(a resumed or retried run) gets the stored result instead of a second side effect. The model
reads ``result_text``: the data, or the error it can act on (``auth_required`` with its connect
link, ``rate_limited`` with when to retry); the item's ``output`` is that text (a ``ToolText``,
whose ``result`` is the envelope) and ``custom_data["actionplane"]`` the envelope as JSON.
``Runner.run`` works on an ``AsyncPlane`` or a ``Plane``; ``Runner.run_sync`` needs a ``Plane``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents import FunctionTool
from agents import Tool as AgentsTool
from agents.tool import FunctionToolCustomDataContext
from agents.tool_context import ToolContext

from actionplane.adapters._common import (
    AnyPlane,
    canonical_arguments,
    execute,
    parse_json_arguments,
    result_text,
    select_tools,
)
from actionplane.catalog.models import Tool
from actionplane.catalog.render import render_tool
from actionplane.engine.result import ExecutionResult

__all__ = ["CUSTOM_DATA_KEY", "ToolText", "tool", "tools_for"]

CUSTOM_DATA_KEY = "actionplane"


class ToolText(str):
    """What the model reads (``result_text``), carrying the call's envelope as ``result``."""

    result: ExecutionResult

    def __new__(cls, result: ExecutionResult) -> ToolText:
        text = super().__new__(cls, result_text(result))
        text.result = result
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (ToolText, (self.result,))


def envelope(context: FunctionToolCustomDataContext) -> dict[str, Any] | None:
    """The ``custom_data_extractor``: the envelope, kept on the output item, never sent."""
    if isinstance(context.output, ToolText):
        return {CUSTOM_DATA_KEY: context.output.result.model_dump(mode="json")}
    return None


def tool(plane: AnyPlane, spec: Tool, user_id: str, agent_id: str | None = None) -> FunctionTool:
    """The ``FunctionTool`` for one catalog tool."""
    slug = spec.slug

    async def invoke(context: ToolContext[Any], arguments_json: str) -> ToolText:
        parsed = parse_json_arguments(slug, arguments_json)
        if isinstance(parsed, ExecutionResult):
            return ToolText(parsed)
        result = await execute(
            plane,
            slug,
            canonical_arguments(plane, slug, "openai", parsed),
            user_id=user_id,
            tool_call_id=context.tool_call_id,
            agent_id=agent_id,
        )
        return ToolText(result)

    return FunctionTool(
        name=slug,
        description=spec.description or spec.name,
        params_json_schema=render_tool(spec, "openai")["function"]["parameters"],
        on_invoke_tool=invoke,
        strict_json_schema=True,
        custom_data_extractor=envelope,
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
) -> list[AgentsTool]:
    """Agents SDK tools (``FunctionTool``) for ``user_id``, typed as ``Agent(tools=...)`` takes
    them (see ``select_tools`` for the filters)."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    return [tool(plane, spec, user_id, agent_id) for spec in chosen]
