"""Rate limits: configured per toolkit and per connection, and learned from the provider.

Two kinds of state, both behind ``LimiterState`` so one process keeps them in memory and a fleet
shares them through Redis:

- a *block*: "send nothing to this scope before time T", learned from ``Retry-After`` and reset
  headers. While a provider says wait, nothing is sent to it.
- a *rate*: GCRA (the generic cell rate algorithm, a leaky bucket without a timer) admitting at
  most ``rate`` calls per second with bursts of ``burst``.

A caller waits at most ``max_wait_s`` for admission, then gets ``rate_limited`` with the time to
come back (backpressure instead of an unbounded queue).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

import anyio


@dataclass(frozen=True)
class Rate:
    """At most ``per_second`` calls a second, in bursts of up to ``burst``."""

    per_second: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate needs per_second > 0 and burst >= 1")


@dataclass(frozen=True)
class RateLimits:
    """Configured limits of one toolkit: for all its traffic, and for each connection."""

    per_toolkit: Rate | None = None
    per_connection: Rate | None = None


class LimiterState(Protocol):
    """Shared limiter state. Times are epoch seconds."""

    async def blocked_until(self, scope: str) -> float: ...

    async def block(self, scope: str, until: float) -> None: ...

    async def take(self, scope: str, rate: Rate, now: float, max_wait_s: float) -> float:
        """Reserve the next slot if it comes within ``max_wait_s`` and return the seconds until
        it (0: now). A result above ``max_wait_s`` means nothing was reserved. Reserving keeps
        waiters first come, first served instead of racing each other when the slot opens."""
        ...


@dataclass
class MemoryLimiterState:
    """Limiter state of one process."""

    _blocks: dict[str, float] = field(default_factory=dict)
    _tat: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def blocked_until(self, scope: str) -> float:
        return self._blocks.get(scope, 0.0)

    async def block(self, scope: str, until: float) -> None:
        with self._lock:
            self._blocks[scope] = max(self._blocks.get(scope, 0.0), until)

    async def take(self, scope: str, rate: Rate, now: float, max_wait_s: float) -> float:
        interval = 1.0 / rate.per_second
        tolerance = interval * (rate.burst - 1)
        with self._lock:
            tat = max(self._tat.get(scope, now), now)
            wait = max(0.0, tat - tolerance - now)
            if wait <= max_wait_s:
                self._tat[scope] = tat + interval
            return wait


@dataclass(frozen=True)
class Admission:
    """Whether a call may be sent now; if not, when to come back."""

    admitted: bool
    retry_after_s: float = 0.0
    waited_s: float = 0.0


class RateLimiter:
    """Admits calls to a (toolkit, connection) under blocks and configured rates."""

    def __init__(
        self,
        state: LimiterState,
        limits: dict[str, RateLimits] | None = None,
        max_wait_s: float = 5.0,
    ) -> None:
        self._state = state
        self._limits = limits or {}
        self.max_wait_s = max_wait_s

    @staticmethod
    def scope(toolkit: str, connection_id: str | None) -> str:
        return f"{toolkit}:{connection_id or '-'}"

    async def admit(
        self, toolkit: str, connection_id: str | None, max_wait_s: float | None = None
    ) -> Admission:
        """Wait (at most ``max_wait_s``) until the call may be sent."""
        bound = self.max_wait_s if max_wait_s is None else max_wait_s
        started = time.time()
        scope = self.scope(toolkit, connection_id)
        limits = self._limits.get(toolkit, RateLimits())
        while True:
            now = time.time()
            blocked = max(0.0, await self._state.blocked_until(scope) - now)
            if blocked > 0.0:
                if now + blocked - started > bound:
                    return Admission(False, retry_after_s=blocked, waited_s=now - started)
                await anyio.sleep(blocked)
                continue
            reserved = 0.0
            for key, rate in (
                (f"rate:{toolkit}", limits.per_toolkit),
                (f"rate:{scope}", limits.per_connection),
            ):
                if rate is None:
                    continue
                left = max(0.0, bound - (now - started) - reserved)
                wait = await self._state.take(key, rate, now + reserved, left)
                if wait > left:
                    return Admission(False, retry_after_s=wait, waited_s=now - started)
                reserved += wait
            if reserved > 0:
                await anyio.sleep(reserved)
            return Admission(True, waited_s=time.time() - started)

    async def learn(self, toolkit: str, connection_id: str | None, retry_after_s: float) -> None:
        """The provider said to wait: send nothing to this scope until then."""
        await self._state.block(self.scope(toolkit, connection_id), time.time() + retry_after_s)
