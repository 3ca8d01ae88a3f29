"""The canonical schema narrowed to the JSON Schema subset Gemini documents for function calling.

Gemini's ``parametersJsonSchema`` / ``responseJsonSchema`` read: type (including ``null`` and type
lists), title, description, enum, format, minimum, maximum, items, prefixItems, minItems,
maxItems, properties, required, additionalProperties, propertyOrdering, anyOf, $ref, $defs, $id
and $anchor. Other keywords are ignored by the API, silently; here they are folded into the
description instead (a default, a pattern, a length bound), ``const`` becomes a one-value
``enum``, ``oneOf`` becomes ``anyOf`` and ``allOf`` is merged.

Pure: the input schema is never modified.
"""

from __future__ import annotations

import copy
from typing import Any

from actionplane.catalog.render._notes import note, with_notes
from actionplane.catalog.render._strict import merge_all_of

JsonSchema = dict[str, Any]

SUPPORTED = frozenset(
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum",
        "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum", "properties",
        "required", "additionalProperties", "propertyOrdering", "anyOf",
    }
)  # fmt: skip


def gemini_schema(schema: Any) -> Any:
    """``schema`` with only the keywords Gemini reads; the meaning of the others kept as text."""
    return _narrow(copy.deepcopy(schema))  # nothing returned may alias the tool's own schema


def _narrow(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    schema = merge_all_of(schema)
    out: JsonSchema = {}
    notes: list[str | None] = []
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions"):
            target = "$defs" if key == "definitions" else key
            out[target] = {name: _narrow(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _narrow(value)
        elif key in ("anyOf", "oneOf", "prefixItems"):
            target = "anyOf" if key == "oneOf" else key
            out[target] = [_narrow(sub) for sub in value]
        elif key == "const":
            out["enum"] = [value]
        elif key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/definitions/", "#/$defs/")
        elif key in SUPPORTED:
            out[key] = value
        elif key != "description":
            notes.append(note(key, value))
    description = with_notes(schema.get("description"), notes)
    if description:
        out["description"] = description
    return out
