"""Evidence of what the sandbox did: side effects applied, and requests received."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Effect:
    """One side effect applied to the sandbox's state."""

    toolkit: str
    operation: str
    resource_id: str | None
    idempotency_key: str | None
    time: float
    user: str | None = None


@dataclass
class RequestEntry:
    """One request received. ``status`` is ``None`` when no response was sent (hang, reset)."""

    time: float
    toolkit: str | None
    method: str
    path: str
    status: int | None = None
    tool: str | None = None
    fault: str | None = None


class Evidence:
    """The ledger and the request log, kept in arrival order."""

    def __init__(self) -> None:
        self.effects: list[Effect] = []
        self.requests: list[RequestEntry] = []

    def ledger(self, toolkit: str | None = None) -> list[dict[str, Any]]:
        return [asdict(e) for e in self.effects if toolkit is None or e.toolkit == toolkit]

    def request_log(self, toolkit: str | None = None) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.requests if toolkit is None or r.toolkit == toolkit]

    def clear(self) -> None:
        self.effects.clear()
        self.requests.clear()
