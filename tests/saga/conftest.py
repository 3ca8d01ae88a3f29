"""A sandbox with alice connected to the golden workflow's toolkits, and fast saga policies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from actionplane import AsyncPlane
from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.retry import RetryPolicy
from actionplane.saga import SagaPolicy
from actionplane.testing import RunningSandbox, start_sandbox

FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay_s=0.02, max_delay_s=0.05)
FAST_SAGAS = SagaPolicy(
    lease_s=2.0,
    step_attempts=4,
    step_base_delay_s=0.02,
    step_max_delay_s=0.05,
    undo_attempts=3,
    undo_base_delay_s=0.02,
    undo_max_delay_s=0.05,
)
# Faults here are aimed at single steps; an open breaker would blur which step failed.
CALM_BREAKER = BreakerPolicy(window_size=200, minimum_calls=200)
GOLDEN_KITS = ["salesforce", "google_drive", "slack"]


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(seed=23) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    running_sandbox.reset(auth=True)
    for name, value in running_sandbox.environ().items():
        monkeypatch.setenv(name, value)
    return running_sandbox


@pytest.fixture
async def plane(sandbox: RunningSandbox, database_url: str) -> AsyncIterator[AsyncPlane]:
    """A plane (SQLite, then PostgreSQL) with alice connected to the golden toolkits."""
    async with AsyncPlane(
        database_url=database_url, retry_policy=FAST_RETRIES, breaker_policy=CALM_BREAKER
    ) as plane:
        plane.workflows.policy = FAST_SAGAS
        await sandbox.connect(plane, "alice", GOLDEN_KITS)
        yield plane


def effects(sandbox: RunningSandbox) -> list[tuple[str, str, str | None]]:
    """The ledger as (toolkit, operation, resource) for the golden toolkits."""
    return [
        (e["toolkit"], e["operation"], e["resource_id"])
        for e in sandbox.ledger()
        if e["toolkit"] in GOLDEN_KITS
    ]
