"""The outcome classes every attempt ends in (DESIGN.md, "Semantics that are the product")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class OutcomeKind(StrEnum):
    SUCCEEDED = "succeeded"
    RATE_LIMITED = "rate_limited"  # the provider said when the next call is allowed
    TRANSIENT = "transient"  # the request was not processed: safe to send again
    UNKNOWN = "unknown"  # the request may have been processed: retrying may duplicate it
    PERMANENT = "permanent"  # the same request will fail the same way
    AUTH_EXPIRED = "auth_expired"  # 401: refresh once, then retry
    AUTH_REQUIRED = "auth_required"  # the end user must reconnect
    CIRCUIT_OPEN = "circuit_open"  # not sent: the provider's breaker is open


RETRYABLE = frozenset({OutcomeKind.RATE_LIMITED, OutcomeKind.TRANSIENT, OutcomeKind.UNKNOWN})


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended, in provider-neutral terms."""

    kind: OutcomeKind
    status_code: int | None = None
    data: Any = None
    message: str = ""
    retry_after_s: float | None = None
    provider_code: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.kind is OutcomeKind.SUCCEEDED

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE
