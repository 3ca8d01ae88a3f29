"""What the sandbox knows from the toolkit catalog: base paths, which tool a request is, and the
example requests it seeds from.

Routes in provider modules are written with the real provider's full paths
(``/api/chat.postMessage``, ``/v1/customers``). A toolkit pointed at ``<sandbox>/<toolkit>``
sends paths relative to its base URL, so the base URL's own path (``/api``) is put back in front
when it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from actionplane.auth.credentials import Placement
from actionplane.catalog.models import Tool, Toolkit
from actionplane.engine.request import build_request
from actionplane.sandbox.http import compile_pattern, parse_body


@dataclass(frozen=True)
class ExampleRequest:
    """An example's HTTP request, as the sandbox receives it."""

    toolkit: str
    tool: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


class CatalogMap:
    def __init__(self, toolkits: Iterable[Toolkit]) -> None:
        self.toolkits = {t.slug: t for t in toolkits}
        self._base = {s: urlsplit(t.base_url).path.rstrip("/") for s, t in self.toolkits.items()}
        self._tools: dict[str, list[tuple[str, re.Pattern[str], str]]] = {}
        for slug, toolkit in self.toolkits.items():
            self._tools[slug] = [
                (tool.http.method, compile_pattern(self._base[slug] + tool.http.path), tool.slug)
                for tool in toolkit.tools
            ]

    def full_path(self, toolkit: str, path: str) -> str:
        """The provider's full path for a path received under ``/<toolkit>``."""
        base = self._base.get(toolkit, "")
        if not base or path == base or path.startswith(base + "/"):
            return path
        return base + path

    def tools_for(self, toolkit: str, method: str, full_path: str) -> list[str]:
        """Slugs of the tools whose request this can be (several tools may share a route)."""
        return [
            slug
            for tool_method, regex, slug in self._tools.get(toolkit, [])
            if tool_method == method and regex.match(full_path)
        ]

    def examples(self) -> Iterator[ExampleRequest]:
        """Every example of every tool, as the request the plane would send."""
        for slug, toolkit in self.toolkits.items():
            for tool in toolkit.tools:
                for example in tool.examples:
                    yield self._example(slug, toolkit, tool, example.arguments)

    def _example(
        self, slug: str, toolkit: Toolkit, tool: Tool, arguments: dict[str, Any]
    ) -> ExampleRequest:
        request = build_request(toolkit, tool, arguments, Placement())
        raw_path = request.url.raw_path.decode().split("?", 1)[0]
        content_type = request.headers.get("content-type", "")
        return ExampleRequest(
            toolkit=slug,
            tool=tool.slug,
            method=request.method,
            path=raw_path,
            query=dict(parse_qsl(request.url.query.decode(), keep_blank_values=True)),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=parse_body(request.content, content_type),
        )


def split_params(params: dict[str, str]) -> dict[str, str]:
    """Path parameters are matched on the raw path; decode them once matched."""
    return {name: unquote(value) for name, value in params.items()}
