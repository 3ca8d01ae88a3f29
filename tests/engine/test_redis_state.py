"""The Redis implementations of limiter and breaker state behave as the in-memory ones."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.ratelimit import Rate, RateLimiter, RateLimits
from actionplane.engine.redis_state import RedisBreakerState, RedisLimiterState


@pytest.fixture
async def redis(redis_settings: dict[str, str]) -> AsyncIterator[tuple[Redis, str]]:
    client = Redis.from_url(redis_settings["ACTIONPLANE_REDIS_URL"])
    yield client, redis_settings["ACTIONPLANE_REDIS_PREFIX"]
    await client.aclose()


async def test_redis_breaker_opens_refuses_and_closes_after_trials(
    redis: tuple[Redis, str],
) -> None:
    client, prefix = redis
    state = RedisBreakerState(client, prefix)
    policy = BreakerPolicy(window_size=4, minimum_calls=4, open_wait_s=10, half_open_calls=2)
    for failed in (True, False, True, False):
        assert (await state.acquire("p", policy, 0)).allowed
        last = await state.record("p", policy, failed, False, 0)
    assert last == "open"
    refused = await state.acquire("p", policy, 5)
    assert not refused.allowed and refused.retry_after_s == pytest.approx(5)
    assert (await state.acquire("p", policy, 10)).state == "half_open"
    assert (await state.acquire("p", policy, 10)).allowed
    assert not (await state.acquire("p", policy, 10)).allowed
    await state.record("p", policy, False, False, 10)
    assert await state.record("p", policy, False, False, 10) == "closed"
    assert await state.record("p", policy, True, False, 10) == "closed"  # a fresh window


async def test_redis_limiter_blocks_and_rates(redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    limits = {"github": RateLimits(per_connection=Rate(per_second=20, burst=3))}
    limiter = RateLimiter(RedisLimiterState(client, prefix), limits, max_wait_s=0)
    assert [(await limiter.admit("github", "c")).admitted for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    await limiter.learn("slack", "c1", retry_after_s=0.5)
    refused = await limiter.admit("slack", "c1")
    assert not refused.admitted and 0.3 < refused.retry_after_s <= 0.5
    await limiter.learn("slack", "c1", retry_after_s=0.1)  # a shorter wait never shortens one
    assert not (await limiter.admit("slack", "c1")).admitted
    started = time.time()
    assert (await limiter.admit("slack", "c1", max_wait_s=2)).admitted
    assert time.time() - started >= 0.3
