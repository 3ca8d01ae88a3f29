"""Timeouts per tool, with the toolkit's as defaults: a provider that never answers ends the
attempt as an unknown outcome, retried only when that is safe."""

from __future__ import annotations

import time

import anyio
import httpx

from actionplane.auth.credentials import Placement
from actionplane.catalog.loader import load_builtin_toolkits
from actionplane.catalog.models import Timeouts
from actionplane.engine.attempts import Guards, run_attempts
from actionplane.engine.breaker import CircuitBreakers, MemoryBreakerState
from actionplane.engine.bulkhead import Bulkhead
from actionplane.engine.ratelimit import MemoryLimiterState, RateLimiter
from actionplane.engine.request import build_request
from actionplane.engine.retry import RetryPolicy

GITHUB = next(t for t in load_builtin_toolkits() if t.slug == "github")


async def hang(request: httpx.Request) -> httpx.Response:
    await anyio.sleep(30)
    return httpx.Response(200, json=[])


def guards() -> Guards:
    return Guards(
        limiter=RateLimiter(MemoryLimiterState()),
        breakers=CircuitBreakers(MemoryBreakerState()),
        bulkhead=Bulkhead(),
        policy=RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
    )


async def run(
    slug: str, timeouts: Timeouts | None, arguments: dict[str, object]
) -> tuple[str, int, float, str]:
    tool = next(t for t in GITHUB.tools if t.slug == slug)
    tool = tool.model_copy(update={"timeouts": timeouts})
    toolkit = GITHUB.model_copy(update={"timeouts": Timeouts(total_s=0.3, read_s=0.3)})
    async with httpx.AsyncClient(transport=httpx.MockTransport(hang)) as http:
        started = time.monotonic()
        result = await run_attempts(
            http,
            guards(),
            toolkit,
            tool,
            "c1",
            lambda _: build_request(toolkit, tool, arguments, Placement()),
            False,
        )
    return (
        result.outcome.kind.value,
        result.sent,
        time.monotonic() - started,
        result.outcome.message,
    )


async def test_a_tool_timeout_overrides_the_toolkit_default_and_reads_are_retried() -> None:
    kind, sent, took, message = await run(
        "GITHUB_LIST_ISSUES",
        Timeouts(total_s=0.1, read_s=0.1),
        {"owner": "o", "repo": "r"},
    )
    assert kind == "unknown" and "in time" in message
    assert sent == 3  # a read is safe to resend
    assert 0.3 <= took < 1.0  # three attempts of 0.1 s, not the toolkit's 0.3 s


async def test_a_timed_out_write_is_not_resent() -> None:
    kind, sent, took, _ = await run(
        "GITHUB_CREATE_ISSUE", None, {"owner": "o", "repo": "r", "title": "t"}
    )
    assert kind == "unknown" and sent == 1  # it may have been applied: never blindly resent
    assert 0.3 <= took < 0.6  # the toolkit's default applied
