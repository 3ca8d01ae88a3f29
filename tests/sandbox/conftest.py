"""A sandbox per test module (reset before each test), and a plane pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from actionplane import AsyncPlane
from actionplane.testing import RunningSandbox, start_sandbox


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(seed=7) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    """A clean sandbox (fresh credentials too), with every built-in toolkit pointed at it."""
    running_sandbox.reset(auth=True)
    running_sandbox.configure(access_token_ttl_s=3600)
    for name, value in running_sandbox.environ().items():
        monkeypatch.setenv(name, value)
    return running_sandbox


@pytest.fixture
async def plane(sandbox: RunningSandbox, tmp_path: Path) -> AsyncIterator[AsyncPlane]:
    """A plane on SQLite whose built-in toolkits point at the sandbox."""
    async with AsyncPlane(database_url=f"sqlite:///{tmp_path / 'plane.db'}") as plane:
        yield plane
