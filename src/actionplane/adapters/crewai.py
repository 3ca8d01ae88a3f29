"""CrewAI: catalog tools as ``crewai.tools.BaseTool`` objects that execute through the plane.

::

    from actionplane.adapters.crewai import tools_for

    tools = tools_for(plane, user_id="alice", toolkits=["github"])
    agent = Agent(role="triager", goal=..., backstory=..., tools=tools, llm=llm)
    Crew(agents=[agent], tasks=[Task(description=..., expected_output=..., agent=agent)]).kickoff()

    tools[0].run(owner="octo", repo="hello", title="Bug", tool_call_id="call_1")  # or by hand

A call returns ``result_text`` (the data as JSON) on success; on failure a CrewAI
``ToolFailure`` whose message is the error text the model acts on (``auth_required`` with its
connect link, ``rate_limited`` with when to retry), ``code`` the error category, ``retryable``
set from the plane and ``details`` the full envelope. CrewAI records it on the task's
``tool_failures`` and, under its default policy, the agent goes on with the text.

CrewAI never hands a tool its tool-call id, so pass ``tool_call_id=`` to ``run`` / ``arun``
yourself when a retried call must replay instead of running again; without it the plane's
duplicate window still guards side effects. Results are never put in CrewAI's tool cache: a
cached read goes stale after a write, and a cached ``auth_required`` would outlive the user's
connecting. Tools built on a ``Plane`` run with ``run`` (what ``Crew.kickoff`` calls) and
``arun``; on an ``AsyncPlane`` only with ``arun``.

``crewai`` pins ``mcp`` 1.x and ``openai`` 2.x, so it is not an extra of actionplane: install it
next to actionplane in an environment of its own (``pip install crewai actionplane``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from crewai.tools import BaseTool  # type: ignore[import-not-found, unused-ignore]
from crewai.tools.tool_failure import ToolFailure  # type: ignore[import-not-found, unused-ignore]
from pydantic import BaseModel, ConfigDict, PrivateAttr, create_model

from actionplane.adapters._common import (
    AnyPlane,
    canonical_arguments,
    execute,
    execute_sync,
    result_text,
    select_tools,
)
from actionplane.catalog.models import Tool
from actionplane.catalog.render import render_tool
from actionplane.engine.result import ExecutionResult

__all__ = ["ActionplaneTool", "tools_for"]

TOOL_CALL_ID = "tool_call_id"


def never_cache(_arguments: Any = None, _result: Any = None) -> bool:
    """CrewAI's ``cache_function``: the plane, not CrewAI's cache, decides what repeats."""
    return False


def arguments_model(spec: Tool) -> type[BaseModel]:
    """The ``args_schema`` CrewAI shows the model: a model with no fields whose JSON Schema is
    the tool's OpenAI strict rendering.

    CrewAI turns a JSON Schema into typed fields (``date-time`` to ``datetime``, ``email`` to
    ``EmailStr``, which needs ``email-validator``) and hands the tool their Python dump, which
    is not JSON; and it rewrites a schema for strict mode by making every property required,
    without the ``null`` an optional one needs. The strict rendering already has that shape, so
    CrewAI's rewrite leaves it as is, and with no fields the arguments reach the tool as the
    model sent them (``extra="allow"`` keeps them through CrewAI's own validation pass).
    """
    schema = render_tool(spec, "openai")["function"]["parameters"]

    def replace(target: dict[str, Any]) -> None:
        target.clear()
        target.update(copy.deepcopy(schema))

    model: type[BaseModel] = create_model(
        f"{spec.slug}_arguments",
        __config__=ConfigDict(extra="allow", json_schema_extra=replace),
    )
    return model


class ActionplaneTool(BaseTool):  # type: ignore[misc, unused-ignore]
    """One catalog tool, run through the plane for one end user."""

    user_id: str
    slug: str
    agent_id: str | None = None
    _plane: Any = PrivateAttr()

    def _prepare(self, arguments: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        options = {
            "user_id": self.user_id,
            "agent_id": self.agent_id,
            "tool_call_id": arguments.pop(TOOL_CALL_ID, None),
        }
        # Strict-mode arguments (null for a field left out, JSON strings for open objects)
        # back to the canonical schema, as for OpenAI strict tools.
        return canonical_arguments(self._plane, self.slug, "openai", arguments), options

    def _run(self, **arguments: Any) -> Any:
        canonical, options = self._prepare(arguments)
        return answer(execute_sync(self._plane, self.slug, canonical, **options))

    async def _arun(self, **arguments: Any) -> Any:
        canonical, options = self._prepare(arguments)
        return answer(await execute(self._plane, self.slug, canonical, **options))


def answer(result: ExecutionResult) -> Any:
    """The text of a success, or a ``ToolFailure`` carrying the error text and the envelope."""
    text = result_text(result)
    if result.successful:
        return text
    error = result.error
    return ToolFailure(
        message=text,
        code=error.category if error else result.outcome,
        retryable=bool(error and error.retryable),
        details=result.model_dump(mode="json"),
    )


def tool(plane: AnyPlane, spec: Tool, user_id: str, agent_id: str | None = None) -> ActionplaneTool:
    """The CrewAI tool for one catalog tool."""
    built = ActionplaneTool(
        name=spec.slug,
        description=spec.description or spec.name,
        args_schema=arguments_model(spec),
        cache_function=never_cache,
        user_id=user_id,
        slug=spec.slug,
        agent_id=agent_id,
    )
    built._plane = plane
    return built


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
    """CrewAI tools for ``user_id`` (see ``select_tools`` for the filters)."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    return [tool(plane, spec, user_id, agent_id) for spec in chosen]
