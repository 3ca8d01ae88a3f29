"""Safe-execution semantics through the SDK, against a scripted in-process upstream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx
import pytest

from actionplane import AsyncPlane
from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.retry import RetryPolicy

ISSUE = {"owner": "acme", "repo": "app", "title": "Broken login"}


@dataclass
class Upstream:
    """Applies creates, and answers with a scripted status first when told to."""

    script: list[int] = field(default_factory=list)
    apply_then_fail: int = 0
    issues: list[dict[str, object]] = field(default_factory=list)
    stripe_keys: dict[str, dict[str, object]] = field(default_factory=dict)
    received: list[httpx.Request] = field(default_factory=list)
    delay_s: float = 0.0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        if self.delay_s:
            await anyio.sleep(self.delay_s)
        if self.script:
            status = self.script.pop(0)
            headers = {"Retry-After": "1"} if status == 429 else {}
            return httpx.Response(status, headers=headers, json={"message": "scripted"})
        if request.url.path.startswith("/v1/customers"):
            key = request.headers.get("idempotency-key", "")
            if key not in self.stripe_keys:
                self.stripe_keys[key] = {"id": f"cus_{len(self.stripe_keys) + 1}"}
            if self.apply_then_fail:
                self.apply_then_fail -= 1
                return httpx.Response(500, json={"error": {"message": "boom"}})
            return httpx.Response(200, json=self.stripe_keys[key])
        if request.method == "GET":
            return httpx.Response(200, json=self.issues)
        body = json.loads(request.content)
        issue = {
            "id": len(self.issues) + 1,
            "number": len(self.issues) + 1,
            "state": "open",
            **body,
        }
        self.issues.append(issue)
        if self.apply_then_fail:
            self.apply_then_fail -= 1
            return httpx.Response(502, json={"message": "bad gateway"})
        return httpx.Response(201, json=issue)


Factory = Callable[..., AsyncIterator[AsyncPlane]]


@pytest.fixture
async def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
async def plane(tmp_path: Path, upstream: Upstream) -> AsyncIterator[AsyncPlane]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(upstream.handle)) as http:
        instance = AsyncPlane(
            database_url=f"sqlite:///{tmp_path}/ap.db",
            http_client=http,
            retry_policy=RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05),
            breaker_policy=BreakerPolicy(
                window_size=4, minimum_calls=4, open_wait_s=0.5, half_open_calls=1
            ),
        )
        await instance.connections.add("alice", "github", token="ghp_alice")
        await instance.connections.add("alice", "stripe", api_key="sk_test_alice")
        yield instance
        await instance.aclose()


async def test_two_503s_then_success(plane: AsyncPlane, upstream: Upstream) -> None:
    upstream.script = [503, 503]
    result = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert result.successful and result.attempts == 3
    assert len(upstream.issues) == 1


async def test_retry_after_is_honoured(plane: AsyncPlane, upstream: Upstream) -> None:
    upstream.script = [429]
    started = anyio.current_time()
    result = await plane.tools.execute(
        "GITHUB_LIST_ISSUES", {"owner": "a", "repo": "b"}, user_id="alice"
    )
    assert result.successful and result.attempts == 2
    assert anyio.current_time() - started >= 1.0


async def test_explicit_key_replays_and_refuses_other_arguments(
    plane: AsyncPlane, upstream: Upstream
) -> None:
    first = await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", idempotency_key="k1"
    )
    again = await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", idempotency_key="k1"
    )
    other = await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", {**ISSUE, "title": "x"}, user_id="alice", idempotency_key="k1"
    )
    assert first.successful and again.successful and again.replayed and not first.replayed
    assert again.data == first.data
    assert other.error is not None and other.error.category == "idempotency_mismatch"
    assert len(upstream.issues) == 1


async def test_keyless_repeat_of_a_write_is_deduplicated(
    plane: AsyncPlane, upstream: Upstream
) -> None:
    first = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    second = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert second.replayed and second.data == first.data
    assert len(upstream.issues) == 1


async def test_concurrent_duplicates_share_one_side_effect(
    plane: AsyncPlane, upstream: Upstream
) -> None:
    upstream.delay_s = 0.2
    results = []

    async def call() -> None:
        results.append(
            await plane.tools.execute(
                "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", idempotency_key="same"
            )
        )

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(call)
    assert len(upstream.issues) == 1
    assert all(r.successful and r.data == results[0].data for r in results)


async def test_ambiguous_write_is_reconciled_by_lookup(
    plane: AsyncPlane, upstream: Upstream
) -> None:
    upstream.apply_then_fail = 1
    result = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert result.successful and result.outcome == "reconciled"
    assert len(upstream.issues) == 1


async def test_stripe_retry_reuses_the_upstream_key(plane: AsyncPlane, upstream: Upstream) -> None:
    upstream.apply_then_fail = 1
    result = await plane.tools.execute(
        "STRIPE_CREATE_CUSTOMER", {"email": "a@example.com"}, user_id="alice"
    )
    assert result.successful and result.attempts == 2
    keys = {r.headers["idempotency-key"] for r in upstream.received}
    assert len(keys) == 1 and len(upstream.stripe_keys) == 1


async def test_breaker_opens_and_recovers(plane: AsyncPlane, upstream: Upstream) -> None:
    upstream.script = [503] * 4
    args = {"owner": "a", "repo": "b"}
    first = await plane.tools.execute("GITHUB_LIST_ISSUES", args, user_id="alice")
    assert not first.successful
    sent = len(upstream.received)
    refused = await plane.tools.execute("GITHUB_LIST_ISSUES", args, user_id="alice")
    assert refused.error is not None and refused.error.category == "circuit_open"
    assert len(upstream.received) == sent
    await anyio.sleep(0.6)
    recovered = await plane.tools.execute("GITHUB_LIST_ISSUES", args, user_id="alice")
    assert recovered.successful


async def test_exhausted_write_is_dead_lettered_and_replays_once(
    plane: AsyncPlane, upstream: Upstream
) -> None:
    upstream.script = [503] * 4
    failed = await plane.tools.execute("GITHUB_CREATE_ISSUE", ISSUE, user_id="alice")
    assert failed.dead_letter_id is not None
    [entry] = await plane.dlq.list()
    assert entry.reason == "exhausted" and entry.auto_redrive
    await anyio.sleep(0.6)  # the four 503s opened the breaker
    replayed = await plane.dlq.replay(entry.id)
    assert replayed.successful
    assert (await plane.dlq.get(entry.id)).status == "replayed"
    assert len(upstream.issues) == 1
