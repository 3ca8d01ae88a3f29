"""A short string that matches a regular expression, for example values of patterned strings.

Walks the expression as Python's own parser reads it (``re._parser``; no public API gives the
parse tree): literals are kept, classes give their first member, repeats their minimum count,
alternations their first branch. Good enough for the patterns API descriptions use (digests,
base64, key prefixes); the caller checks the result and tries something else when it fails.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_CATEGORIES = {
    "CATEGORY_DIGIT": "1",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}
_FALLBACKS = "a1A-_ .b2"


def matching_string(pattern: str) -> str | None:
    """A string ``re.search(pattern, ...)`` accepts, or None."""
    try:
        candidate = _emit(_parser.parse(pattern))
    except (re.error, RecursionError, TypeError, ValueError, IndexError):
        return None
    return candidate if re.search(pattern, candidate) else None


def _emit(items: Any) -> str:
    out: list[str] = []
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(value) != "a" else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_member(value))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _, sub = value
            out.append(_emit(sub) * low)
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            out.append(_emit(value[-1]))
        elif name == "BRANCH":
            out.append(_emit(value[1][0]))
        elif name == "CATEGORY":
            out.append(_CATEGORIES.get(str(value), "a"))
    return "".join(out)


def _member(items: Any) -> str:
    negated = any(str(op) == "NEGATE" for op, _ in items)
    if not negated:
        for op, value in items:
            name = str(op)
            if name == "LITERAL":
                return chr(value)
            if name == "RANGE":
                return chr(value[0])
            if name == "CATEGORY":
                return _CATEGORIES.get(str(value), "a")
        return "a"
    excluded = {chr(v) for op, v in items if str(op) == "LITERAL"}
    for char in _FALLBACKS:
        inside = any(
            str(op) == "RANGE" and value[0] <= ord(char) <= value[1] for op, value in items
        )
        if char not in excluded and not inside:
            return char
    return "~"
