"""What every adapter shares: choosing tools, running a call on either plane, model text."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import anyio.to_thread

from actionplane.catalog.models import Tool
from actionplane.catalog.render import Format, decode_arguments
from actionplane.engine.result import ExecutionError, ExecutionResult
from actionplane.errors import ActionplaneError
from actionplane.plane import AsyncPlane, Plane

AnyPlane = AsyncPlane | Plane


def select_tools(
    plane: AnyPlane,
    *,
    toolkits: Sequence[str] | None = None,
    search: str | None = None,
    tools: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[Tool]:
    """The tools to offer: explicit ``tools`` slugs, else ``toolkits`` (optionally ranked by
    ``search``), else a ``search`` over the whole catalog, else every tool."""
    if tools:
        return [plane.tools.get(slug) for slug in tools]
    if toolkits:
        found: list[Tool] = []
        for toolkit in toolkits:
            found.extend(plane.tools.list(toolkit=toolkit, search=search, limit=limit))
        return found[:limit] if limit else found
    listed: list[Tool] = plane.tools.list(search=search, limit=limit)
    return listed


def canonical_arguments(
    plane: AnyPlane, slug: str, format: Format, arguments: Mapping[str, Any]
) -> dict[str, Any]:
    """A model's arguments for ``render_tool(tool, format)`` as the tool's own schema wants."""
    try:
        tool = plane.tools.get(slug)
    except ActionplaneError:
        # An unknown tool: execution reports it, with suggestions, in the envelope.
        return dict(arguments)
    return decode_arguments(tool, format, dict(arguments))


async def execute(
    plane: AnyPlane, slug: str, arguments: Mapping[str, Any], **options: Any
) -> ExecutionResult:
    """``plane.tools.execute`` from async code, whichever flavour of plane it is."""
    if isinstance(plane, AsyncPlane):
        return await plane.tools.execute(slug, arguments, **options)
    sync_plane = plane

    def run() -> ExecutionResult:
        result: ExecutionResult = sync_plane.tools.execute(slug, arguments, **options)
        return result

    # A sync Plane blocks on its own loop thread; keep this loop free meanwhile.
    return await anyio.to_thread.run_sync(run)


def execute_sync(
    plane: AnyPlane, slug: str, arguments: Mapping[str, Any], **options: Any
) -> ExecutionResult:
    """``plane.tools.execute`` from sync code: needs a ``Plane`` (an ``AsyncPlane`` lives on
    its event loop and cannot be driven from here)."""
    if isinstance(plane, AsyncPlane):
        raise TypeError(
            "this tool was built on an AsyncPlane: call it asynchronously (ainvoke / acall), "
            "or build the tools on a synchronous actionplane.Plane"
        )
    result: ExecutionResult = plane.tools.execute(slug, arguments, **options)
    return result


def failure(slug: str, category: str, message: str) -> ExecutionResult:
    """An envelope for a call that never reached the plane (e.g. arguments that are not JSON)."""
    return ExecutionResult(
        successful=False,
        error=ExecutionError(category=category, message=message),
        execution_id="",
        trace_id="",
        attempts=0,
        tool=slug,
        outcome="permanent",
    )


def parse_json_arguments(
    slug: str, raw: str | Mapping[str, Any] | None
) -> dict[str, Any] | ExecutionResult:
    """A tool call's JSON-encoded arguments, or a failure envelope the model can read."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        return failure(slug, "validation", f"The arguments are not valid JSON: {error}")
    if not isinstance(parsed, dict):
        return failure(slug, "validation", "The arguments must be a JSON object.")
    return parsed


def result_text(result: ExecutionResult) -> str:
    """What the model reads: the data as JSON on success; on failure the error as JSON
    (``error`` category, ``message``, and ``retryable`` / ``retry_after_s`` / ``details``
    when set), so ``auth_required`` (with its connect link) and ``rate_limited`` (with when
    to try again) are results the model can act on."""
    if result.successful:
        return json.dumps(result.data, default=str, ensure_ascii=False)
    error = result.error
    body: dict[str, Any] = {
        "error": error.category if error else result.outcome,
        "message": error.message if error else "The tool call failed.",
    }
    if error is not None:
        if error.retryable:
            body["retryable"] = True
        if error.retry_after_s is not None:
            body["retry_after_s"] = error.retry_after_s
        if error.details:
            body["details"] = error.details
    return json.dumps(body, default=str, ensure_ascii=False)


def field(item: Any, name: str, default: Any = None) -> Any:
    """``item.name`` or ``item[name]``: SDK objects and their plain-dict forms alike."""
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)
