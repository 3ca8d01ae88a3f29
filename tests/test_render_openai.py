"""The ``openai`` and ``openai_responses`` renderings obey strict-mode rules, for every tool.

The checker below is written from OpenAI's documentation, not from the renderer: Structured
Outputs, "Supported schemas" (https://platform.openai.com/docs/guides/structured-outputs
#supported-schemas) and Function calling, "Strict mode"
(https://platform.openai.com/docs/guides/function-calling#strict-mode):

- supported types: string, number, boolean, integer, object, array, enum, anyOf;
- string keywords: pattern, format (date-time, time, date, duration, email, hostname, ipv4, ipv6,
  uuid); number keywords: multipleOf, maximum, exclusiveMaximum, minimum, exclusiveMinimum; array
  keywords: minItems, maxItems;
- "Root objects must not be anyOf and must be an object";
- "All fields must be required"; optional fields are emulated with a union with null;
- "additionalProperties: false must always be set in objects";
- not supported: allOf, not, dependentRequired, dependentSchemas, if, then, else;
- up to 5000 object properties and 10 levels of nesting; 120,000 characters of property names,
  definition names, enum and const values; 1000 enum values; a string enum of more than 250
  values at most 15,000 characters;
- a function name matches ^[a-zA-Z0-9_-]{1,64}$.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest

from actionplane.catalog.loader import load_builtin_toolkits
from actionplane.catalog.models import Tool
from actionplane.catalog.render import decode_arguments, render_tool

TOOLS = [tool for toolkit in load_builtin_toolkits() for tool in toolkit.tools]
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
TYPES = {"string", "number", "boolean", "integer", "object", "array", "null"}
ANNOTATIONS = {"description", "title"}
COMMON = {"type", "enum", "const", "anyOf", "$ref"}
PER_TYPE = {
    "string": {"pattern", "format"},
    "number": {"multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"},
    "integer": {"multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"},
    "array": {"items", "minItems", "maxItems"},
    "object": {"properties", "required", "additionalProperties"},
    "boolean": set(),
    "null": set(),
}
FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}


class Budget:
    def __init__(self) -> None:
        self.properties = 0
        self.enum_values = 0
        self.characters = 0


def strict_violations(parameters: Any) -> list[str]:
    """Every way ``parameters`` breaks OpenAI's documented strict-mode rules (empty if none)."""
    problems: list[str] = []
    if not isinstance(parameters, dict) or parameters.get("type") != "object":
        return ["root: must be an object schema"]
    if "anyOf" in parameters:
        problems.append("root: must not be anyOf")
    defs = parameters.get("$defs", {})
    budget = Budget()
    budget.characters += sum(len(name) for name in defs)
    for name, sub in defs.items():
        _check(sub, f"$defs/{name}", 0, defs, budget, problems)
    _check({k: v for k, v in parameters.items() if k != "$defs"}, "", 0, defs, budget, problems)
    if budget.properties > 5000:
        problems.append(f"{budget.properties} object properties in all (limit 5000)")
    if budget.enum_values > 1000:
        problems.append(f"{budget.enum_values} enum values in all (limit 1000)")
    if budget.characters > 120_000:
        problems.append(f"{budget.characters} characters of names and values (limit 120000)")
    return problems


def _check(
    node: Any, where: str, depth: int, defs: dict[str, Any], budget: Budget, problems: list[str]
) -> None:
    at = where or "(root)"
    if not isinstance(node, dict):
        problems.append(f"{at}: a schema must be an object, got {node!r}")
        return
    if "$ref" in node:
        ref = node["$ref"]
        if set(node) != {"$ref"}:
            problems.append(f"{at}: $ref with sibling keywords")
        if ref != "#" and not (ref.startswith("#/$defs/") and ref[8:] in defs):
            problems.append(f"{at}: $ref {ref} does not resolve")
        return
    kinds = node.get("type")
    kind_list = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if isinstance(kinds, list) and (len(kinds) != 2 or "null" not in kinds):
        problems.append(f"{at}: a type list is only a type and null, got {kinds}")
    if not kind_list and not {"anyOf", "enum", "const"} & set(node):
        problems.append(f"{at}: no type, anyOf, enum or const (an open schema)")
    allowed = COMMON | ANNOTATIONS
    for kind in kind_list:
        if kind not in TYPES:
            problems.append(f"{at}: unsupported type {kind!r}")
        allowed |= PER_TYPE.get(kind, set())
    for keyword in sorted(set(node) - allowed):
        problems.append(f"{at}: keyword {keyword!r} is not supported for {kind_list or 'enum'}")
    if "format" in node and node["format"] not in FORMATS:
        problems.append(f"{at}: format {node['format']!r} is not supported")
    if "enum" in node:
        values = node["enum"]
        budget.enum_values += len(values)
        strings = [v for v in values if isinstance(v, str)]
        budget.characters += sum(len(v) for v in strings)
        if len(values) > 250 and sum(len(v) for v in strings) > 15_000:
            problems.append(f"{at}: more than 250 enum values and over 15000 characters")
    if isinstance(node.get("const"), str):
        budget.characters += len(node["const"])
    for index, variant in enumerate(node.get("anyOf", [])):
        _check(variant, f"{where}/anyOf/{index}", depth, defs, budget, problems)
    if "object" in kind_list:
        if depth + 1 > 10:
            problems.append(f"{at}: more than 10 levels of object nesting")
        properties = node.get("properties")
        if not isinstance(properties, dict):
            problems.append(f"{at}: an object without properties")
            properties = {}
        if node.get("additionalProperties") is not False:
            problems.append(f"{at}: additionalProperties must be false")
        required = node.get("required", [])
        if sorted(required) != sorted(properties) or len(set(required)) != len(required):
            problems.append(f"{at}: required {required} is not every property {list(properties)}")
        budget.properties += len(properties)
        budget.characters += sum(len(name) for name in properties)
        for name, sub in properties.items():
            _check(sub, f"{where}/{name}", depth + 1, defs, budget, problems)
    if "array" in kind_list:
        if "items" not in node:
            problems.append(f"{at}: an array without items")
        else:
            _check(node["items"], f"{where}/items", depth, defs, budget, problems)


def tool_id(tool: Tool) -> str:
    return tool.slug


def make_tool(input_schema: dict[str, Any], **fields: Any) -> Tool:
    return Tool.model_validate(
        {
            "slug": "TEST_TOOL",
            "name": "Test tool",
            "description": "A tool built in a test to exercise one schema shape.",
            "toolkit": "test",
            "version": "1.0.0",
            "input_schema": input_schema,
            "http": {"method": "POST", "path": "/"},
            **fields,
        }
    )


def encode(schema: Any, value: Any, root: dict[str, Any]) -> Any:
    """Canonical arguments as a strict-mode model would send them (test-side, from the schema)."""
    if "$ref" in schema:
        ref = schema["$ref"]
        return encode(root if ref == "#" else root["$defs"][ref[8:]], value, root)
    if value is None:
        return None
    if "anyOf" in schema:
        for variant in schema["anyOf"]:
            candidate = encode(variant, value, root)
            if jsonschema.Draft202012Validator(
                {**variant, "$defs": root.get("$defs", {})}
            ).is_valid(candidate):
                return candidate
        return value
    kinds = schema.get("type")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds or [])
    if "string" in kinds and not isinstance(value, str):
        return json.dumps(value)
    if "object" in kinds and isinstance(value, dict):
        return {
            name: encode(sub, value.get(name), root) for name, sub in schema["properties"].items()
        }
    if "array" in kinds and isinstance(value, list):
        return [encode(schema["items"], item, root) for item in value]
    return value


# -- the checker itself catches what it should ------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, "additionalProperties"),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "is not every property",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "default": "x"}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "'default'",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "format": "uri"}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "format 'uri'",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "object"}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "without properties",
        ),
        ({"anyOf": [{"type": "object"}]}, "root"),
        (
            {
                "type": "object",
                "properties": {"a": {"allOf": [{"type": "string"}]}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "'allOf'",
        ),
    ],
)
def test_the_checker_rejects_what_strict_mode_rejects(schema: Any, problem: str) -> None:
    assert any(problem in p for p in strict_violations(schema)), strict_violations(schema)


def test_the_checker_counts_nesting() -> None:
    leaf: dict[str, Any] = {"type": "string"}
    for _ in range(11):
        leaf = {
            "type": "object",
            "properties": {"a": leaf},
            "required": ["a"],
            "additionalProperties": False,
        }
    assert any("10 levels" in p for p in strict_violations(leaf))


# -- every built-in tool ------------------------------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_openai_rendering_is_valid_under_strict_mode(tool: Tool) -> None:
    rendered = render_tool(tool, "openai")
    assert rendered["type"] == "function"
    function = rendered["function"]
    assert set(function) == {"name", "description", "parameters", "strict"}
    assert function["strict"] is True
    assert NAME.match(function["name"])
    assert function["description"].startswith(tool.description)
    assert strict_violations(function["parameters"]) == []
    jsonschema.Draft202012Validator.check_schema(function["parameters"])


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_responses_rendering_is_the_chat_function_without_its_wrapper(tool: Tool) -> None:
    chat = render_tool(tool, "openai")
    responses = render_tool(tool, "openai_responses")
    assert responses == {"type": "function", **chat["function"]}


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_optional_arguments_are_nullable_and_null_is_accepted(tool: Tool) -> None:
    parameters = render_tool(tool, "openai")["function"]["parameters"]
    required = set(tool.input_schema.get("required", []))
    example = tool.examples[0].arguments
    arguments = encode(parameters, {k: v for k, v in example.items() if k in required}, parameters)
    for name in set(tool.input_schema["properties"]) - required:
        assert arguments[name] is None
    jsonschema.Draft202012Validator(parameters).validate(arguments)
    decoded = decode_arguments(tool, "openai", arguments)
    jsonschema.Draft202012Validator(tool.input_schema).validate(decoded)


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
@pytest.mark.parametrize("format", ["openai", "openai_responses"])
def test_every_example_survives_the_round_trip(tool: Tool, format: Any) -> None:
    parameters = render_tool(tool, "openai")["function"]["parameters"]
    for example in tool.examples:
        sent = encode(parameters, example.arguments, parameters)
        jsonschema.Draft202012Validator(parameters).validate(sent)
        decoded = decode_arguments(tool, format, sent)
        jsonschema.Draft202012Validator(tool.input_schema).validate(decoded)
        present = {k: v for k, v in decoded.items() if v is not None}
        assert present == {k: v for k, v in example.arguments.items() if v is not None}


@pytest.mark.parametrize("tool", TOOLS, ids=tool_id)
def test_dropped_keywords_live_on_in_the_description(tool: Tool) -> None:
    parameters = render_tool(tool, "openai")["function"]["parameters"]
    for name, canonical in tool.input_schema["properties"].items():
        text = json.dumps(parameters["properties"][name])
        if "default" in canonical:
            assert "Default: " in text, name
        if "minLength" in canonical:
            assert f"At least {canonical['minLength']} character" in text, name
        if canonical.get("description"):
            assert json.dumps(canonical["description"])[1:-1] in text, name


def test_rendering_never_touches_the_tool() -> None:
    for tool in TOOLS:
        before = copy.deepcopy((tool.input_schema, tool.output_schema))
        for format in ("openai", "openai_responses"):
            rendered = render_tool(tool, format)
            parameters = rendered.get("parameters") or rendered["function"]["parameters"]
            parameters["properties"].clear()
        assert (tool.input_schema, tool.output_schema) == before


# -- shapes the built-in toolkits may not have yet -----------------------------------------------


def strict(input_schema: dict[str, Any]) -> dict[str, Any]:
    parameters: dict[str, Any] = render_tool(make_tool(input_schema), "openai")["function"][
        "parameters"
    ]
    assert strict_violations(parameters) == []
    return parameters


def test_github_create_issue_reads_as_documented() -> None:
    tool = next(t for t in TOOLS if t.slug == "GITHUB_CREATE_ISSUE")
    parameters = render_tool(tool, "openai")["function"]["parameters"]
    assert parameters["required"] == list(tool.input_schema["properties"])
    assert parameters["properties"]["owner"]["type"] == "string"
    assert parameters["properties"]["body"]["type"] == ["string", "null"]
    assert parameters["properties"]["labels"]["type"] == ["array", "null"]
    assert "At least 1 character." in parameters["properties"]["title"]["description"]
    assert "Example: octocat." in parameters["properties"]["owner"]["description"]


def test_optional_enum_becomes_a_union_with_null() -> None:
    parameters = strict(
        {
            "type": "object",
            "properties": {
                "state": {"type": "string", "enum": ["open", "closed"], "default": "open"}
            },
        }
    )
    state = parameters["properties"]["state"]
    assert state["anyOf"] == [{"type": "string", "enum": ["open", "closed"]}, {"type": "null"}]
    assert state["description"] == "Default: open."
    jsonschema.validate({"state": None}, parameters)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"state": "merged"}, parameters)


def test_open_objects_and_any_values_travel_as_json_strings() -> None:
    schema = {
        "type": "object",
        "properties": {
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "fields": {"type": "object", "description": "Raw fields."},
            "value": {"description": "Anything."},
            "rows": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["fields"],
    }
    parameters = strict(schema)
    assert parameters["properties"]["metadata"]["type"] == ["string", "null"]
    assert "each value a string" in parameters["properties"]["metadata"]["description"]
    assert parameters["properties"]["fields"]["type"] == "string"
    assert parameters["properties"]["fields"]["description"].startswith("Raw fields.")
    sent = {
        "metadata": '{"order": "6735"}',
        "fields": '{"a": 1}',
        "value": "[1, 2]",
        "rows": ['{"x": 1}'],
    }
    jsonschema.validate(sent, parameters)
    decoded = decode_arguments(make_tool(schema), "openai", sent)
    assert decoded == {
        "metadata": {"order": "6735"},
        "fields": {"a": 1},
        "value": [1, 2],
        "rows": [{"x": 1}],
    }
    jsonschema.validate(decoded, schema)


def test_null_is_kept_where_the_canonical_schema_accepts_it() -> None:
    schema = {
        "type": "object",
        "properties": {"due": {"type": ["string", "null"]}, "note": {"type": "string"}},
    }
    parameters = strict(schema)
    assert parameters["properties"]["due"]["type"] == ["string", "null"]
    decoded = decode_arguments(make_tool(schema), "openai", {"due": None, "note": None})
    assert decoded == {"due": None}


def test_nested_objects_close_and_their_optional_fields_become_nullable() -> None:
    schema = {
        "type": "object",
        "properties": {
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
                "required": ["city"],
            }
        },
        "required": ["address"],
    }
    parameters = strict(schema)
    address = parameters["properties"]["address"]
    assert address["required"] == ["city", "zip"]
    assert address["properties"]["zip"]["type"] == ["string", "null"]
    decoded = decode_arguments(
        make_tool(schema), "openai", {"address": {"city": "Oslo", "zip": None}}
    )
    assert decoded == {"address": {"city": "Oslo"}}


def test_composition_is_rewritten_into_what_strict_mode_reads() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "id": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "uri"}]},
            "who": {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}]},
            "either": {"type": ["string", "integer"]},
            "maybe": {"type": ["string", "integer", "null"]},
            "email": {"type": "string"},
            "phone": {"type": "string"},
        },
        "anyOf": [{"required": ["email"]}, {"required": ["phone"]}],
    }
    parameters = strict(schema)
    assert "description" not in parameters
    rendered = render_tool(make_tool(schema), "openai")["function"]
    assert rendered["description"].endswith("Provide at least one of: email; phone.")
    ids = parameters["properties"]["id"]["anyOf"]
    assert ids[1] == {"type": "string", "description": "Format: uri."}
    assert ids[-1] == {"type": "null"}
    assert parameters["properties"]["who"]["properties"]["a"]["type"] == ["string", "null"]
    for name in ("either", "maybe"):
        variants = parameters["properties"][name]["anyOf"]
        assert [v.get("type") for v in variants] == ["string", "integer", "null"]
    tool = make_tool(schema)
    decoded = decode_arguments(tool, "openai", {"id": 3, "either": None, "maybe": None})
    assert decoded == {"id": 3, "maybe": None}


def test_definitions_are_inlined_and_recursion_is_kept_as_a_reference() -> None:
    node = {
        "type": "object",
        "properties": {"value": {"type": "string"}, "next": {"$ref": "#/$defs/node"}},
        "required": ["value"],
    }
    parameters = strict(
        {
            "type": "object",
            "properties": {"head": {"$ref": "#/$defs/node", "description": "First node."}},
            "required": ["head"],
            "$defs": {"node": node},
        }
    )
    head = parameters["properties"]["head"]
    assert head["description"] == "First node."
    assert head["properties"]["next"] == {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}
    assert parameters["$defs"]["node"]["additionalProperties"] is False
    sent = {"head": {"value": "a", "next": {"value": "b", "next": None}}}
    jsonschema.validate(sent, parameters)


def test_a_tool_without_arguments_still_has_an_object_root() -> None:
    parameters = strict({"type": "object", "properties": {}})
    assert parameters == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }
