"""OpenTelemetry spans on the GenAI semantic conventions.

One ``execute_tool {slug}`` span (INTERNAL) per call, one HTTP client span per attempt (stable
HTTP conventions), and events for replays, rate-limit waits, breaker decisions, refreshes and
dead-lettering. actionplane's own attributes live under ``actionplane.``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, SpanKind

TRACER = "actionplane"


def tracer() -> trace.Tracer:
    from actionplane import __version__

    return trace.get_tracer(TRACER, __version__)


def parent_context(traceparent: str | None) -> otel_context.Context | None:
    """The W3C ``traceparent`` a caller sent, as the context our span joins."""
    if not traceparent:
        return None
    return extract({"traceparent": traceparent})


def trace_id_of(span: Span) -> str:
    """The span's trace id as 32 hex digits; a random one when no tracing is configured."""
    context = span.get_span_context()
    if context.trace_id:
        return format(context.trace_id, "032x")
    return secrets.token_hex(16)


def span_id_of(span: Span) -> str | None:
    """The span's own id; None when tracing is off (the context is then the caller's)."""
    if not span.is_recording():
        return None
    context = span.get_span_context()
    return format(context.span_id, "016x") if context.span_id else None


def start_tool_span(
    slug: str, description: str | None, call_id: str, parent: otel_context.Context | None
) -> Span:
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": slug,
        "gen_ai.tool.call.id": call_id,
        "gen_ai.tool.type": "function",
    }
    if description:
        attributes["gen_ai.tool.description"] = description
    return tracer().start_span(
        f"execute_tool {slug}", context=parent, kind=SpanKind.INTERNAL, attributes=attributes
    )


def set_attributes(span: Span, attributes: Mapping[str, Any]) -> None:
    span.set_attributes({k: v for k, v in attributes.items() if v is not None})
