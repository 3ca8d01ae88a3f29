"""Every format's rendering of every built-in tool, checked against that format's documented rules.

- Anthropic Messages API, client tools: ``name`` (^[a-zA-Z0-9_-]{1,64}$), ``description`` and
  ``input_schema``, a JSON Schema whose root is an object
  (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use).
- Gemini ``FunctionDeclaration``: ``name`` starts with a letter or underscore, then letters, digits,
  underscores, dots, colons or dashes, at most 64; ``parametersJsonSchema`` describes an object
  and excludes ``parameters``; ``responseJsonSchema`` excludes ``response``
  (https://ai.google.dev/api/caching#FunctionDeclaration); the JSON Schema keywords Gemini reads
  (https://ai.google.dev/gemini-api/docs/structured-output#json-schema-support).
- MCP ``Tool`` (schema/2025-11-25/schema.ts in modelcontextprotocol/modelcontextprotocol):
  ``inputSchema`` and ``outputSchema`` have ``type: "object"`` at the root; ``annotations`` holds
  title, readOnlyHint, destructiveHint, idempotentHint and openWorldHint.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from actionplane.catalog.loader import load_builtin_toolkits
from actionplane.catalog.models import Tool
from actionplane.catalog.render import (
    FORMATS,
    decode_arguments,
    mcp_structured_content,
    render_tool,
)
from actionplane.cli.app import app
from tests.test_render_openai import make_tool, strict_violations

TOOLS = [tool for toolkit in load_builtin_toolkits() for tool in toolkit.tools]
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
GEMINI_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
GEMINI_KEYWORDS = {
    "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items",
    "prefixItems", "minItems", "maxItems", "minimum", "maximum", "properties", "required",
    "additionalProperties", "propertyOrdering", "anyOf",
}  # fmt: skip

_OBJECT_SCHEMA = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "$schema": {"type": "string"},
        "type": {"const": "object"},
        "properties": {"type": "object", "additionalProperties": {"type": "object"}},
        "required": {"type": "array", "items": {"type": "string"}},
    },
}
# The MCP Tool of schema.ts (2025-11-25), closed here so that nothing unknown slips in.
MCP_TOOL = {
    "type": "object",
    "required": ["name", "inputSchema"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "inputSchema": _OBJECT_SCHEMA,
        "outputSchema": _OBJECT_SCHEMA,
        "annotations": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "title": {"type": "string"},
                "readOnlyHint": {"type": "boolean"},
                "destructiveHint": {"type": "boolean"},
                "idempotentHint": {"type": "boolean"},
                "openWorldHint": {"type": "boolean"},
            },
        },
        "execution": {"type": "object"},
        "icons": {"type": "array"},
        "_meta": {"type": "object"},
    },
}


def tool_id(tool: Tool) -> str:
    return tool.slug


def keywords(schema: Any) -> set[str]:
    """Every keyword used anywhere in ``schema`` (property names are not keywords)."""
    if isinstance(schema, list):
        return set().union(*(keywords(s) for s in schema))
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            found |= set().union(*(keywords(s) for s in value.values()))
        elif key in ("items", "additionalProperties", "anyOf", "prefixItems"):
            found |= keywords(value)
    return found


def test_built_in_toolkits_are_loaded() -> None:
    assert len(TOOLS) >= 3
    assert "GITHUB_CREATE_ISSUE" in {t.slug for t in TOOLS}


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_every_format_names_the_tool_by_its_slug(tool: Tool) -> None:
    assert NAME.match(tool.slug)
    for format in FORMATS:
        rendered = render_tool(tool, format)
        name = rendered["slug"] if format == "json" else rendered.get("function", rendered)["name"]
        assert name == tool.slug


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_anthropic_takes_the_canonical_schema(tool: Tool) -> None:
    rendered = render_tool(tool, "anthropic")
    assert set(rendered) == {"name", "description", "input_schema"}
    assert NAME.match(rendered["name"])
    assert rendered["description"] == tool.description
    assert rendered["input_schema"] == tool.input_schema
    assert rendered["input_schema"]["type"] == "object"
    jsonschema.Draft202012Validator.check_schema(rendered["input_schema"])


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_gemini_uses_only_the_keywords_it_documents(tool: Tool) -> None:
    rendered = render_tool(tool, "gemini")
    assert set(rendered) == {"name", "description", "parametersJsonSchema", "responseJsonSchema"}
    assert GEMINI_NAME.match(rendered["name"])
    for key in ("parametersJsonSchema", "responseJsonSchema"):
        schema = rendered[key]
        assert schema["type"] == "object", key
        assert keywords(schema) <= GEMINI_KEYWORDS, keywords(schema) - GEMINI_KEYWORDS
        jsonschema.Draft202012Validator.check_schema(schema)
    parameters = rendered["parametersJsonSchema"]
    for example in tool.examples:
        jsonschema.Draft202012Validator(parameters).validate(example.arguments)
    for name, canonical in tool.input_schema["properties"].items():
        if "default" in canonical:
            assert "Default: " in parameters["properties"][name]["description"], name


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_mcp_tool_matches_the_spec_and_mirrors_the_behaviour_record(tool: Tool) -> None:
    rendered = render_tool(tool, "mcp")
    jsonschema.Draft202012Validator(MCP_TOOL).validate(rendered)
    assert rendered["inputSchema"] == tool.input_schema
    behavior = tool.behavior
    assert rendered["annotations"] == {
        "title": tool.name,
        "readOnlyHint": behavior.read_only,
        "destructiveHint": behavior.destructive,
        "idempotentHint": behavior.idempotent,
        "openWorldHint": behavior.open_world,
    }
    output = rendered["outputSchema"]
    jsonschema.Draft202012Validator.check_schema(output)
    if tool.output_schema.get("type") == "object":
        assert output == tool.output_schema
    else:
        assert output["properties"]["result"] == tool.output_schema


def test_mcp_wraps_a_result_that_is_not_an_object() -> None:
    listing = make_tool({"type": "object", "properties": {}}, output_schema={"type": "array"})
    rendered = render_tool(listing, "mcp")
    content = mcp_structured_content(listing, [{"number": 1}])
    assert content == {"result": [{"number": 1}]}
    jsonschema.validate(content, rendered["outputSchema"])
    single = make_tool({"type": "object", "properties": {}})
    assert mcp_structured_content(single, {"id": 1}) == {"id": 1}


@pytest.mark.parametrize(
    ("behavior", "hints"),
    [
        ({"read_only": True, "idempotent": True}, (True, False, True, True)),
        ({"destructive": True, "idempotent": True}, (False, True, True, True)),
        ({"open_world": False}, (False, False, False, False)),
    ],
)
def test_mcp_annotations_follow_each_behaviour_flag(
    behavior: dict[str, bool], hints: tuple[bool, ...]
) -> None:
    tool = make_tool({"type": "object", "properties": {}}, behavior=behavior)
    annotations = render_tool(tool, "mcp")["annotations"]
    assert (
        annotations["readOnlyHint"],
        annotations["destructiveHint"],
        annotations["idempotentHint"],
        annotations["openWorldHint"],
    ) == hints


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_json_is_the_tool_as_actionplane_knows_it(tool: Tool) -> None:
    rendered = render_tool(tool, "json")
    assert rendered["slug"] == tool.slug
    assert rendered["input_schema"] == tool.input_schema
    assert rendered["behavior"] == tool.behavior.model_dump()
    json.dumps(rendered)


@pytest.mark.parametrize("format", FORMATS)
def test_no_format_changes_the_tool_or_shares_its_schema(format: Any) -> None:
    for tool in TOOLS:
        before = copy.deepcopy(tool.model_dump())
        rendered = render_tool(tool, format)
        _scramble(rendered)
        assert tool.model_dump() == before


def _scramble(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _scramble(item)
        value["scrambled"] = True
    elif isinstance(value, list):
        for item in value:
            _scramble(item)
        value.append("scrambled")


def test_formats_other_than_openai_take_arguments_as_they_come() -> None:
    tool = next(t for t in TOOLS if t.slug == "GITHUB_CREATE_ISSUE")
    arguments = {"owner": "octocat", "repo": "hello-world", "title": "Hi", "body": None}
    for format in ("anthropic", "gemini", "mcp", "json"):
        assert decode_arguments(tool, format, arguments) == arguments
    assert decode_arguments(tool, "openai", arguments) == {
        "owner": "octocat",
        "repo": "hello-world",
        "title": "Hi",
    }


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render_tool(TOOLS[0], "cohere")  # type: ignore[arg-type]


@pytest.mark.parametrize("format", FORMATS)
def test_cli_prints_github_create_issue_in_each_format(format: str) -> None:
    result = CliRunner().invoke(app, ["tools", "show", "GITHUB_CREATE_ISSUE", "--format", format])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    tool = next(t for t in TOOLS if t.slug == "GITHUB_CREATE_ISSUE")
    assert printed == render_tool(tool, format)  # type: ignore[arg-type]
    if format == "openai":
        assert printed["function"]["strict"] is True
        assert strict_violations(printed["function"]["parameters"]) == []
