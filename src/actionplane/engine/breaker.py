"""Circuit breakers per provider and base URL, on the resilience4j model.

A count-based sliding window of the last ``window_size`` calls; once it holds at least
``minimum_calls``, a failure rate or a slow-call rate at or above its threshold opens the
breaker. Open: calls are refused (``circuit_open``, nothing sent) for ``open_wait_s``. Then
half-open: ``half_open_calls`` trial calls go through; if their failure rate is under the
threshold the breaker closes, otherwise it opens again.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class BreakerPolicy:
    window_size: int = 20
    minimum_calls: int = 10
    failure_rate_threshold: float = 0.5
    slow_call_duration_s: float = 10.0
    slow_call_rate_threshold: float = 1.0
    open_wait_s: float = 30.0
    half_open_calls: int = 3

    def __post_init__(self) -> None:
        if not 0 < self.minimum_calls <= self.window_size:
            raise ValueError("need 0 < minimum_calls <= window_size")
        if self.half_open_calls < 1:
            raise ValueError("half_open_calls must be at least 1")

    def trips(self, failures: int, slow: int, calls: int) -> bool:
        """Whether these counts over the window open the breaker."""
        if calls < self.minimum_calls:
            return False
        return (
            failures / calls >= self.failure_rate_threshold
            or slow / calls >= self.slow_call_rate_threshold
        )


@dataclass(frozen=True)
class Permission:
    """Whether a call may go out; if refused, when the breaker will next let one through."""

    allowed: bool
    state: str
    retry_after_s: float = 0.0


class BreakerState(Protocol):
    """Breaker state machines, keyed by scope (toolkit + base URL)."""

    async def acquire(self, scope: str, policy: BreakerPolicy, now: float) -> Permission: ...

    async def record(
        self, scope: str, policy: BreakerPolicy, failed: bool, slow: bool, now: float
    ) -> str:
        """Record a call's result; returns the state after it."""
        ...


@dataclass
class _Machine:
    state: str = "closed"
    window: deque[tuple[bool, bool]] = field(default_factory=deque)
    open_until: float = 0.0
    permits: int = 0
    trials: list[tuple[bool, bool]] = field(default_factory=list)


@dataclass
class MemoryBreakerState:
    """Breakers of one process."""

    _machines: dict[str, _Machine] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def acquire(self, scope: str, policy: BreakerPolicy, now: float) -> Permission:
        with self._lock:
            machine = self._machines.setdefault(scope, _Machine())
            if machine.state == "open":
                if now < machine.open_until:
                    return Permission(False, "open", machine.open_until - now)
                machine.state, machine.permits, machine.trials = "half_open", 0, []
            if machine.state == "half_open":
                if machine.permits >= policy.half_open_calls:
                    return Permission(False, "half_open", 1.0)
                machine.permits += 1
            return Permission(True, machine.state)

    async def record(
        self, scope: str, policy: BreakerPolicy, failed: bool, slow: bool, now: float
    ) -> str:
        with self._lock:
            machine = self._machines.setdefault(scope, _Machine())
            if machine.state == "half_open":
                machine.trials.append((failed, slow))
                if len(machine.trials) >= policy.half_open_calls:
                    failures = sum(f for f, _ in machine.trials)
                    slows = sum(s for _, s in machine.trials)
                    count = len(machine.trials)
                    if (
                        failures / count >= policy.failure_rate_threshold
                        or slows / count >= policy.slow_call_rate_threshold
                    ):
                        machine.state, machine.open_until = "open", now + policy.open_wait_s
                    else:
                        machine.state, machine.window = "closed", deque()
                return machine.state
            if machine.state == "open":
                return machine.state
            machine.window.append((failed, slow))
            while len(machine.window) > policy.window_size:
                machine.window.popleft()
            failures = sum(f for f, _ in machine.window)
            slows = sum(s for _, s in machine.window)
            if policy.trips(failures, slows, len(machine.window)):
                machine.state, machine.open_until = "open", now + policy.open_wait_s
                machine.window = deque()
            return machine.state


class CircuitBreakers:
    """The breakers of every provider scope, over a (memory or Redis) state store."""

    def __init__(self, state: BreakerState, policy: BreakerPolicy | None = None) -> None:
        self._state = state
        self.policy = policy or BreakerPolicy()

    async def acquire(self, scope: str) -> Permission:
        return await self._state.acquire(scope, self.policy, time.time())

    async def record(self, scope: str, failed: bool, duration_s: float) -> str:
        slow = duration_s >= self.policy.slow_call_duration_s
        return await self._state.record(scope, self.policy, failed, slow, time.time())
