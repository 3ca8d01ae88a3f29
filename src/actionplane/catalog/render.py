"""Rendering a tool for an LLM API. (Only ``json`` so far; the other formats are being added.)"""

from __future__ import annotations

from typing import Any, Literal

from actionplane.catalog.models import Tool

Format = Literal["openai", "openai_responses", "anthropic", "gemini", "mcp", "json"]
FORMATS: tuple[Format, ...] = ("openai", "openai_responses", "anthropic", "gemini", "mcp", "json")


def render_tool(tool: Tool, format: Format) -> dict[str, Any]:
    """The tool in ``format``."""
    if format != "json":
        raise NotImplementedError(format)
    return {
        "slug": tool.slug,
        "name": tool.name,
        "toolkit": tool.toolkit,
        "version": tool.version,
        "description": tool.description,
        "tags": list(tool.tags),
        "behavior": tool.behavior.model_dump(),
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
        "examples": [e.model_dump() for e in tool.examples],
    }
