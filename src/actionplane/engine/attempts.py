"""The guarded attempt loop of one call: limiter, breaker, bulkhead, send, classify, retry.

Each attempt that goes out is an HTTP client span (child of the call's ``execute_tool`` span)
and an ``AttemptRecord``; decisions that send nothing (rate-limit waits, breaker refusals,
scheduled retries) are events on the call's span.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
import httpx
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from actionplane.catalog.models import Tool, Toolkit
from actionplane.engine.breaker import CircuitBreakers
from actionplane.engine.bulkhead import Bulkhead
from actionplane.engine.classify import classify_exception, classify_response
from actionplane.engine.outcome import Outcome, OutcomeKind
from actionplane.engine.ratelimit import RateLimiter
from actionplane.engine.retry import RetryBudget, RetryPolicy, retry_is_safe
from actionplane.observability.metrics import instruments
from actionplane.observability.redaction import Redactor
from actionplane.observability.tracing import tracer

# Outcomes that say the provider (not the request) is unwell; they count against its breaker.
_BREAKER_FAILURES = frozenset({OutcomeKind.TRANSIENT, OutcomeKind.UNKNOWN})


@dataclass
class Guards:
    """Everything standing between a call and the provider; shared by all calls of a plane."""

    limiter: RateLimiter
    breakers: CircuitBreakers
    bulkhead: Bulkhead
    budget: RetryBudget = field(default_factory=RetryBudget)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random = field(default_factory=random.Random)


@dataclass(frozen=True)
class AttemptRecord:
    """One request that went out, as the trace lookup shows it."""

    number: int
    started_at: float
    duration_ms: float
    outcome: str
    status_code: int | None
    delay_before_s: float
    message: str = ""


@dataclass(frozen=True)
class AttemptsResult:
    """How the loop ended. ``sent`` counts requests that went out."""

    outcome: Outcome
    sent: int
    retry_stopped_unsafe: bool = False
    events: tuple[str, ...] = ()
    attempts: tuple[AttemptRecord, ...] = ()
    breaker_state: str = "closed"


def breaker_scope(toolkit: Toolkit) -> str:
    return f"{toolkit.slug}|{toolkit.base_url}"


async def _send_once(
    http: httpx.AsyncClient, toolkit: Toolkit, tool: Tool, request: httpx.Request
) -> Outcome:
    timeouts = tool.timeouts or toolkit.timeouts
    request.extensions["timeout"] = httpx.Timeout(
        timeouts.total_s, connect=timeouts.connect_s, read=timeouts.read_s
    ).as_dict()
    try:
        with anyio.fail_after(timeouts.total_s):
            response = await http.send(request)
    except TimeoutError:
        return Outcome(OutcomeKind.UNKNOWN, message="the provider did not answer in time (total)")
    except httpx.HTTPError as error:
        return classify_exception(error)
    return classify_response(toolkit, response)


async def _traced_send(
    http: httpx.AsyncClient,
    toolkit: Toolkit,
    tool: Tool,
    request: httpx.Request,
    resend_count: int,
    redactor: Redactor,
) -> Outcome:
    attributes: dict[str, str | int] = {
        "http.request.method": request.method,
        "server.address": request.url.host,
        "url.full": redactor.url(str(request.url)),
        "actionplane.toolkit": toolkit.slug,
    }
    if request.url.port:
        attributes["server.port"] = request.url.port
    if resend_count:
        attributes["http.request.resend_count"] = resend_count
    with tracer().start_as_current_span(
        request.method, kind=SpanKind.CLIENT, attributes=attributes
    ) as span:
        outcome = await _send_once(http, toolkit, tool, request)
        if outcome.status_code is not None:
            span.set_attribute("http.response.status_code", outcome.status_code)
        span.set_attribute("actionplane.outcome", outcome.kind.value)
        if not outcome.succeeded:
            span.set_attribute("error.type", str(outcome.status_code or outcome.kind.value))
            span.set_status(StatusCode.ERROR, redactor.text(outcome.message))
        return outcome


async def run_attempts(
    http: httpx.AsyncClient,
    guards: Guards,
    toolkit: Toolkit,
    tool: Tool,
    connection_id: str | None,
    make_request: Callable[[int], httpx.Request],
    upstream_key_sent: bool,
    redactor: Redactor | None = None,
) -> AttemptsResult:
    """Send the call, retrying only when useful and safe, within the policy's bounds."""
    policy, scope = guards.policy, breaker_scope(toolkit)
    redact = redactor or Redactor()
    call_span = trace.get_current_span()
    sent, total_delay, delay = 0, 0.0, 0.0
    events: list[str] = []
    records: list[AttemptRecord] = []
    state = "closed"

    def done(outcome: Outcome, unsafe: bool = False) -> AttemptsResult:
        return AttemptsResult(
            outcome, sent, unsafe, tuple(events), tuple(records), breaker_state=state
        )

    while True:
        admission = await guards.limiter.admit(toolkit.slug, connection_id)
        if admission.waited_s > 0:
            events.append(f"rate_limit.waited {admission.waited_s:.3f}s")
            call_span.add_event(
                "actionplane.rate_limit.wait", {"actionplane.wait_s": admission.waited_s}
            )
        if not admission.admitted:
            events.append("rate_limit.backpressure")
            call_span.add_event(
                "actionplane.rate_limit.backpressure",
                {"actionplane.retry_after_s": admission.retry_after_s},
            )
            return done(
                Outcome(
                    OutcomeKind.RATE_LIMITED,
                    message="the provider asked to wait; try again later",
                    retry_after_s=admission.retry_after_s,
                )
            )
        permission = await guards.breakers.acquire(scope)
        if not permission.allowed:
            state = permission.state
            events.append("breaker.refused")
            call_span.add_event(
                "actionplane.breaker.rejected",
                {
                    "actionplane.breaker.state": permission.state,
                    "actionplane.retry_after_s": permission.retry_after_s,
                },
            )
            return done(
                Outcome(
                    OutcomeKind.CIRCUIT_OPEN,
                    message=f"{toolkit.name} is failing; calls are paused to let it recover",
                    retry_after_s=permission.retry_after_s,
                )
            )
        state = permission.state
        started, started_at = time.monotonic(), time.time()
        async with guards.bulkhead.slot(toolkit.slug, connection_id, policy.max_delay_s) as free:
            if free:
                sent += 1
                request = make_request(sent - 1)
                outcome = await _traced_send(http, toolkit, tool, request, sent - 1, redact)
            else:
                outcome = Outcome(
                    OutcomeKind.RATE_LIMITED,
                    message="too many concurrent calls to this provider",
                    retry_after_s=1.0,
                )
        duration = time.monotonic() - started
        if free:
            records.append(
                AttemptRecord(
                    number=sent,
                    started_at=started_at,
                    duration_ms=duration * 1000,
                    outcome=outcome.kind.value,
                    status_code=outcome.status_code,
                    delay_before_s=delay,
                    message=redact.text(outcome.message)[:300],
                )
            )
        state = await guards.breakers.record(scope, outcome.kind in _BREAKER_FAILURES, duration)
        if state == "open":
            instruments().breaker_transitions.add(1, {"provider": toolkit.slug})
            events.append("breaker.open")
            call_span.add_event("actionplane.breaker.opened", {"actionplane.breaker.scope": scope})
        if outcome.retry_after_s and (
            outcome.kind is OutcomeKind.RATE_LIMITED or outcome.succeeded
        ):
            # A 429, or a success that used the last of the quota (x-ratelimit-remaining: 0).
            await guards.limiter.learn(toolkit.slug, connection_id, outcome.retry_after_s)
        if outcome.succeeded:
            guards.budget.record_success(toolkit.slug)
            return done(outcome)
        if not outcome.retryable:
            return done(outcome)
        if not retry_is_safe(tool, outcome, upstream_key_sent):
            return done(outcome, unsafe=True)
        delay = policy.delay(sent - 1, outcome, guards.rng)
        if (
            sent >= policy.max_attempts
            or total_delay + delay > policy.max_total_delay_s
            or (outcome.kind is OutcomeKind.RATE_LIMITED and delay > guards.limiter.max_wait_s)
            or not guards.budget.try_spend(toolkit.slug)
        ):
            return done(outcome)
        events.append(f"retry.scheduled {delay:.3f}s after {outcome.kind.value}")
        call_span.add_event(
            "actionplane.retry",
            {"actionplane.delay_s": delay, "actionplane.after": outcome.kind.value},
        )
        total_delay += delay
        await anyio.sleep(delay)
