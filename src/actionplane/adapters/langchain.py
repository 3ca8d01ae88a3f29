"""LangChain: catalog tools as ``BaseTool`` objects that execute through the plane.

::

    from actionplane.adapters.langchain import tools_for

    tools = tools_for(plane, user_id="alice", toolkits=["github"])
    model = chat_model.bind_tools(tools)
    ai = await model.ainvoke(messages)
    for call in ai.tool_calls:
        by_name = {t.name: t for t in tools}
        messages.append(await by_name[call["name"]].ainvoke(call))   # a ToolMessage

Invoked with a model's ``ToolCall`` (``{"name", "args", "id", "type": "tool_call"}``), a tool
returns a ``ToolMessage`` whose ``content`` is the text for the model (``result_text``),
``status`` is ``"error"`` when the call failed and ``artifact`` is the full envelope (as a
dict); the call's ``id`` is the ``tool_call_id``, so a repeated id is an idempotent replay.
Invoked with plain arguments it returns the text. Tools built on an ``AsyncPlane`` run with
``ainvoke``; on a ``Plane`` both ``invoke`` and ``ainvoke`` work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from actionplane.adapters._common import AnyPlane, execute, execute_sync, result_text, select_tools
from actionplane.catalog.models import Tool
from actionplane.engine.result import ExecutionResult

__all__ = ["ActionplaneTool", "tools_for"]


class ActionplaneTool(BaseTool):
    """One catalog tool, run through the plane for one end user."""

    plane: Any
    user_id: str
    slug: str
    agent_id: str | None = None

    def _to_args_and_kwargs(
        self, tool_input: str | dict[str, Any], tool_call_id: str | None
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        # The arguments stay one mapping (tool inputs may use any names), and the model's
        # tool-call id travels with them: it is the idempotency key of the call.
        arguments = tool_input if isinstance(tool_input, dict) else {}
        return (dict(arguments), tool_call_id), {}

    def _options(self, tool_call_id: str | None) -> dict[str, Any]:
        return {"user_id": self.user_id, "tool_call_id": tool_call_id, "agent_id": self.agent_id}

    def _answer(self, result: ExecutionResult, tool_call_id: str | None) -> Any:
        text = result_text(result)
        if tool_call_id is None:
            return text
        return ToolMessage(
            content=text,
            tool_call_id=tool_call_id,
            name=self.name,
            artifact=result.model_dump(mode="json"),
            status="success" if result.successful else "error",
        )

    def _run(self, arguments: dict[str, Any], tool_call_id: str | None, **_: Any) -> Any:
        result = execute_sync(self.plane, self.slug, arguments, **self._options(tool_call_id))
        return self._answer(result, tool_call_id)

    async def _arun(self, arguments: dict[str, Any], tool_call_id: str | None, **_: Any) -> Any:
        result = await execute(self.plane, self.slug, arguments, **self._options(tool_call_id))
        return self._answer(result, tool_call_id)


def tool(plane: AnyPlane, spec: Tool, user_id: str, agent_id: str | None = None) -> ActionplaneTool:
    """The LangChain tool for one catalog tool (its input schema as ``args_schema``)."""
    return ActionplaneTool(
        name=spec.slug,
        description=spec.description or spec.name,
        args_schema=dict(spec.input_schema),
        plane=plane,
        user_id=user_id,
        slug=spec.slug,
        agent_id=agent_id,
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
) -> list[ActionplaneTool]:
    """LangChain tools for ``user_id`` (see ``select_tools`` for the filters)."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    return [tool(plane, spec, user_id, agent_id) for spec in chosen]
