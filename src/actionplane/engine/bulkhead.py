"""A bulkhead: caps on concurrent calls per provider and per connection, in this process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio


@dataclass(frozen=True)
class BulkheadLimits:
    per_provider: int = 64
    per_connection: int = 16


class Bulkhead:
    """Hands out slots; a caller that cannot get one within ``max_wait_s`` gets ``None``."""

    def __init__(self, limits: BulkheadLimits | None = None) -> None:
        self.limits = limits or BulkheadLimits()
        self._slots: dict[str, anyio.Semaphore] = {}

    def _semaphore(self, key: str, size: int) -> anyio.Semaphore:
        if key not in self._slots:
            self._slots[key] = anyio.Semaphore(size)
        return self._slots[key]

    @asynccontextmanager
    async def slot(
        self, provider: str, connection_id: str | None, max_wait_s: float
    ) -> AsyncIterator[bool]:
        """Yields True inside both slots, or False if they were not free in time."""
        provider_slots = self._semaphore(f"p:{provider}", self.limits.per_provider)
        connection_slots = self._semaphore(f"c:{connection_id}", self.limits.per_connection)
        with anyio.move_on_after(max_wait_s) as scope:
            await provider_slots.acquire()
            try:
                await connection_slots.acquire()
            except BaseException:
                provider_slots.release()
                raise
        if scope.cancelled_caught:
            yield False
            return
        try:
            yield True
        finally:
            connection_slots.release()
            provider_slots.release()
