"""Schedules (cron) as triggers: a workflow started at each fire time of a cron expression.

Each fire time maps to one run id (``sched_<name>_<epoch>``), and starting a run with an
existing id returns that run, so every server process may run the scheduler: a fire time starts
one run in all, and a process that was down catches up on the times it missed (within
``catch_up_s``) without doubling any.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import anyio
from croniter import croniter

from actionplane.errors import CallerError, ConfigurationError
from actionplane.saga.model import Workflow

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane

log = logging.getLogger("actionplane.schedules")


@dataclass(frozen=True)
class Schedule:
    """Start ``workflow`` for ``user_id`` at every time ``cron`` (5 fields, UTC) names."""

    name: str
    cron: str
    workflow: Workflow
    user_id: str
    project_id: str = "default"
    input: Any = None

    def __post_init__(self) -> None:
        if not croniter.is_valid(self.cron):
            raise ConfigurationError(f"schedule {self.name!r}: {self.cron!r} is not a cron line")

    def fire_times(self, after: float, until: float) -> list[float]:
        """Fire times in (after, until], oldest first."""
        times = croniter(self.cron, datetime.fromtimestamp(after, UTC))
        found = []
        while (moment := float(times.get_next(float))) <= until:
            found.append(moment)
        return found

    def run_id(self, at: float) -> str:
        return f"sched_{self.name}_{int(at)}"


async def fire_due(plane: AsyncPlane, schedule: Schedule, after: float, until: float) -> list[str]:
    """Start (durably, idempotently) the runs of every fire time in (after, until]; then drive
    them. Returns their run ids."""
    view = await plane.for_project(schedule.project_id)
    started = []
    for moment in schedule.fire_times(after, until):
        run = await view.workflows.start(
            schedule.workflow,
            schedule.input,
            user_id=schedule.user_id,
            run_id=schedule.run_id(moment),
            wait=False,
        )
        started.append(run.id)
    for run_id in started:
        with contextlib.suppress(CallerError):  # finished, or held by another process
            await view.workflows.resume(run_id)
    return started


async def run_schedules(
    plane: AsyncPlane, schedules: list[Schedule], tick_s: float = 1.0, catch_up_s: float = 60.0
) -> None:
    """The scheduler loop a server runs: fires every due schedule, forever."""
    last = time.time() - catch_up_s
    while True:
        now = time.time()
        for schedule in schedules:
            try:
                await fire_due(plane, schedule, last, now)
            except Exception:  # one bad schedule must not stop the others; logged, retried
                log.exception("schedule %s failed", schedule.name)
        last = now
        await anyio.sleep(tick_s)
