"""Planes tuned so the safe-execution tests run in seconds (the sandbox is tests/conftest.py's)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from actionplane import AsyncPlane
from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.retry import RetryPolicy
from actionplane.testing import RunningSandbox

FAST_RETRIES = RetryPolicy(max_attempts=4, base_delay_s=0.05, max_delay_s=0.2)
TEST_BREAKER = BreakerPolicy(window_size=5, minimum_calls=5, open_wait_s=1.0, half_open_calls=2)


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
