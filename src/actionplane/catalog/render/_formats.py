"""One function per format: a tool as each LLM API (or MCP) expects it in its tool list."""

from __future__ import annotations

import copy
from typing import Any

from actionplane.catalog.models import Tool
from actionplane.catalog.render._gemini import gemini_schema
from actionplane.catalog.render._notes import with_notes
from actionplane.catalog.render._strict import strict_schema

JsonSchema = dict[str, Any]

# The key under which a non-object result is wrapped where a format needs an object: the MCP
# SDK's convention for structuredContent, and Gemini's for a functionResponse.
MCP_RESULT_KEY = "result"
GEMINI_RESULT_KEY = "output"


def as_json(tool: Tool) -> dict[str, Any]:
    """actionplane's own view: everything an agent framework might want, unchanged."""
    return {
        "slug": tool.slug,
        "name": tool.name,
        "toolkit": tool.toolkit,
        "version": tool.version,
        "description": tool.description,
        "tags": list(tool.tags),
        "behavior": tool.behavior.model_dump(),
        "input_schema": copy.deepcopy(tool.input_schema),
        "output_schema": copy.deepcopy(tool.output_schema),
        "examples": [e.model_dump() for e in tool.examples],
    }


def _openai_function(tool: Tool) -> dict[str, Any]:
    parameters, _ = strict_schema(tool.input_schema)
    # What the root schema says (alternatives, folded keywords) goes where every model reads it.
    root_note = parameters.pop("description", None)
    return {
        "name": tool.slug,
        "description": with_notes(tool.description, [root_note]) or tool.slug,
        "parameters": parameters,
        "strict": True,
    }


def openai_chat(tool: Tool) -> dict[str, Any]:
    """A Chat Completions function tool, valid under ``strict: true``."""
    return {"type": "function", "function": _openai_function(tool)}


def openai_responses(tool: Tool) -> dict[str, Any]:
    """A Responses API function tool: the Chat Completions one without the ``function`` level."""
    return {"type": "function", **_openai_function(tool)}


def anthropic(tool: Tool) -> dict[str, Any]:
    """A Messages API client tool: ``input_schema`` takes the JSON Schema as it is."""
    return {
        "name": tool.slug,
        "description": tool.description,
        "input_schema": copy.deepcopy(tool.input_schema),
    }


def _object_rooted(schema: JsonSchema, key: str) -> JsonSchema:
    if schema.get("type") == "object":
        return copy.deepcopy(schema)
    return {
        "type": "object",
        "properties": {key: copy.deepcopy(schema)},
        "required": [key],
    }


def gemini(tool: Tool) -> dict[str, Any]:
    """A Gemini ``FunctionDeclaration`` with the JSON Schema fields (not the OpenAPI ``Schema``)."""
    return {
        "name": tool.slug,
        "description": tool.description,
        "parametersJsonSchema": gemini_schema(tool.input_schema),
        "responseJsonSchema": gemini_schema(_object_rooted(tool.output_schema, GEMINI_RESULT_KEY)),
    }


def mcp(tool: Tool) -> dict[str, Any]:
    """An MCP ``Tool`` as listed by ``tools/list``, with annotations from the behaviour record.

    MCP restricts ``outputSchema`` to an object at the root, so a tool whose result is not an
    object declares ``{"result": <its schema>}``; ``mcp_structured_content`` wraps the data the
    same way.
    """
    behavior = tool.behavior
    return {
        "name": tool.slug,
        "title": tool.name,
        "description": tool.description,
        "inputSchema": copy.deepcopy(tool.input_schema),
        "outputSchema": _object_rooted(tool.output_schema, MCP_RESULT_KEY),
        "annotations": {
            "title": tool.name,
            "readOnlyHint": behavior.read_only,
            "destructiveHint": behavior.destructive,
            "idempotentHint": behavior.idempotent,
            "openWorldHint": behavior.open_world,
        },
    }


def mcp_structured_content(tool: Tool, data: Any) -> dict[str, Any]:
    """A tool result as MCP ``structuredContent``, matching the ``outputSchema`` of ``mcp``."""
    if tool.output_schema.get("type") == "object" and isinstance(data, dict):
        return data
    return {MCP_RESULT_KEY: data}
