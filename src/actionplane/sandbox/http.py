"""The sandbox's small HTTP vocabulary: a provider call, its reply, route patterns, body parsing.

Handlers are plain synchronous functions ``(Call) -> Reply``. Running them without an ``await``
in between makes every request atomic on the event loop, which is what keeps the sandbox
consistent when several processes hit it at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from actionplane.sandbox.providers.base import Provider
    from actionplane.sandbox.state import Store


class NotFound(Exception):
    """Raised by a handler for a missing resource; the provider shapes the 404."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Invalid(Exception):
    """Raised by a handler for a request the real provider would refuse (400/422)."""

    def __init__(self, message: str, code: str = "invalid_request", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


@dataclass
class Reply:
    """What a handler answers. ``body`` is JSON-able; ``raw`` wins when set."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode()


Effect = Callable[[str, str | None], None]


@dataclass
class Call:
    """One provider request after authentication: who, what, and access to state."""

    provider: Provider
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    user: str
    store: Store
    record_effect: Effect
    now: float
    seed_into: Store | None = None
    idempotency_key: str | None = None

    @property
    def seeding(self) -> bool:
        """True while the sandbox runs an example to create the records it refers to."""
        return self.seed_into is not None

    @property
    def toolkit(self) -> str:
        return self.provider.slug

    def arg(self, name: str, default: Any = None) -> Any:
        """A value from the path, then the body, then the query string."""
        if name in self.params:
            return self.params[name]
        if isinstance(self.body, dict) and name in self.body:
            return self.body[name]
        return self.query.get(name, default)

    def need(self, name: str) -> Any:
        """A required argument, or the provider's 400."""
        value = self.arg(name)
        if value is None or value == "":
            raise Invalid(f"missing required parameter: {name}", "missing_parameter")
        return value

    def effect(self, operation: str, resource_id: object) -> None:
        """Record one applied side effect in the ledger."""
        self.record_effect(operation, None if resource_id is None else str(resource_id))

    def require(self, table: str, key: object, scope: tuple[str, ...] = ()) -> dict[str, Any]:
        """The record, or ``NotFound``. While seeding, a missing record is created instead, so
        every example's referenced ids exist after start-up."""
        record = self.store.get(self.toolkit, table, scope, str(key))
        if record is not None:
            return record
        if self.seeding:
            return self.provider.materialize(self, table, str(key), scope)
        raise NotFound(f"{table} {key}")


_PARAM = re.compile(r"\{(\w+)(:path)?\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``/repos/{owner}/{repo}`` -> a regex with named groups; ``{name:path}`` spans slashes."""
    out, last = [], 0
    for match in _PARAM.finditer(pattern):
        out.append(re.escape(pattern[last : match.start()]))
        out.append(f"(?P<{match[1]}>{'.+' if match[2] else '[^/]+'})")
        last = match.end()
    out.append(re.escape(pattern[last:]))
    return re.compile("^" + "".join(out) + "/?$")


def _set_nested(target: dict[str, Any], key: str, value: str) -> None:
    parts = re.findall(r"[^\[\]]+|\[\]", key)
    node: Any = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return


def _lists(node: Any) -> Any:
    """Bracket forms encode lists as ``a[0]``, ``a[1]``: turn such dicts back into lists."""
    if isinstance(node, dict):
        fixed = {k: _lists(v) for k, v in node.items()}
        if fixed and all(k.isdigit() for k in fixed):
            return [fixed[k] for k in sorted(fixed, key=int)]
        return fixed
    return node


def parse_body(raw: bytes, content_type: str) -> Any:
    """JSON, or a (bracket-nested, Stripe style) form, or ``None`` when empty."""
    if not raw:
        return None
    if "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise Invalid("the body is not valid JSON") from exc
    if "form" in content_type:
        result: dict[str, Any] = {}
        for key, value in parse_qsl(raw.decode(), keep_blank_values=True):
            _set_nested(result, key, value)
        return _lists(result)
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
