"""Spans on the OpenTelemetry GenAI and HTTP conventions, checked by name, kind, parent and
attribute for a success, a retried call, a breaker rejection and a replay."""

from __future__ import annotations

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from actionplane import AsyncPlane
from actionplane.testing import RunningSandbox

ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "Traced"}
LIST = {"owner": "octocat", "repo": "hello-world"}


def tool_span(spans: list[ReadableSpan], slug: str) -> ReadableSpan:
    [span] = [s for s in spans if s.name == f"execute_tool {slug}"]
    return span


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


async def test_success_has_a_tool_span_and_one_client_span(
    plane: AsyncPlane, spans: InMemorySpanExporter
) -> None:
    result = await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", tool_call_id="call_123"
    )
    finished = list(spans.get_finished_spans())
    span = tool_span(finished, "GITHUB_CREATE_ISSUE")
    assert span.kind is SpanKind.INTERNAL
    attrs = dict(span.attributes or {})
    assert attrs["gen_ai.operation.name"] == "execute_tool"
    assert attrs["gen_ai.tool.name"] == "GITHUB_CREATE_ISSUE"
    assert attrs["gen_ai.tool.call.id"] == "call_123"
    assert attrs["gen_ai.tool.type"] == "function"
    assert "issue" in str(attrs["gen_ai.tool.description"]).lower()
    assert attrs["actionplane.execution_id"] == result.execution_id
    assert "gen_ai.tool.call.arguments" not in attrs  # content capture is opt-in
    assert format(span.context.trace_id, "032x") == result.trace_id
    [client] = children(finished, span)
    assert client.kind is SpanKind.CLIENT and client.name == "POST"
    http = dict(client.attributes or {})
    assert http["http.request.method"] == "POST"
    assert http["http.response.status_code"] == 201
    assert http["server.address"] == "127.0.0.1"
    assert str(http["url.full"]).endswith("/github/repos/octocat/hello-world/issues")
    assert "http.request.resend_count" not in http


async def test_retried_call_has_one_client_span_per_attempt(
    plane: AsyncPlane, sandbox: RunningSandbox, spans: InMemorySpanExporter
) -> None:
    sandbox.add_fault(tool="GITHUB_LIST_ISSUES", kind="status", status=503, count=2)
    result = await plane.tools.execute("GITHUB_LIST_ISSUES", LIST, user_id="alice")
    assert result.successful
    finished = list(spans.get_finished_spans())
    span = tool_span(finished, "GITHUB_LIST_ISSUES")
    attempts = sorted(children(finished, span), key=lambda s: s.start_time or 0)
    statuses = [dict(a.attributes or {})["http.response.status_code"] for a in attempts]
    assert statuses == [503, 503, 200]
    resend = [dict(a.attributes or {}).get("http.request.resend_count") for a in attempts]
    assert resend == [None, 1, 2]
    assert attempts[0].status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events].count("actionplane.retry") == 2
    assert dict(span.attributes or {})["actionplane.attempts"] == 3


async def test_breaker_rejection_is_an_event_and_no_client_span(
    plane: AsyncPlane, sandbox: RunningSandbox, spans: InMemorySpanExporter
) -> None:
    sandbox.add_fault(toolkit="github", kind="status", status=503)
    for _ in range(2):
        await plane.tools.execute("GITHUB_LIST_ISSUES", LIST, user_id="alice")
    spans.clear()
    refused = await plane.tools.execute("GITHUB_LIST_ISSUES", LIST, user_id="alice")
    assert refused.error is not None and refused.error.category == "circuit_open"
    finished = list(spans.get_finished_spans())
    span = tool_span(finished, "GITHUB_LIST_ISSUES")
    assert children(finished, span) == []
    assert "actionplane.breaker.rejected" in [e.name for e in span.events]
    assert dict(span.attributes or {})["error.type"] == "circuit_open"
    assert span.status.status_code is StatusCode.ERROR


async def test_replay_is_an_event_and_sends_nothing(
    plane: AsyncPlane, spans: InMemorySpanExporter
) -> None:
    await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", idempotency_key="k-trace"
    )
    spans.clear()
    again = await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", idempotency_key="k-trace"
    )
    assert again.replayed
    finished = list(spans.get_finished_spans())
    span = tool_span(finished, "GITHUB_CREATE_ISSUE")
    assert children(finished, span) == []
    assert "actionplane.idempotency.replayed" in [e.name for e in span.events]


async def test_traceparent_makes_the_call_a_child_of_the_agents_span(
    plane: AsyncPlane, spans: InMemorySpanExporter
) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    result = await plane.tools.execute(
        "GITHUB_LIST_ISSUES",
        LIST,
        user_id="alice",
        traceparent=f"00-{trace_id}-{parent_id}-01",
    )
    span = tool_span(list(spans.get_finished_spans()), "GITHUB_LIST_ISSUES")
    assert result.trace_id == trace_id
    assert span.parent is not None and format(span.parent.span_id, "016x") == parent_id
