"""A sandbox for the safe-execution tests, and planes tuned so the tests run in seconds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from actionplane import AsyncPlane
from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.retry import RetryPolicy
from actionplane.testing import RunningSandbox, start_sandbox

FAST_RETRIES = RetryPolicy(max_attempts=4, base_delay_s=0.05, max_delay_s=0.2)
TEST_BREAKER = BreakerPolicy(window_size=5, minimum_calls=5, open_wait_s=1.0, half_open_calls=2)


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(seed=11) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    running_sandbox.reset(auth=True)
    for name, value in running_sandbox.environ().items():
        monkeypatch.setenv(name, value)
    return running_sandbox


@pytest.fixture
async def plane(sandbox: RunningSandbox, tmp_path: Path) -> AsyncIterator[AsyncPlane]:
    """A SQLite plane with alice connected to every sandbox toolkit through OAuth."""
    async with AsyncPlane(
        database_url=f"sqlite:///{tmp_path / 'plane.db'}",
        retry_policy=FAST_RETRIES,
        breaker_policy=TEST_BREAKER,
    ) as plane:
        await sandbox.connect(plane, "alice", ["github", "stripe", "jira"])
        yield plane
