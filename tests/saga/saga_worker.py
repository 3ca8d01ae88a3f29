"""A worker process of the saga crash tests.

``python -m tests.saga.saga_worker start RUN_ID '<lead json>'`` starts the golden workflow run
RUN_ID and drives it; ``... recover`` drives every run whose owner died, then prints them as
JSON. The plane is configured by the environment (database, encryption key, sandbox URL);
``SAGA_LEASE_S`` sets the lease.
"""

from __future__ import annotations

import json
import os
import sys

import anyio

from actionplane import AsyncPlane
from actionplane.engine.retry import RetryPolicy
from actionplane.saga import SagaPolicy
from actionplane.saga.golden import golden_lead


async def main(argv: list[str]) -> None:
    lease = float(os.environ.get("SAGA_LEASE_S", "2"))
    retries = RetryPolicy(max_attempts=3, base_delay_s=0.02, max_delay_s=0.05)
    async with AsyncPlane(retry_policy=retries) as plane:
        plane.workflows.policy = SagaPolicy(
            lease_s=lease, undo_attempts=5, undo_base_delay_s=0.05, undo_max_delay_s=0.2
        )
        plane.workflows.register(golden_lead)
        if argv[0] == "start":
            run = await plane.workflows.start(
                golden_lead, json.loads(argv[2]), user_id="alice", run_id=argv[1]
            )
            print(json.dumps([run.as_json()], default=str))
        else:
            runs = await plane.workflows.recover()
            print(json.dumps([r.as_json() for r in runs], default=str))


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:])
