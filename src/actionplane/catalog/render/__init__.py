"""Rendering a tool for an LLM API, and reading that API's arguments back.

One canonical tool (JSON Schema 2020-12 input and output) becomes:

- ``openai``: a Chat Completions function tool, ``strict: true`` (see ``_strict``);
- ``openai_responses``: the same for the Responses API (no ``function`` wrapper);
- ``anthropic``: a Messages API tool (``name``, ``description``, ``input_schema``);
- ``gemini``: a ``FunctionDeclaration`` with ``parametersJsonSchema`` / ``responseJsonSchema``;
- ``mcp``: an MCP ``Tool`` with ``inputSchema``, ``outputSchema`` and behaviour annotations;
- ``json``: actionplane's own view of the tool.

Rendering is pure: the tool's schemas are never modified. The strict OpenAI formats change the
shape of some arguments (nulls for omitted optional fields, JSON-encoded strings for open
objects); ``decode_arguments`` turns a model's arguments back into canonical ones and must be
applied before validation and execution.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from actionplane.catalog.models import Tool
from actionplane.catalog.render import _formats
from actionplane.catalog.render._formats import mcp_structured_content
from actionplane.catalog.render._strict import strict_schema

__all__ = ["FORMATS", "Format", "decode_arguments", "mcp_structured_content", "render_tool"]

Format = Literal["openai", "openai_responses", "anthropic", "gemini", "mcp", "json"]
FORMATS: tuple[Format, ...] = ("openai", "openai_responses", "anthropic", "gemini", "mcp", "json")

_RENDERERS: dict[Format, Callable[[Tool], dict[str, Any]]] = {
    "openai": _formats.openai_chat,
    "openai_responses": _formats.openai_responses,
    "anthropic": _formats.anthropic,
    "gemini": _formats.gemini,
    "mcp": _formats.mcp,
    "json": _formats.as_json,
}


def render_tool(tool: Tool, format: Format) -> dict[str, Any]:
    """The tool in ``format``, ready to put in that API's tool list."""
    try:
        renderer = _RENDERERS[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(tool)


def decode_arguments(tool: Tool, format: Format, arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments a model produced for ``render_tool(tool, format)``, as the canonical schema wants.

    For the strict OpenAI formats: drops the ``null`` sent for an optional field the model left
    out (unless the canonical schema itself accepts null there) and parses the JSON strings that
    stand for open objects. Other formats take the canonical schema, so their arguments pass
    through. Never raises: what still does not fit is for argument validation to report.
    """
    if format not in ("openai", "openai_responses"):
        return dict(arguments)
    _, decoder = strict_schema(tool.input_schema)
    decoded: dict[str, Any] = decoder(arguments)
    return decoded
