"""One worked example per tool: the required arguments, with values its input schema accepts.

The catalog checks every example against the tool's input schema, so each value is checked
here too: the description's own example first (a parameter's ``example``, a schema's
``examples`` or ``default``), else a value made from the schema (an enum's first value, a
format's typical value, a bound, a string matching a simple pattern).
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from actionplane.migrate.openapi._patterns import matching_string
from actionplane.migrate.openapi._schema import JsonSchema

_FORMATS = {
    "date-time": "2024-01-15T09:30:00Z",
    "date": "2024-01-15",
    "time": "09:30:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "binary": "example",
    "byte": "ZXhhbXBsZQ==",
}
_STRINGS = ("example", "abc", "a", "1", "123", "A1", "example-1", "2024-01-15", "ABC", "a.b")


def _check(schema: JsonSchema, value: Any) -> bool:
    try:
        return bool(jsonschema.Draft202012Validator(schema).is_valid(value))
    except (jsonschema.SchemaError, re.error):
        return False


def _types(schema: JsonSchema) -> list[str]:
    kinds = schema.get("type")
    listed = [kinds] if isinstance(kinds, str) else list(kinds or [])
    return [k for k in listed if k != "null"]


def _string(schema: JsonSchema) -> str:
    candidates = [_FORMATS[schema["format"]]] if schema.get("format") in _FORMATS else []
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        candidates += [s for s in [matching_string(pattern)] if s is not None]
    candidates += _STRINGS
    low = int(schema.get("minLength", 0))
    for candidate in candidates:
        for value in (candidate, candidate * max(1, -(-low // max(len(candidate), 1)))):
            if _check(schema, value):
                return value
    return "example"


def sample(schema: Any, depth: int = 0) -> Any:
    """A value ``schema`` accepts (best effort; ``None`` when it accepts anything)."""
    if not isinstance(schema, dict) or depth > 12:
        return "example"
    for key in ("examples",):
        values = schema.get(key)
        if isinstance(values, list) and values and _check(schema, values[0]):
            return values[0]
    if "default" in schema and _check(schema, schema["default"]):
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list):
        return next((v for v in schema["enum"] if v is not None), None)
    if isinstance(schema.get("anyOf"), list):
        variants = [v for v in schema["anyOf"] if v != {"type": "null"}]
        return sample(variants[0], depth + 1) if variants else None
    kinds = _types(schema)
    kind = kinds[0] if kinds else None
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [sample(schema.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "object" or "properties" in schema:
        return required_sample(schema, depth + 1)
    return "example"


def _number(schema: JsonSchema, kind: str) -> int | float:
    value: float = 1
    if "minimum" in schema:
        value = max(value, schema["minimum"]) if schema["minimum"] <= 1 else schema["minimum"]
    if "exclusiveMinimum" in schema:
        value = max(value, schema["exclusiveMinimum"] + 1)
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    if "exclusiveMaximum" in schema:
        value = min(value, schema["exclusiveMaximum"] - 1)
    if schema.get("multipleOf"):
        step = schema["multipleOf"]
        value = -(-value // step) * step
    return int(value) if kind == "integer" else value


def required_sample(schema: JsonSchema, depth: int = 0) -> dict[str, Any]:
    """An object with a value for each of ``schema``'s required properties."""
    properties = schema.get("properties") or {}
    return {
        name: sample(properties.get(name, {}), depth)
        for name in schema.get("required") or []
        if name in properties
    }


def example_arguments(input_schema: JsonSchema, given: dict[str, Any]) -> dict[str, Any] | None:
    """Arguments for the required properties, valid for ``input_schema``; None if none are found."""
    properties = input_schema.get("properties") or {}
    arguments: dict[str, Any] = {}
    for name in input_schema.get("required") or []:
        schema = properties.get(name, {})
        if name in given and _check(schema, given[name]):
            arguments[name] = given[name]
        else:
            arguments[name] = sample(schema)
    return arguments if _check(input_schema, arguments) else None
