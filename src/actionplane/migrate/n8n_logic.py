"""n8n IF / Filter / Switch conditions as Python boolean expressions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from actionplane.migrate.runtime import text

Conv = Callable[[Any], Any]

_V1 = {
    "equal": "{a} == {b}",
    "notEqual": "{a} != {b}",
    "contains": "{b} in {a}",
    "notContains": "{b} not in {a}",
    "startsWith": "{a}.startswith({b})",
    "endsWith": "{a}.endswith({b})",
    "isEmpty": "not {a}",
    "isNotEmpty": "bool({a})",
    "larger": "{a} > {b}",
    "smaller": "{a} < {b}",
    "largerEqual": "{a} >= {b}",
    "smallerEqual": "{a} <= {b}",
    "equals": "{a} == {b}",
    "notEquals": "{a} != {b}",
    "gt": "{a} > {b}",
    "lt": "{a} < {b}",
    "gte": "{a} >= {b}",
    "lte": "{a} <= {b}",
    "exists": "{a_raw} is not None",
    "notExists": "{a_raw} is None",
    "empty": "not {a_raw}",
    "notEmpty": "bool({a_raw})",
    "true": "{a_raw} is True",
    "false": "{a_raw} is False",
}


def _operand(value: Any, kind: str, conv: Conv) -> str:
    from actionplane.migrate.expr import Code

    converted = conv(value)
    if not isinstance(converted, Code):
        if kind == "boolean":
            return repr(converted in (True, "true"))
        if kind == "number":
            try:
                return repr(float(converted or 0))
            except (TypeError, ValueError):
                return repr(converted)
        return repr(text(converted))
    src = converted.src
    if kind == "number":
        return f"float({src} or 0)"
    if kind == "boolean":
        return f"bool({src})"
    return f"text({src})"


def _one(kind: str, op: str, left: Any, right: Any, conv: Conv) -> str | None:
    pattern = _V1.get(op)
    if pattern is None:
        return None
    raw = conv(left)
    from actionplane.migrate.expr import Code

    a_raw = raw.src if isinstance(raw, Code) else f"text({raw!r})"
    if kind == "boolean" and op in ("equal", "equals", "notEqual", "notEquals"):
        a, b = _operand(left, kind, conv), _operand(right, kind, conv)
        if b in ("True", "False"):
            # ``x == True`` reads as ``x``; ``x != True`` and ``x == False`` as ``not x``.
            positive = (b == "True") == (op in ("equal", "equals"))
            test = a if a in ("True", "False") or a.startswith("bool(") else f"bool({a})"
            return test if positive else f"not {test}"
    return pattern.format(a=_operand(left, kind, conv), b=_operand(right, kind, conv), a_raw=a_raw)


def condition(params: dict[str, Any], conv: Conv) -> tuple[str, list[str]]:
    """The node's condition as Python, and the parts that could not be translated."""
    conditions = params.get("conditions") or {}
    parts: list[str] = []
    failed: list[str] = []
    if isinstance(conditions.get("conditions"), list):  # IF v2+, Filter v2
        joiner = " or " if conditions.get("combinator") == "or" else " and "
        for c in conditions["conditions"]:
            op = c.get("operator") or {}
            kind = {"number": "number", "boolean": "boolean"}.get(str(op.get("type")), "string")
            got = _one(
                kind, op.get("operation", "equals"), c.get("leftValue"), c.get("rightValue"), conv
            )
            parts.append(got or "False")
            if got is None:
                failed.append(f"operator {op}")
    else:  # IF v1, Filter v1
        joiner = " or " if params.get("combineOperation") == "any" else " and "
        for kind in ("string", "number", "boolean", "dateTime"):
            for c in conditions.get(kind) or []:
                default = "equal"
                got = None
                if kind != "dateTime":
                    right = c.get("value2", False if kind == "boolean" else "")
                    got = _one(kind, c.get("operation", default), c.get("value1"), right, conv)
                parts.append(got or "False")
                if got is None:
                    failed.append(f"{kind} condition {c}")
    if not parts:
        return "True", failed
    if len(parts) == 1:
        return parts[0], failed
    return joiner.join(f"({p})" for p in parts), failed
