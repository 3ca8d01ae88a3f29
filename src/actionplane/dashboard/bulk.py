"""Replaying many dead letters, one at a time, reporting each as it ends.

Each replay is the ordinary one (claim, original idempotency key, finish), so a bulk replay is
as safe as replaying entries one by one, and two operators replaying the same entries at once
replay each entry once: the second one finds it taken and reports it skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import anyio

from actionplane.errors import ActionplaneError

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane

MAX_BULK = 1000


@dataclass(frozen=True)
class Progress:
    """One entry done: ``outcome`` is ``succeeded``, ``failed`` or ``skipped``."""

    done: int
    total: int
    entry_id: str
    outcome: str
    execution_id: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


async def entries_to_replay(
    plane: AsyncPlane, ids: Sequence[str] | None, limit: int = MAX_BULK
) -> list[str]:
    """``ids`` (deduplicated, in order), or the project's pending entries, oldest first."""
    if ids is not None:
        return list(dict.fromkeys(ids))[:limit]
    pending = await plane.dlq.list(status="pending", limit=limit)
    return [e.id for e in reversed(pending)]


async def replay_many(plane: AsyncPlane, ids: Sequence[str]) -> AsyncIterator[Progress]:
    """Replay each entry of ``ids`` in turn; one ``Progress`` per entry."""
    total = len(ids)
    for done, entry_id in enumerate(ids, start=1):
        # A replay is never cut in half by a client that stops listening: once claimed, an
        # entry is finished (replayed, or pending again) before the loop may be cancelled.
        with anyio.CancelScope(shield=True):
            try:
                result = await plane.dlq.replay(entry_id)
            except ActionplaneError as error:
                progress = Progress(done, total, entry_id, "skipped", message=error.message)
            else:
                progress = Progress(
                    done,
                    total,
                    entry_id,
                    "succeeded" if result.successful else "failed",
                    result.execution_id,
                    None if result.error is None else result.error.message,
                )
        yield progress
