"""HTTP request nodes. The catalog has no generic HTTP tool, so the request is built as data at
a marked TODO (kept in the run's output) and not sent: add a toolkit for that API (for
instance with ``actionplane import openapi``) and replace the TODO with a call of its tool."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from actionplane.migrate.codegen import Block
from actionplane.migrate.expr import render
from actionplane.migrate.report import TODO


def http_block(name: str, node_type: str, request: dict[str, Any], after: list[str]) -> Block:
    """A block that records ``request`` (method, url, headers, query, body) in ``data``."""
    url = request.get("url")
    host = urlsplit(url).netloc if isinstance(url, str) else "a computed URL"
    method = str(request.get("method", "GET")).upper()
    body = [
        f"{TODO}: no generic HTTP tool in the catalog; this request is not sent.",
        f"# Add a toolkit for {host or url!r} and call its tool with these arguments.",
        f"data[{name!r}] = {{'request': {render(request, 0)}}}",
        *after,
    ]
    shown = url if isinstance(url, str) else "(computed URL)"
    note = f"{method} {shown} is spelled out at a TODO, not sent: no generic HTTP tool"
    return Block(name, node_type, "unmapped", note, body)


def n8n_request(p: dict[str, Any]) -> dict[str, Any]:
    """The request an n8n HTTP Request node (v1 to v4) describes."""

    def pairs(block: Any) -> dict[str, Any]:
        items = (
            block.get("parameters") or block.get("parameter") or []
            if isinstance(block, dict)
            else []
        )
        return {str(i.get("name")): i.get("value") for i in items if isinstance(i, dict)}

    request: dict[str, Any] = {
        "method": p.get("method") or p.get("requestMethod") or "GET",
        "url": p.get("url", ""),
    }
    headers = pairs(p.get("headerParameters")) or pairs(p.get("headerParametersUi"))
    query = pairs(p.get("queryParameters")) or pairs(p.get("queryParametersUi"))
    body: Any = pairs(p.get("bodyParameters")) or pairs(p.get("bodyParametersUi"))
    for key in ("jsonBody", "bodyParametersJson", "body"):
        if p.get(key):
            body = p[key]
    if headers or p.get("headerParametersJson"):
        request["headers"] = headers or p.get("headerParametersJson")
    if query or p.get("queryParametersJson"):
        request["query"] = query or p.get("queryParametersJson")
    if body:
        request["body"] = body
    auth = p.get("nodeCredentialType") or p.get("genericAuthType") or p.get("authentication")
    if auth and auth != "none":
        request["auth"] = auth
    return request
