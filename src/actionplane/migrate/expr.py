"""Turning the source automations' template strings into Python expressions.

Each format names earlier answers its own way (n8n ``$json.a`` / ``$node["N"].json.a``, Make
``{{1.a}}``, Zapier ``{{5__a}}``); a ``Ref`` function turns one expression into Python source, or
None when it cannot. What it cannot translate is kept, verbatim, as text and listed as a TODO.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Ref = Callable[[str], str | None]
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Code:
    """Python source standing for a value in generated code."""

    src: str


@dataclass
class Translation:
    """Collects the expressions that could not be translated while values are converted."""

    ref: Ref
    untranslated: list[str] = field(default_factory=list)

    def template(self, value: str) -> Any:
        """A template string as a ``Code`` (or the plain string when it has no expression)."""
        parts: list[str] = []
        pos = 0
        for match in _TEMPLATE.finditer(value):
            if match.start() > pos:
                parts.append(ascii(value[pos : match.start()]))
            expr = match.group(1).strip()
            src = self.ref(expr)
            if src is None:
                self.untranslated.append(expr)
                parts.append(ascii(match.group(0)))
            elif match.start() == 0 and match.end() == len(value):
                return Code(src)
            else:
                parts.append(f"text({src})")
            pos = match.end()
        if not parts:
            return value
        if pos < len(value):
            parts.append(ascii(value[pos:]))
        return Code(" + ".join(parts))

    def convert(self, value: Any, templated: Callable[[str], str | None]) -> Any:
        """Convert nested data; ``templated`` returns a string's template body (or None)."""
        if isinstance(value, str):
            body = templated(value)
            return value if body is None else self.template(body)
        if isinstance(value, dict):
            return {str(k): self.convert(v, templated) for k, v in value.items()}
        if isinstance(value, list):
            return [self.convert(v, templated) for v in value]
        return value


def access_path(chain: str) -> list[str | int] | None:
    """``["a"][0].b`` -> ["a", 0, "b"]; None when the chain is anything else."""
    path: list[str | int] = []
    token = re.compile(
        r"""\s*(?:\[\s*"([^"]*)"\s*\]|\[\s*'([^']*)'\s*\]|\[\s*(-?\d+)\s*\]|\.([A-Za-z_$][\w$]*))"""
    )
    pos = 0
    while pos < len(chain):
        match = token.match(chain, pos)
        if match is None:
            return None
        dq, sq, index, attr = match.groups()
        path.append(int(index) if index is not None else (dq if dq is not None else sq or attr))
        pos = match.end()
    return path


def pick_src(base: str, path: list[str | int]) -> str:
    return f"pick({', '.join([base, *(repr(p) for p in path)])})" if path else base


def render(value: Any, indent: int) -> str:
    """Python source for ``value``, with ``Code`` leaves inlined, one entry per line."""
    pad = "    " * (indent + 1)
    end = "    " * indent
    if isinstance(value, Code):
        return value.src
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{json.dumps(k)}: {render(v, indent + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{end}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "\n".join(f"{pad}{render(v, indent + 1)}," for v in value) + f"\n{end}]"
    if isinstance(value, str):
        return ascii(value)
    return repr(value)
