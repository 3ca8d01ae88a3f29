"""Building the HTTP request of one tool call from the tool's definition and its arguments."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from actionplane.auth.credentials import Placement
from actionplane.catalog.hooks import run_hook
from actionplane.catalog.models import Tool, Toolkit
from actionplane.errors import ConfigurationError


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def form_pairs(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Bracket-encoded form fields, as Stripe and Rails read them: ``a[b][0]=c``."""
    if isinstance(value, dict):
        pairs: list[tuple[str, str]] = []
        for key, item in value.items():
            pairs += form_pairs(item, f"{prefix}[{key}]" if prefix else str(key))
        return pairs
    if isinstance(value, list) and prefix:
        if all(not isinstance(item, dict | list) for item in value):
            return [(f"{prefix}[{i}]", _scalar(item)) for i, item in enumerate(value)]
        pairs = []
        for i, item in enumerate(value):
            pairs += form_pairs(item, f"{prefix}[{i}]")
        return pairs
    return [(prefix, _scalar(value))]


def fill_template(template: Any, arguments: Mapping[str, Any]) -> Any:
    """``template`` with every ``"$name"`` string replaced by that argument.

    Keys of absent arguments are dropped, and so is any object or list whose placeholders were
    all absent (``{"priority": {"name": "$priority"}}`` without a priority sends no priority).
    ``"$$x"`` is the literal ``"$x"``.
    """
    missing = object()

    def fill(node: Any) -> tuple[Any, int, int]:
        """(filled node, placeholders seen, placeholders filled)."""
        if isinstance(node, str) and node.startswith("$$"):
            return node[1:], 0, 0
        if isinstance(node, str) and node.startswith("$"):
            value = arguments.get(node[1:], missing)
            return value, 1, int(value is not missing)
        if isinstance(node, dict | list):
            items = node.items() if isinstance(node, dict) else enumerate(node)
            seen = filled = 0
            kept: list[tuple[Any, Any]] = []
            for key, item in items:
                value, item_seen, item_filled = fill(item)
                seen, filled = seen + item_seen, filled + item_filled
                if value is not missing:
                    kept.append((key, value))
            if seen and not filled:
                return missing, seen, 0
            result: Any = dict(kept) if isinstance(node, dict) else [v for _, v in kept]
            return result, seen, filled
        return node, 0, 0

    if isinstance(template, dict):
        # The body itself stays even when every placeholder in it is absent (a GraphQL query
        # with no variables given still sends its query).
        pairs = ((key, fill(item)[0]) for key, item in template.items())
        return {key: value for key, value in pairs if value is not missing}
    result = fill(template)[0]
    return None if result is missing else result


def _path_names(path: str) -> list[str]:
    names, rest = [], path
    while "{" in rest:
        start = rest.index("{")
        end = rest.index("}", start)
        names.append(rest[start + 1 : end])
        rest = rest[end + 1 :]
    return names


def build_request(
    toolkit: Toolkit,
    tool: Tool,
    arguments: Mapping[str, Any],
    credential: Placement,
    extra_headers: Mapping[str, str] | None = None,
) -> httpx.Request:
    """The request this call sends: URL, query, headers and body from ``tool.http``."""
    mapping = tool.http
    remaining = run_hook(mapping.hook, dict(arguments))
    path = mapping.path
    for name in _path_names(mapping.path):
        if name not in remaining:
            raise ConfigurationError(f"{tool.slug}: path argument {name!r} is missing")
        path = path.replace("{" + name + "}", quote(_scalar(remaining.pop(name)), safe=""))
    query: list[tuple[str, str]] = list(mapping.static_query.items())
    for name in mapping.query:
        if name in remaining:
            value = remaining.pop(name)
            if isinstance(value, list):
                query += [(name, _scalar(v)) for v in value]
            else:
                query.append((name, _scalar(value)))
    headers = {**toolkit.default_headers, **credential.headers, **(extra_headers or {})}
    for header, name in mapping.headers.items():
        if name in remaining:
            headers[header] = _scalar(remaining.pop(name))
    query += list(credential.query.items())
    url = toolkit.base_url.rstrip("/") + path

    content: bytes | None = None
    if mapping.body_template is not None:
        body = fill_template(mapping.body_template, remaining)
    elif mapping.method in ("GET", "DELETE") or mapping.body == "none":
        query += [pair for name, value in remaining.items() for pair in form_pairs(value, name)]
        body = None
    else:
        body = remaining
    if body is not None and mapping.body != "none":
        if mapping.body == "form":
            content = urlencode(form_pairs(body)).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers.setdefault("Content-Type", "application/json")
    headers.setdefault("Accept", "application/json")
    params: list[tuple[str, str | int | float | bool | None]] = list(query)
    return httpx.Request(mapping.method, url, params=params, headers=headers, content=content)
