"""LlamaIndex: catalog tools as ``AsyncBaseTool`` objects that execute through the plane.

::

    from actionplane.adapters.llamaindex import tools_for

    tools = tools_for(plane, user_id="alice", toolkits=["github"])
    agent = FunctionAgent(tools=tools, llm=llm)          # or call them yourself:
    output = await tools[0].acall(owner="octo", repo="hello")

A call returns a ``ToolOutput`` whose text is ``result_text`` (the data as JSON, or the error
the model can act on), ``raw_output`` the full envelope, and ``is_error`` set on failure.
LlamaIndex does not hand a tool its tool-call id, so pass ``tool_call_id=`` yourself (it is
taken out of the arguments) when a retried call must replay instead of running again; without
it the plane's duplicate window still guards side effects. Tools built on an ``AsyncPlane``
run with ``acall``; on a ``Plane`` ``call`` works too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.tools.types import AsyncBaseTool, ToolMetadata, ToolOutput

from actionplane.adapters._common import AnyPlane, execute, execute_sync, result_text, select_tools
from actionplane.catalog.models import Tool
from actionplane.engine.result import ExecutionResult

__all__ = ["ActionplaneTool", "tools_for"]

TOOL_CALL_ID = "tool_call_id"


@dataclass
class SchemaMetadata(ToolMetadata):
    """Tool metadata whose parameters are the catalog's JSON Schema, not a pydantic model."""

    parameters: dict[str, Any] = field(default_factory=dict)

    def get_parameters_dict(self) -> dict[str, Any]:
        return dict(self.parameters)


class ActionplaneTool(AsyncBaseTool):
    """One catalog tool, run through the plane for one end user."""

    def __init__(
        self, plane: AnyPlane, spec: Tool, user_id: str, agent_id: str | None = None
    ) -> None:
        self._plane = plane
        self._slug = spec.slug
        self._user_id = user_id
        self._agent_id = agent_id
        self._metadata = SchemaMetadata(
            description=spec.description or spec.name,
            name=spec.slug,
            fn_schema=None,
            parameters=dict(spec.input_schema),
        )

    @property
    def metadata(self) -> ToolMetadata:
        return self._metadata

    def _split(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        arguments = dict(kwargs)
        options = {
            "user_id": self._user_id,
            "agent_id": self._agent_id,
            "tool_call_id": arguments.pop(TOOL_CALL_ID, None),
        }
        return arguments, options

    def _output(self, arguments: dict[str, Any], result: ExecutionResult) -> ToolOutput:
        return ToolOutput(
            tool_name=self._slug,
            content=result_text(result),
            raw_input=arguments,
            raw_output=result,
            is_error=not result.successful,
        )

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        arguments, options = self._split(kwargs)
        return self._output(arguments, execute_sync(self._plane, self._slug, arguments, **options))

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        arguments, options = self._split(kwargs)
        result = await execute(self._plane, self._slug, arguments, **options)
        return self._output(arguments, result)


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
    """LlamaIndex tools for ``user_id`` (see ``select_tools`` for the filters)."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    return [ActionplaneTool(plane, spec, user_id, agent_id) for spec in chosen]
