"""The guarded attempt loop of one call: limiter, breaker, bulkhead, send, classify, retry."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
import httpx

from actionplane.catalog.models import Tool, Toolkit
from actionplane.engine.breaker import CircuitBreakers
from actionplane.engine.bulkhead import Bulkhead
from actionplane.engine.classify import classify_exception, classify_response
from actionplane.engine.outcome import Outcome, OutcomeKind
from actionplane.engine.ratelimit import RateLimiter
from actionplane.engine.retry import RetryBudget, RetryPolicy, retry_is_safe

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
class AttemptsResult:
    """How the loop ended. ``sent`` counts requests that went out."""

    outcome: Outcome
    sent: int
    retry_stopped_unsafe: bool = False
    events: tuple[str, ...] = ()


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


async def run_attempts(
    http: httpx.AsyncClient,
    guards: Guards,
    toolkit: Toolkit,
    tool: Tool,
    connection_id: str | None,
    make_request: Callable[[int], httpx.Request],
    upstream_key_sent: bool,
) -> AttemptsResult:
    """Send the call, retrying only when useful and safe, within the policy's bounds."""
    policy, scope = guards.policy, breaker_scope(toolkit)
    sent, total_delay, events = 0, 0.0, []
    while True:
        admission = await guards.limiter.admit(toolkit.slug, connection_id)
        if not admission.admitted:
            events.append("rate_limit.backpressure")
            return AttemptsResult(
                Outcome(
                    OutcomeKind.RATE_LIMITED,
                    message="the provider asked to wait; try again later",
                    retry_after_s=admission.retry_after_s,
                ),
                sent,
                events=tuple(events),
            )
        if admission.waited_s > 0:
            events.append(f"rate_limit.waited {admission.waited_s:.3f}s")
        permission = await guards.breakers.acquire(scope)
        if not permission.allowed:
            events.append("breaker.refused")
            return AttemptsResult(
                Outcome(
                    OutcomeKind.CIRCUIT_OPEN,
                    message=f"{toolkit.name} is failing; calls are paused to let it recover",
                    retry_after_s=permission.retry_after_s,
                ),
                sent,
                events=tuple(events),
            )
        started = time.monotonic()
        async with guards.bulkhead.slot(toolkit.slug, connection_id, policy.max_delay_s) as free:
            if free:
                sent += 1
                outcome = await _send_once(http, toolkit, tool, make_request(sent - 1))
            else:
                outcome = Outcome(
                    OutcomeKind.RATE_LIMITED,
                    message="too many concurrent calls to this provider",
                    retry_after_s=1.0,
                )
        state = await guards.breakers.record(
            scope, outcome.kind in _BREAKER_FAILURES, time.monotonic() - started
        )
        if state == "open":
            events.append("breaker.open")
        if outcome.retry_after_s is not None and outcome.kind is OutcomeKind.RATE_LIMITED:
            await guards.limiter.learn(toolkit.slug, connection_id, outcome.retry_after_s)
        elif outcome.succeeded and outcome.retry_after_s:
            # A success that used the last of the quota (GitHub x-ratelimit-remaining: 0).
            await guards.limiter.learn(toolkit.slug, connection_id, outcome.retry_after_s)
        if outcome.succeeded:
            guards.budget.record_success(toolkit.slug)
            return AttemptsResult(outcome, sent, events=tuple(events))
        if not outcome.retryable:
            return AttemptsResult(outcome, sent, events=tuple(events))
        if not retry_is_safe(tool, outcome, upstream_key_sent):
            return AttemptsResult(outcome, sent, retry_stopped_unsafe=True, events=tuple(events))
        delay = policy.delay(sent - 1, outcome, guards.rng)
        if (
            sent >= policy.max_attempts
            or total_delay + delay > policy.max_total_delay_s
            or (outcome.kind is OutcomeKind.RATE_LIMITED and delay > guards.limiter.max_wait_s)
            or not guards.budget.try_spend(toolkit.slug)
        ):
            return AttemptsResult(outcome, sent, events=tuple(events))
        events.append(f"retry.scheduled {delay:.3f}s after {outcome.kind.value}")
        total_delay += delay
        await anyio.sleep(delay)
