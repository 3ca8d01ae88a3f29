"""Reconciling an unknown outcome: did the write we could not confirm actually happen?

The tool's declared ``lookup`` (a read) is called with arguments mapped from the input; an item
in its result whose fields equal the call's own scalar arguments is taken as the write's result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actionplane.catalog.models import ArgumentMapping


def resolve_mapping(
    mapping: ArgumentMapping, arguments: Mapping[str, Any], result: Any
) -> dict[str, Any]:
    """The mapped arguments: ``$input.a.b`` / ``$result.x`` strings read from the call."""
    sources = {"input": arguments, "result": result}

    def read(reference: str) -> Any:
        root, _, path = reference[1:].partition(".")
        value: Any = sources.get(root)
        for part in path.split(".") if path else []:
            if isinstance(value, Mapping):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    resolved: dict[str, Any] = {}
    for name, value in mapping.arguments.items():
        if isinstance(value, str) and value.startswith(("$input", "$result")):
            found = read(value)
            if found is not None:
                resolved[name] = found
        else:
            resolved[name] = value
    return resolved


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for value in data.values():
            if isinstance(value, list):
                return value
    return []


def find_applied(lookup_data: Any, arguments: Mapping[str, Any]) -> Any | None:
    """The item of a lookup result that matches every scalar argument it shares, if any."""
    scalars = {k: v for k, v in arguments.items() if isinstance(v, str | int | float | bool)}
    for item in _items(lookup_data):
        if not isinstance(item, Mapping):
            continue
        shared = [key for key in scalars if key in item]
        if shared and all(item[key] == scalars[key] for key in shared):
            return item
    return None
