"""Work a server process does besides answering requests: redriving dead letters once due.

Every process runs the loop; a due entry is claimed through its row's lease, so each is replayed
by exactly one process, and a restart loses nothing (the schedule is in the database).
"""

from __future__ import annotations

import logging

import anyio

from actionplane.errors import ActionplaneError
from actionplane.plane import AsyncPlane

log = logging.getLogger("actionplane.server")


async def redrive_once(plane: AsyncPlane, limit: int = 50) -> int:
    """Replay the entries of every project whose redrive time has come; how many ran."""
    executor = await plane._executor()
    done = 0
    for project_id, entry_id in await executor.dlq.due(limit):
        view = await plane.for_project(project_id)
        try:
            await view.dlq.replay(entry_id)
        except ActionplaneError:
            continue  # another process claimed it first
        done += 1
    return done


async def redrive_forever(plane: AsyncPlane, interval_s: float) -> None:
    while True:
        try:
            await redrive_once(plane)
        except Exception:  # a bad pass must not stop the loop; it is logged and retried
            log.exception("dead-letter redrive pass failed")
        await anyio.sleep(interval_s)
