"""The overview of one project: what its calls did over the last minutes, read from the shared
database (so every server process answers the same), plus the breakers this process sees."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from actionplane.dashboard.breakers import breaker_states
from actionplane.store.tables import dead_letters, executions, saga_runs

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane

MAX_MINUTES = 24 * 60
# Enough for any project a dashboard is read for; beyond it the numbers are of the newest calls.
MAX_ROWS = 20_000


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _toolkit_of(plane: AsyncPlane, tool: str) -> str:
    try:
        return plane.catalog.get(tool).toolkit
    except Exception:  # a tool since removed from the catalog: its slug's prefix
        return tool.split("_", 1)[0].lower()


def _rate_limited(row: Any) -> bool:
    if row.outcome == "rate_limited":
        return True
    return any(a.get("outcome") == "rate_limited" for a in row.attempt_log or [])


async def overview(
    plane: AsyncPlane, minutes: int = 15, now: float | None = None
) -> dict[str, Any]:
    """Calls per minute, success rate, p50/p99 latency, retries, rate-limit waits, breakers,
    DLQ depth and runs needing attention, for ``plane``'s project over the last ``minutes``."""
    minutes = max(1, min(int(minutes), MAX_MINUTES))
    until = time.time() if now is None else now
    first_minute = math.floor(until / 60) * 60 - (minutes - 1) * 60
    project = plane.project_id
    await plane._executor()  # open the database
    query = (
        sa.select(
            executions.c.tool,
            executions.c.status,
            executions.c.outcome,
            executions.c.attempts,
            executions.c.duration_ms,
            executions.c.started_at,
            executions.c.replayed,
            executions.c.attempt_log,
        )
        .where(executions.c.project_id == project, executions.c.started_at >= first_minute)
        .order_by(executions.c.started_at.desc())
        .limit(MAX_ROWS)
    )
    depth = sa.select(sa.func.count()).where(
        dead_letters.c.project_id == project, dead_letters.c.status == "pending"
    )
    attention = sa.select(sa.func.count()).where(
        saga_runs.c.project_id == project, saga_runs.c.status == "needs_attention"
    )
    async with plane._engine.connect() as db:
        rows = (await db.execute(query)).all()
        dlq_pending = int((await db.execute(depth)).scalar() or 0)
        runs_attention = int((await db.execute(attention)).scalar() or 0)

    buckets = {first_minute + 60 * i: {"calls": 0, "failed": 0} for i in range(minutes)}
    durations: list[float] = []
    succeeded = retries = waits = replayed = 0
    providers: set[str] = set()
    for row in rows:
        bucket = buckets.get(math.floor(row.started_at / 60) * 60)
        if bucket is not None:
            bucket["calls"] += 1
            bucket["failed"] += row.status != "succeeded"
        succeeded += row.status == "succeeded"
        replayed += bool(row.replayed)
        retries += max(0, row.attempts - 1)
        waits += _rate_limited(row)
        if not row.replayed:  # a replay's duration is a key lookup, not a provider's latency
            durations.append(row.duration_ms)
        providers.add(_toolkit_of(plane, row.tool))
    calls = len(rows)
    return {
        "project": project,
        "minutes": minutes,
        "since": first_minute,
        "until": until,
        "calls": calls,
        "succeeded": succeeded,
        "failed": calls - succeeded,
        "replayed": replayed,
        "success_rate": None if calls == 0 else succeeded / calls,
        "latency_ms": {"p50": percentile(durations, 0.5), "p99": percentile(durations, 0.99)},
        "retries": retries,
        "rate_limit_waits": waits,
        "per_minute": [{"minute": m, **counts} for m, counts in buckets.items()],
        "breakers": await breaker_states(plane, providers),
        "dlq_pending": dlq_pending,
        "runs_needing_attention": runs_attention,
        "truncated": calls >= MAX_ROWS,
    }
