"""Argument validation whose errors a model can act on: the field, what was expected, an example."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema

from actionplane.catalog.models import Tool
from actionplane.errors import ToolValidationError


@lru_cache(maxsize=4096)
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json.loads(schema_json), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _field_path(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return f"{path}.{missing}" if path else missing
    if error.validator == "additionalProperties":
        return path or "(arguments)"
    return path or "(arguments)"


def _example_value(tool: Tool, field: str) -> Any:
    top = field.split(".")[0]
    for example in tool.examples:
        if top in example.arguments:
            return example.arguments[top]
    prop = tool.input_schema.get("properties", {}).get(top, {})
    if "enum" in prop:
        return prop["enum"][0]
    if prop.get("examples"):
        return prop["examples"][0]
    return None


def _expected(tool: Tool, error: jsonschema.ValidationError, field: str) -> str:
    top = field.split(".")[0]
    prop = tool.input_schema.get("properties", {}).get(top, {})
    if error.validator == "required":
        kind = prop.get("type", "a value")
        return f"required {kind}" + (f": {prop['description']}" if "description" in prop else "")
    if error.validator == "additionalProperties":
        allowed = sorted(tool.input_schema.get("properties", {}))
        return f"only these arguments: {', '.join(allowed)}"
    if error.validator == "enum":
        return "one of " + ", ".join(json.dumps(v) for v in list(error.validator_value))  # type: ignore[arg-type]
    if error.validator == "type":
        return f"type {error.validator_value}"
    return str(error.validator) + " " + json.dumps(error.validator_value, default=str)


def validate_arguments(tool: Tool, arguments: Any) -> dict[str, Any]:
    """Return ``arguments`` if they satisfy the tool's input schema, else raise with every fault."""
    if not isinstance(arguments, dict):
        raise ToolValidationError(
            tool.slug,
            [
                {
                    "field": "(arguments)",
                    "message": "arguments must be a JSON object",
                    "expected": "object",
                    "example": tool.examples[0].arguments if tool.examples else {},
                }
            ],
        )
    validator = _validator(json.dumps(tool.input_schema, sort_keys=True))
    problems = []
    for error in sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path)):
        field = _field_path(error)
        problem: dict[str, Any] = {
            "field": field,
            "message": error.message,
            "expected": _expected(tool, error, field),
        }
        example = _example_value(tool, field)
        if example is not None:
            problem["example"] = example
        problems.append(problem)
    if problems:
        raise ToolValidationError(tool.slug, problems)
    return arguments
