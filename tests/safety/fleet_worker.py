"""One worker process of a fleet test: runs N concurrent tool calls from a shared start time.

Usage: ``python -m tests.safety.fleet_worker '<json spec>'`` with the plane configured by the
environment (ACTIONPLANE_DATABASE_URL, ACTIONPLANE_REDIS_URL, ACTIONPLANE_SANDBOX_URL, ...).
Prints the result envelopes as a JSON array.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import anyio

from actionplane import AsyncPlane, ExecutionResult


async def run(spec: dict[str, Any]) -> list[ExecutionResult]:
    results: list[ExecutionResult] = []
    async with AsyncPlane() as plane:
        await plane._executor()  # open the database before the start line
        await anyio.sleep(max(0.0, spec["start_at"] - time.time()))

        async def call() -> None:
            results.append(
                await plane.tools.execute(
                    spec["tool"],
                    spec["arguments"],
                    user_id=spec["user"],
                    idempotency_key=spec.get("idempotency_key"),
                )
            )

        async with anyio.create_task_group() as group:
            for _ in range(spec["calls"]):
                group.start_soon(call)
    return results


if __name__ == "__main__":
    envelopes = anyio.run(run, json.loads(sys.argv[1]))
    print(json.dumps([e.model_dump(mode="json") for e in envelopes]))
