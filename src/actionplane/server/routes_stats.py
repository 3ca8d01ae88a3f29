"""``/v1/stats/overview``: the numbers the dashboard's overview shows, for the key's project."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from actionplane.dashboard.stats import MAX_MINUTES, overview
from actionplane.server.deps import ProjectPlane

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("/overview")
async def get_overview(
    plane: ProjectPlane,
    minutes: Annotated[int, Query(ge=1, le=MAX_MINUTES, description="How far back to look.")] = 15,
) -> dict[str, Any]:
    """Calls per minute, success rate, p50/p99 latency, retries, rate-limit waits, breaker
    states per provider, DLQ depth and runs needing attention. Computed from the shared
    database, except the breakers: this server process's view of them (the fleet's, with
    Redis)."""
    return await overview(plane, minutes)
