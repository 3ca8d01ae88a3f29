"""A sandbox and a plane with alice connected to GitHub, for every adapter test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from actionplane import AsyncPlane
from actionplane.engine.retry import RetryPolicy
from actionplane.testing import RunningSandbox

FAST_RETRIES = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.05)
ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "Checkout button is grey"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'plane.db'}"


@pytest.fixture
async def plane(sandbox: RunningSandbox, database_url: str) -> AsyncIterator[AsyncPlane]:
    """A SQLite plane with alice connected to the sandbox's GitHub (through OAuth)."""
    async with AsyncPlane(database_url=database_url, retry_policy=FAST_RETRIES) as plane:
        await sandbox.connect(plane, "alice", ["github"])
        yield plane


def issues_created(sandbox: RunningSandbox) -> list[dict[str, object]]:
    return [e for e in sandbox.ledger("github") if "create" in str(e["operation"])]
