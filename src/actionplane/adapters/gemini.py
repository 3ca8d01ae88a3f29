"""Gemini (``google-genai``): function declarations, and a response's function calls answered.

::

    from google.genai import types
    from actionplane.adapters import gemini as ap_gemini

    config = types.GenerateContentConfig(tools=ap_gemini.tools_for(plane, toolkits=["github"]))
    response = await client.aio.models.generate_content(
        model=..., contents=contents, config=config
    )
    contents.append(response.candidates[0].content)
    contents.append(await ap_gemini.handle_function_calls(plane, response, user_id="alice"))

Declarations carry the catalog's JSON Schema (``parameters_json_schema`` /
``response_json_schema``, narrowed to what Gemini reads). Each ``function_call`` part becomes a
``function_response`` part with the same ``id`` and ``name``; its ``response`` is the data
(wrapped as ``{"output": ...}`` unless the tool returns an object, as its
``response_json_schema`` declares) or ``{"error": {...}}`` with the error the model acts on
(``auth_required`` with its connect link, ``rate_limited`` with when to retry). A call's ``id``
is the ``tool_call_id``, so answering the same response again is an idempotent replay; the
Gemini Developer API sets it, Vertex AI may not, and then the plane's duplicate window guards
side effects. Automatic function calling is not used: the SDK builds it from Python signatures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from google.genai import types

from actionplane.adapters._common import (
    AnyPlane,
    execute,
    execute_sync,
    field,
    result_text,
    select_tools,
)
from actionplane.catalog.render import render_tool
from actionplane.catalog.render._formats import GEMINI_RESULT_KEY
from actionplane.engine.result import ExecutionResult
from actionplane.errors import ActionplaneError

__all__ = [
    "function_calls",
    "function_response",
    "handle_function_calls",
    "handle_function_calls_sync",
    "tools_for",
]


def tools_for(
    plane: AnyPlane,
    *,
    toolkits: Sequence[str] | None = None,
    search: str | None = None,
    tools: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[types.Tool]:
    """One ``types.Tool`` holding a ``FunctionDeclaration`` per chosen tool (none if none)."""
    chosen = select_tools(plane, toolkits=toolkits, search=search, tools=tools, limit=limit)
    if not chosen:
        return []
    declarations = [
        types.FunctionDeclaration.model_validate(render_tool(tool, "gemini")) for tool in chosen
    ]
    return [types.Tool(function_declarations=declarations)]


def function_calls(source: Any) -> list[types.FunctionCall]:
    """The function calls of a ``GenerateContentResponse`` (its first candidate), a
    ``Content``, or a list of parts or function calls; SDK objects or their dict forms."""
    candidates = field(source, "candidates")
    if candidates:
        source = field(candidates[0], "content")
    items = source if isinstance(source, list) else field(source, "parts") or []
    calls = []
    for item in items:
        call = item if isinstance(item, types.FunctionCall) else None
        call = call or field(item, "function_call") or field(item, "functionCall")
        if call is not None:
            calls.append(types.FunctionCall.model_validate(call))
    return calls


def function_response(
    plane: AnyPlane, call: types.FunctionCall, result: ExecutionResult
) -> types.Part:
    """The ``function_response`` part answering ``call`` with ``result``."""
    # result_text's JSON is what every adapter's model reads; as an object it is also JSON-safe.
    payload = json.loads(result_text(result))
    response: dict[str, Any]
    if not result.successful:
        response = {"error": payload}
    elif isinstance(payload, dict) and _returns_object(plane, call.name or ""):
        response = payload
    else:
        response = {GEMINI_RESULT_KEY: payload}
    return types.Part(
        function_response=types.FunctionResponse(id=call.id, name=call.name, response=response)
    )


def _returns_object(plane: AnyPlane, slug: str) -> bool:
    try:
        return plane.tools.get(slug).output_schema.get("type") == "object"
    except ActionplaneError:
        return False


async def handle_function_calls(
    plane: AnyPlane,
    source: Any,
    *,
    user_id: str,
    agent_id: str | None = None,
    traceparent: str | None = None,
) -> types.Content:
    """Execute every function call in ``source`` for ``user_id``, in order; returns the
    ``Content`` (role ``user``) of ``function_response`` parts to append to the contents."""
    parts = []
    for call in function_calls(source):
        result = await execute(
            plane,
            call.name or "",
            call.args or {},
            user_id=user_id,
            tool_call_id=call.id,
            agent_id=agent_id,
            traceparent=traceparent,
        )
        parts.append(function_response(plane, call, result))
    return types.Content(role="user", parts=parts)


def handle_function_calls_sync(
    plane: AnyPlane,
    source: Any,
    *,
    user_id: str,
    agent_id: str | None = None,
    traceparent: str | None = None,
) -> types.Content:
    """``handle_function_calls`` for synchronous code, on a ``Plane``."""
    parts = []
    for call in function_calls(source):
        result = execute_sync(
            plane,
            call.name or "",
            call.args or {},
            user_id=user_id,
            tool_call_id=call.id,
            agent_id=agent_id,
            traceparent=traceparent,
        )
        parts.append(function_response(plane, call, result))
    return types.Content(role="user", parts=parts)
