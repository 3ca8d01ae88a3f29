"""Folding JSON Schema keywords a format cannot carry into the description text.

When a renderer drops a keyword (a default, a length bound, an example) the meaning must not be
lost: the model still reads it, as a short sentence appended to the field's description.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# Keywords with no meaning for a model (identifiers, editor notes, vendor extensions).
SILENT = frozenset({"$schema", "$id", "$comment", "$anchor", "title", "discriminator"})


def show(value: Any) -> str:
    """A value as a model should read it: strings bare, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)


def _count(value: Any, one: str, many: str) -> str:
    return f"{value} {one if value == 1 else many}"


def note(keyword: str, value: Any) -> str | None:
    """The sentence that carries ``keyword: value`` in prose, or None when it says nothing."""
    if keyword in SILENT or keyword.startswith("x-"):
        return None
    match keyword:
        case "default":
            return f"Default: {show(value)}."
        case "examples" if isinstance(value, list) and value:
            label = "Example" if len(value) == 1 else "Examples"
            return f"{label}: {', '.join(show(v) for v in value)}."
        case "examples":
            return None
        case "example":
            return f"Example: {show(value)}."
        case "minLength":
            return f"At least {_count(value, 'character', 'characters')}."
        case "maxLength":
            return f"At most {_count(value, 'character', 'characters')}."
        case "minItems":
            return f"At least {_count(value, 'item', 'items')}."
        case "maxItems":
            return f"At most {_count(value, 'item', 'items')}."
        case "minProperties":
            return f"At least {_count(value, 'entry', 'entries')}."
        case "maxProperties":
            return f"At most {_count(value, 'entry', 'entries')}."
        case "uniqueItems":
            return "Items must be unique." if value else None
        case "format":
            return f"Format: {value}."
        case "pattern":
            return f"Must match the regular expression {value}."
        case "minimum":
            return f"Minimum: {show(value)}."
        case "maximum":
            return f"Maximum: {show(value)}."
        case "exclusiveMinimum":
            return f"Greater than {show(value)}."
        case "exclusiveMaximum":
            return f"Less than {show(value)}."
        case "multipleOf":
            return f"A multiple of {show(value)}."
        case "deprecated":
            return "Deprecated." if value else None
        case "readOnly" | "writeOnly":
            return None
        case _:
            return f"{keyword}: {show(value)}."


def with_notes(description: str | None, notes: Iterable[str | None]) -> str | None:
    """``description`` followed by each note not already in it; None when both are empty."""
    parts = [description.strip()] if description and description.strip() else []
    for text in notes:
        if text and text not in " ".join(parts):
            if parts and not parts[-1].endswith((".", "!", "?", ":")):
                parts[-1] += "."
            parts.append(text)
    return " ".join(parts) or None
