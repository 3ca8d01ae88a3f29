"""Strict-mode arguments turned back into arguments for the canonical schema."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Decoder:
    """How strict-mode arguments for one schema node map back to canonical arguments."""

    json: bool = False  # the value is a JSON-encoded string standing for an open shape
    drop_null: frozenset[str] = frozenset()
    properties: dict[str, Decoder] = field(default_factory=dict)
    items: Decoder | None = None

    def __call__(self, value: Any) -> Any:
        if self.json and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value  # canonical validation reports it, naming the field
        if isinstance(value, dict) and (self.drop_null or self.properties):
            return {
                key: self.properties[key](item) if key in self.properties else item
                for key, item in value.items()
                if not (item is None and key in self.drop_null)
            }
        if isinstance(value, list) and self.items is not None:
            return [self.items(item) for item in value]
        return value
