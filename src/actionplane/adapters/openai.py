"""OpenAI: Chat Completions and Responses API tools, and running a response's tool calls.

::

    from actionplane.adapters import openai as ap_openai

    tools = ap_openai.tools_for(plane, toolkits=["github"])          # Chat Completions
    completion = client.chat.completions.create(model=..., messages=messages, tools=tools)
    messages.append(completion.choices[0].message)
    messages += await ap_openai.handle_tool_calls(plane, completion, user_id="alice")

    tools = ap_openai.tools_for(plane, toolkits=["github"], api="responses")
    response = client.responses.create(model=..., input=items, tools=tools)
    items += response.output
    items += await ap_openai.handle_tool_calls(plane, response, user_id="alice")

Tools are rendered ``strict: true``; the model's arguments are decoded back to the canonical
schema (``decode_arguments``) before execution. Each call's id (``tool_call.id`` /
``function_call.call_id``) is the ``tool_call_id``, so re-running the same response is an
idempotent replay. The ``openai`` package is not imported: SDK objects and plain dicts both work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from actionplane.adapters._common import (
    AnyPlane,
    canonical_arguments,
    execute,
    execute_sync,
    field,
    parse_json_arguments,
    result_text,
    select_tools,
)
from actionplane.catalog.render import Format, render_tool
from actionplane.engine.result import ExecutionResult

Api = Literal["chat", "responses"]
_FORMATS: dict[str, Format] = {"chat": "openai", "responses": "openai_responses"}

__all__ = ["ToolCall", "handle_tool_calls", "handle_tool_calls_sync", "tool_calls", "tools_for"]


def tools_for(
    plane: AnyPlane,
    *,
    toolkits: Sequence[str] | None = None,
    search: str | None = None,
    tools: Sequence[str] | None = None,
    limit: int | None = None,
    api: Api = "chat",
) -> list[dict[str, Any]]:
    """Function tools for Chat Completions (``api="chat"``) or the Responses API."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    return [render_tool(tool, _FORMATS[api]) for tool in chosen]


class ToolCall:
    """One function call a model asked for, whichever API it came from."""

    __slots__ = ("api", "arguments", "id", "name")

    def __init__(self, api: Api, id: str, name: str, arguments: Any) -> None:
        self.api = api
        self.id = id
        self.name = name
        self.arguments = arguments

    def output(self, result: ExecutionResult) -> dict[str, Any]:
        """The message (Chat Completions) or input item (Responses) carrying ``result``."""
        if self.api == "chat":
            return {"role": "tool", "tool_call_id": self.id, "content": result_text(result)}
        return {"type": "function_call_output", "call_id": self.id, "output": result_text(result)}


def tool_calls(source: Any) -> list[ToolCall]:
    """The function calls in a ``ChatCompletion``, a chat message, a Responses ``Response``
    or a list of Responses output items (SDK objects or dicts)."""
    choices = field(source, "choices")
    if choices:
        source = field(choices[0], "message")
    calls = field(source, "tool_calls")
    if calls is not None or field(source, "role") == "assistant":
        return [
            ToolCall(
                "chat",
                field(call, "id"),
                field(field(call, "function"), "name"),
                field(field(call, "function"), "arguments"),
            )
            for call in calls or ()
            if field(call, "type", "function") == "function"
        ]
    items: Iterable[Any] = field(source, "output", None) or (
        source if isinstance(source, list) else ()
    )
    return [
        ToolCall("responses", field(item, "call_id"), field(item, "name"), field(item, "arguments"))
        for item in items
        if field(item, "type") == "function_call"
    ]


def _prepare(plane: AnyPlane, call: ToolCall) -> dict[str, Any] | ExecutionResult:
    parsed = parse_json_arguments(call.name, call.arguments)
    if isinstance(parsed, ExecutionResult):
        return parsed
    return canonical_arguments(plane, call.name, _FORMATS[call.api], parsed)


async def handle_tool_calls(
    plane: AnyPlane,
    source: Any,
    *,
    user_id: str,
    agent_id: str | None = None,
    traceparent: str | None = None,
) -> list[dict[str, Any]]:
    """Execute every function call in ``source`` for ``user_id``, in order; returns the tool
    messages (Chat Completions) or ``function_call_output`` items (Responses) to send back."""
    outputs = []
    for call in tool_calls(source):
        arguments = _prepare(plane, call)
        if isinstance(arguments, ExecutionResult):
            result = arguments
        else:
            result = await execute(
                plane,
                call.name,
                arguments,
                user_id=user_id,
                tool_call_id=call.id,
                agent_id=agent_id,
                traceparent=traceparent,
            )
        outputs.append(call.output(result))
    return outputs


def handle_tool_calls_sync(
    plane: AnyPlane,
    source: Any,
    *,
    user_id: str,
    agent_id: str | None = None,
    traceparent: str | None = None,
) -> list[dict[str, Any]]:
    """``handle_tool_calls`` for synchronous code, on a ``Plane``."""
    outputs = []
    for call in tool_calls(source):
        arguments = _prepare(plane, call)
        if isinstance(arguments, ExecutionResult):
            result = arguments
        else:
            result = execute_sync(
                plane,
                call.name,
                arguments,
                user_id=user_id,
                tool_call_id=call.id,
                agent_id=agent_id,
                traceparent=traceparent,
            )
        outputs.append(call.output(result))
    return outputs
