"""Which real OpenAPI description holds each built-in toolkit's operations."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from actionplane.catalog.models import Tool

# Preferred first: a smaller description starts faster; the full one covers the rest.
SPEC_FILES = {
    "github": ["github.json"],
    "slack": ["slack.json"],
    "jira": ["jira.json"],
    "stripe": ["stripe.subset.json", "stripe.full-collapsed.json"],
}


@cache
def load_spec(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(path.read_text())
    return spec


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))


def operation_in(spec: dict[str, Any], method: str, path: str) -> bool:
    shape = _shape(path)
    for candidate, operations in spec["paths"].items():
        if _shape(candidate) == shape and method.lower() in operations:
            return True
    return False


def spec_for(tool: Tool, specs_dir: Path) -> Path | None:
    """The first description of the tool's toolkit that declares its method and path."""
    for name in SPEC_FILES.get(tool.toolkit, []):
        path = specs_dir / name
        if path.exists() and operation_in(load_spec(path), tool.http.method, tool.http.path):
            return path
    return None
