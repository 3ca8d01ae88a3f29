"""The pure pieces of the safe-execution path: backoff, Retry-After, safety, breaker, limiter."""

from __future__ import annotations

import email.utils
import random
import time

import pytest

from actionplane.catalog.loader import load_builtin_toolkits
from actionplane.engine.breaker import BreakerPolicy, MemoryBreakerState
from actionplane.engine.classify import parse_retry_after
from actionplane.engine.outcome import Outcome, OutcomeKind
from actionplane.engine.ratelimit import MemoryLimiterState, Rate, RateLimiter, RateLimits
from actionplane.engine.retry import RetryBudget, RetryPolicy, retry_is_safe

TOOLS = {tool.slug: tool for kit in load_builtin_toolkits() for tool in kit.tools}


def test_full_jitter_stays_under_the_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=4.0)
    rng = random.Random(7)
    for retry in range(8):
        ceiling = min(4.0, 0.5 * 2**retry)
        delays = [policy.backoff(retry, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # jitter spans the range, not a constant


def test_retry_after_wins_and_is_capped() -> None:
    policy = RetryPolicy(max_retry_after_s=10)
    assert policy.delay(0, Outcome(OutcomeKind.RATE_LIMITED, retry_after_s=3)) == 3
    assert policy.delay(0, Outcome(OutcomeKind.RATE_LIMITED, retry_after_s=3600)) == 10


def test_retry_after_parses_seconds_and_http_dates() -> None:
    now = time.time()
    assert parse_retry_after("2") == 2
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after("not a date") is None


def test_unknown_outcome_is_retried_only_when_it_cannot_duplicate() -> None:
    unknown = Outcome(OutcomeKind.UNKNOWN)
    assert not retry_is_safe(TOOLS["GITHUB_CREATE_ISSUE"], unknown, upstream_key_sent=False)
    assert retry_is_safe(TOOLS["GITHUB_CREATE_ISSUE"], unknown, upstream_key_sent=True)
    assert retry_is_safe(TOOLS["GITHUB_LIST_ISSUES"], unknown, upstream_key_sent=False)
    assert retry_is_safe(TOOLS["GITHUB_CREATE_ISSUE"], Outcome(OutcomeKind.TRANSIENT), False)
    assert not retry_is_safe(TOOLS["GITHUB_LIST_ISSUES"], Outcome(OutcomeKind.PERMANENT), False)


def test_retry_budget_runs_dry_and_refills_on_success() -> None:
    budget = RetryBudget(capacity=10, retry_cost=5, refill=5)
    assert budget.try_spend("github") and budget.try_spend("github")
    assert not budget.try_spend("github")
    assert budget.try_spend("slack")
    budget.record_success("github")
    assert budget.try_spend("github")


async def test_breaker_opens_on_failure_rate_then_half_open_trials_close_it() -> None:
    policy = BreakerPolicy(window_size=4, minimum_calls=4, open_wait_s=10, half_open_calls=2)
    state = MemoryBreakerState()
    for failed in (True, False, True, False):
        assert (await state.acquire("p", policy, 0)).allowed
        last = await state.record("p", policy, failed, False, 0)
    assert last == "open"
    refused = await state.acquire("p", policy, 5)
    assert not refused.allowed and refused.retry_after_s == 5
    assert (await state.acquire("p", policy, 10)).state == "half_open"
    assert (await state.acquire("p", policy, 10)).allowed
    assert not (await state.acquire("p", policy, 10)).allowed  # only two trials
    await state.record("p", policy, False, False, 10)
    assert await state.record("p", policy, False, False, 10) == "closed"


async def test_breaker_needs_minimum_calls_and_counts_slow_calls() -> None:
    policy = BreakerPolicy(window_size=10, minimum_calls=5, slow_call_rate_threshold=0.6)
    state = MemoryBreakerState()
    for _ in range(4):
        assert await state.record("p", policy, True, False, 0) == "closed"
    slow_state = MemoryBreakerState()
    results = [await slow_state.record("s", policy, False, True, 0) for _ in range(5)]
    assert results[-1] == "open"


async def test_limiter_blocks_while_the_provider_says_wait_then_admits() -> None:
    limiter = RateLimiter(MemoryLimiterState(), max_wait_s=0.05)
    await limiter.learn("slack", "c1", retry_after_s=0.3)
    refused = await limiter.admit("slack", "c1")
    assert not refused.admitted and 0.2 < refused.retry_after_s <= 0.3
    assert (await limiter.admit("slack", "c2")).admitted  # another account is not blocked
    waited = await limiter.admit("slack", "c1", max_wait_s=1)
    assert waited.admitted and waited.waited_s >= 0.2


async def test_configured_rate_admits_bursts_then_spaces_calls() -> None:
    limits = {"github": RateLimits(per_connection=Rate(per_second=20, burst=3))}
    limiter = RateLimiter(MemoryLimiterState(), limits, max_wait_s=0)
    admitted = [(await limiter.admit("github", "c")).admitted for _ in range(5)]
    assert admitted == [True, True, True, False, False]


async def test_waiters_reserve_their_slots_first_come_first_served() -> None:
    import anyio

    limits = {"github": RateLimits(per_toolkit=Rate(per_second=10, burst=1))}
    limiter = RateLimiter(MemoryLimiterState(), limits, max_wait_s=1.0)
    waited: list[float] = []

    async def call() -> None:
        admission = await limiter.admit("github", "c")
        assert admission.admitted
        waited.append(admission.waited_s)

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(call)
    assert sorted(round(w, 1) for w in waited) == [0.0, 0.1, 0.2, 0.3, 0.4]
    refused = await limiter.admit("github", "c", max_wait_s=0.05)
    assert not refused.admitted and refused.retry_after_s > 0.05
