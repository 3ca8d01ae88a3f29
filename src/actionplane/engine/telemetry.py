"""The record stage's telemetry: the call's span attributes, its log line and its metrics.

Everything leaving here passes through the call's ``Redactor`` first.
"""

from __future__ import annotations

import json
import os
from typing import Any

from opentelemetry.trace import Span, StatusCode

from actionplane.engine.attempts import AttemptRecord
from actionplane.engine.outcome import Outcome
from actionplane.engine.result import ExecutionResult
from actionplane.observability.logs import call_logger, logs_wanted
from actionplane.observability.metrics import instruments
from actionplane.observability.redaction import Redactor
from actionplane.observability.tracing import span_id_of

_MAX_BODY = 2000
_RESPONSE_HEADERS = (
    "retry-after",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-remaining",
    "ratelimit-reset",
    "content-type",
    "request-id",
)


def capture_content() -> bool:
    """Arguments and results go on spans only when the deployment opts in."""
    return os.environ.get("ACTIONPLANE_CAPTURE_CONTENT", "").lower() in ("1", "true", "yes")


def _truncate(value: Any) -> Any:
    text = json.dumps(value, default=str)
    return value if len(text) <= _MAX_BODY else text[:_MAX_BODY] + "...(truncated)"


def finish_call_span(
    span: Span, result: ExecutionResult, arguments: Any, redactor: Redactor, extra: dict[str, Any]
) -> None:
    span.set_attributes(
        {
            "actionplane.execution_id": result.execution_id,
            "actionplane.outcome": result.outcome,
            "actionplane.attempts": result.attempts,
            "actionplane.replayed": result.replayed,
            **{f"actionplane.{k}": v for k, v in extra.items() if v is not None},
        }
    )
    if result.tool_version:
        span.set_attribute("actionplane.tool.version", result.tool_version)
    if result.replayed:
        span.add_event("actionplane.idempotency.replayed")
    if result.dead_letter_id:
        span.add_event(
            "actionplane.dlq.added", {"actionplane.dead_letter_id": result.dead_letter_id}
        )
    if capture_content():
        span.set_attribute(
            "gen_ai.tool.call.arguments", json.dumps(redactor.value(arguments), default=str)
        )
        if result.data is not None:
            span.set_attribute(
                "gen_ai.tool.call.result",
                json.dumps(_truncate(redactor.value(result.data)), default=str),
            )
    if result.error is not None:
        span.set_attribute("error.type", result.error.category)
        span.set_status(StatusCode.ERROR, redactor.text(result.error.message))


def emit_call_log(
    *,
    span: Span,
    result: ExecutionResult,
    project_id: str,
    user_id: str,
    agent_id: str | None,
    tool_call_id: str | None,
    duration_ms: float,
    attempts: tuple[AttemptRecord, ...],
    breaker_state: str | None,
    rate_limit_events: list[str],
    idempotency_key: str | None,
    arguments: Any,
    outcome: Outcome | None,
    redactor: Redactor,
    compensating_actions: list[dict[str, Any]] | None = None,
) -> None:
    """One JSON line per call with the fields DESIGN.md and issue 7 name, redacted.

    The line is only built when someone listens (a handler on ``actionplane.calls`` or above):
    redacting and rendering it is most of its cost.
    """
    record_metrics(result, duration_ms, len(attempts))
    if not logs_wanted():
        return
    upstream = None
    if outcome is not None and outcome.status_code is not None:
        upstream = {"status": outcome.status_code, "body": _truncate(outcome.data)}
    error = result.error
    record = {
        "trace_id": result.trace_id,
        "span_id": span_id_of(span),
        "project": project_id,
        "agent_id": agent_id,
        "user_id": user_id,
        "tool_name": result.tool,
        "tool_version": result.tool_version,
        "tool_call_id": tool_call_id,
        "execution_id": result.execution_id,
        "status": "succeeded" if result.successful else "failed",
        "outcome": result.outcome,
        "duration_ms": round(duration_ms, 3),
        "attempts": [a.__dict__ for a in attempts],
        "circuit_breaker_status": breaker_state,
        "rate_limit": rate_limit_events,
        "idempotency_key": idempotency_key,
        "replayed": result.replayed,
        "original_request": {"arguments": arguments},
        "upstream_response": upstream,
        "error_category": error.category if error else None,
        "error_message": error.message if error else None,
        "dead_letter_id": result.dead_letter_id,
        "compensating_actions": compensating_actions or [],
    }
    call_logger().info("tool_call", **redactor.value(record))


def record_metrics(result: ExecutionResult, duration_ms: float, attempts: int) -> None:
    meters = instruments()
    labels = {"tool": result.tool, "outcome": result.outcome}
    meters.calls.add(1, labels)
    meters.duration.record(duration_ms, {"tool": result.tool})
    if attempts > 1:
        meters.retries.add(attempts - 1, {"tool": result.tool})
    if result.dead_letter_id:
        meters.dead_letters.add(1, {"tool": result.tool})
