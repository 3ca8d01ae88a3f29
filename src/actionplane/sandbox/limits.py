"""Provider rate limits the sandbox enforces: at most ``limit`` requests per ``window_s``.

Fixed windows, per toolkit, as GitHub's hourly quota and most providers' per-second limits
behave. A request over the limit gets the provider's own rate-limit answer with the seconds
until the window ends, so a client that honours it sends nothing during the penalty.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Limit:
    toolkit: str
    limit: int
    window_s: float
    window_start: float = 0.0
    used: int = 0

    def take(self, now: float) -> float | None:
        """Counts one request; the seconds to wait when it is over the limit, else ``None``."""
        if now >= self.window_start + self.window_s:
            # A window opens with the first request after the last one closed.
            self.window_start, self.used = now, 0
        if self.used >= self.limit:
            return self.window_start + self.window_s - now
        self.used += 1
        return None

    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def reset_at(self) -> int:
        return math.ceil(self.window_start + self.window_s)


class Limits:
    def __init__(self) -> None:
        self._by_toolkit: dict[str, Limit] = {}

    def set(self, toolkit: str, limit: int, window_s: float) -> Limit:
        self._by_toolkit[toolkit] = Limit(toolkit, limit, window_s)
        return self._by_toolkit[toolkit]

    def get(self, toolkit: str) -> Limit | None:
        return self._by_toolkit.get(toolkit)

    def list(self) -> list[dict[str, Any]]:
        return [asdict(limit) for limit in self._by_toolkit.values()]

    def clear(self) -> None:
        self._by_toolkit.clear()
