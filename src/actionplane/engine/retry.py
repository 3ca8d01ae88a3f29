"""When to send a failed call again, and how long to wait first.

A retry must be both useful (the outcome is retryable) and safe (it cannot duplicate a side
effect): see ``retry_is_safe``. Delays are exponential with full jitter; a provider's
``Retry-After`` wins over the computed delay; a per-provider budget stops retry storms.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from actionplane.catalog.models import Tool
from actionplane.engine.outcome import Outcome, OutcomeKind


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retrying one call. Frozen data; a tool's behaviour decides whether it applies."""

    max_attempts: int = 4
    base_delay_s: float = 0.2
    max_delay_s: float = 10.0
    max_total_delay_s: float = 30.0
    max_retry_after_s: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay_s, self.max_delay_s, self.max_total_delay_s) < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**n)] (AWS architecture blog)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * (2**retry_number))
        return (rng or random).uniform(0, ceiling)

    def delay(self, retry_number: int, outcome: Outcome, rng: random.Random | None = None) -> float:
        """The wait before retry ``retry_number`` (0-based); the provider's word wins, capped."""
        if outcome.retry_after_s is not None:
            return min(outcome.retry_after_s, self.max_retry_after_s)
        return self.backoff(retry_number, rng)


def retry_is_safe(tool: Tool, outcome: Outcome, upstream_key_sent: bool) -> bool:
    """True when sending the request again cannot duplicate a side effect.

    Outcomes that prove the request was not processed (429, 503, a refused connection) are always
    safe. An ``unknown`` outcome is safe only for read-only or idempotent tools, or when the
    provider deduplicates by the idempotency key we sent.
    """
    if outcome.kind in (OutcomeKind.RATE_LIMITED, OutcomeKind.TRANSIENT):
        return True
    if outcome.kind is OutcomeKind.UNKNOWN:
        return tool.behavior.read_only or tool.behavior.idempotent or upstream_key_sent
    return False


class RetryBudget:
    """A token pool per provider (as the AWS SDKs keep): retries spend, successes refill.

    When the pool is empty, failures are returned instead of retried, so an outage does not
    turn every caller into a retry loop against the provider.
    """

    def __init__(self, capacity: float = 100.0, retry_cost: float = 5.0, refill: float = 1.0):
        self._capacity = capacity
        self._retry_cost = retry_cost
        self._refill = refill
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def try_spend(self, provider: str) -> bool:
        with self._lock:
            tokens = self._tokens.get(provider, self._capacity)
            if tokens < self._retry_cost:
                return False
            self._tokens[provider] = tokens - self._retry_cost
            return True

    def record_success(self, provider: str) -> None:
        with self._lock:
            tokens = self._tokens.get(provider, self._capacity)
            self._tokens[provider] = min(self._capacity, tokens + self._refill)

    def available(self, provider: str) -> float:
        with self._lock:
            return self._tokens.get(provider, self._capacity)
