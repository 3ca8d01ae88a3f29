"""A golden-workflow worker process, for the demo's crash run and the chaos test.

``python -m actionplane.saga.worker start RUN_ID '<lead json>'`` starts the golden workflow run
RUN_ID and drives it to the end; ``... work`` drives every run nobody holds, forever (until it is
killed). The plane is configured by the environment (``ACTIONPLANE_DATABASE_URL``, the encryption
key or key file, the sandbox URL). ``SAGA_USER`` is the user the runs act for (default
``demo-user``), ``SAGA_LEASE_S`` the lease (default 1 s), ``SAGA_CONCURRENCY`` how many runs
``work`` drives at once. Retries and undos are fast: this is for sandboxes, not providers.
"""

from __future__ import annotations

import json
import os
import sys

import anyio

from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.retry import RetryPolicy
from actionplane.saga.golden import golden_lead
from actionplane.saga.policy import SagaPolicy

FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay_s=0.02, max_delay_s=0.05)
# Faults are injected on purpose; an open breaker would turn them into a different failure.
CALM_BREAKER = BreakerPolicy(window_size=1000, minimum_calls=1000)


def fast_policy(lease_s: float) -> SagaPolicy:
    """Short leases and quick, bounded retries of steps and undos."""
    return SagaPolicy(
        lease_s=lease_s,
        step_attempts=4,
        step_base_delay_s=0.02,
        step_max_delay_s=0.05,
        undo_attempts=4,
        undo_base_delay_s=0.02,
        undo_max_delay_s=0.05,
    )


async def main(argv: list[str]) -> None:
    from actionplane.plane import AsyncPlane

    lease = float(os.environ.get("SAGA_LEASE_S", "1"))
    user = os.environ.get("SAGA_USER", "demo-user")
    async with AsyncPlane(retry_policy=FAST_RETRIES, breaker_policy=CALM_BREAKER) as plane:
        plane.workflows.policy = fast_policy(lease)
        plane.workflows.register(golden_lead)
        if argv[0] == "start":
            run = await plane.workflows.start(
                golden_lead, json.loads(argv[2]), user_id=user, run_id=argv[1]
            )
            print(json.dumps(run.as_json(), default=str))
        elif argv[0] == "work":
            concurrency = int(os.environ.get("SAGA_CONCURRENCY", "8"))
            await plane.workflows.work(poll_s=0.1, concurrency=concurrency)
        else:
            raise SystemExit(f"usage: python -m actionplane.saga.worker start|work; not {argv!r}")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1:])
