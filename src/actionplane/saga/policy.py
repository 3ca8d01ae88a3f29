"""How long leases last and how hard steps and compensations are retried."""

from __future__ import annotations

import random
from dataclasses import dataclass

#: Outcomes after which sending the same call again may succeed.
RETRYABLE = frozenset(
    {"transient", "rate_limited", "circuit_open", "idempotency_conflict", "auth_expired"}
)


@dataclass(frozen=True)
class SagaPolicy:
    """Leases, the budget of retry-until-done steps, and the (long, finite) undo budget.

    The defaults retry a failing compensation 20 times over roughly an hour and a half (doubling
    delays capped at ``undo_max_delay_s``) before the run is parked as ``needs_attention``.
    """

    lease_s: float = 30.0
    step_attempts: int = 10
    step_base_delay_s: float = 1.0
    step_max_delay_s: float = 60.0
    undo_attempts: int = 20
    undo_base_delay_s: float = 1.0
    undo_max_delay_s: float = 600.0

    def step_delay(self, tries: int) -> float:
        return _jittered(self.step_base_delay_s, self.step_max_delay_s, tries)

    def undo_delay(self, tries: int) -> float:
        return _jittered(self.undo_base_delay_s, self.undo_max_delay_s, tries)


def _jittered(base: float, cap: float, tries: int) -> float:
    """Exponential backoff with "equal jitter": never less than half the computed delay."""
    delay: float = min(cap, base * 2.0 ** max(0, tries - 1))
    return delay / 2 + random.uniform(0.0, delay / 2)
