"""One worker process of the refresh race: N concurrent calls of one tool from a start time.

Usage: ``python -m tests.auth.auth_worker '<json spec>'``, configured by the environment. Logs
everything (DEBUG) to stderr, so the test can check that no token reaches a log.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import anyio

from actionplane import AsyncPlane, ExecutionResult


async def run(spec: dict[str, Any]) -> list[ExecutionResult]:
    results: list[ExecutionResult] = []
    async with AsyncPlane() as plane:
        await plane._executor()
        await anyio.sleep(max(0.0, spec["start_at"] - time.time()))

        async def call() -> None:
            results.append(await plane.tools.execute(spec["tool"], {}, user_id=spec["user"]))

        async with anyio.create_task_group() as group:
            for _ in range(spec["calls"]):
                group.start_soon(call)
    return results


if __name__ == "__main__":
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    envelopes = anyio.run(run, json.loads(sys.argv[1]))
    print(json.dumps([e.model_dump(mode="json") for e in envelopes]))
