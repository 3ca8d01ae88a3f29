"""Every built-in tool's every example runs through the SDK against the sandbox and succeeds.

One plane (and one OAuth connection per toolkit, made through the sandbox's real flow) serves
the whole module; the sandbox's data is reset before each example, so each stands on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from actionplane import AsyncPlane
from actionplane.catalog.loader import load_builtin_toolkits
from actionplane.testing import RunningSandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

EXAMPLES = [
    pytest.param(tool.slug, example.arguments, id=f"{tool.slug}-{number}")
    for toolkit in load_builtin_toolkits()
    for tool in toolkit.tools
    for number, example in enumerate(tool.examples)
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def connected_plane(
    running_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncPlane]:
    folder: Path = tmp_path_factory.mktemp("every_tool")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ACTIONPLANE_KEY_FILE", str(folder / "key"))
        for name, value in running_sandbox.environ().items():
            patch.setenv(name, value)
        running_sandbox.reset(auth=True)
        async with AsyncPlane(database_url=f"sqlite:///{folder / 'plane.db'}") as plane:
            connections = await running_sandbox.connect(plane, "alice")
            assert {c.toolkit for c in connections} == {k.slug for k in plane.catalog.toolkits()}
            yield plane


async def test_every_example_has_a_route(running_sandbox: RunningSandbox) -> None:
    assert running_sandbox.health()["seed_problems"] == []


@pytest.mark.parametrize(("slug", "arguments"), EXAMPLES)
async def test_example_succeeds(
    running_sandbox: RunningSandbox,
    connected_plane: AsyncPlane,
    slug: str,
    arguments: dict[str, object],
) -> None:
    running_sandbox.reset()
    result = await connected_plane.tools.execute(slug, arguments, user_id="alice")

    assert result.successful, (result.error, running_sandbox.requests()[-1:])
    last = running_sandbox.requests()[-1]
    assert 200 <= last["status"] < 300
    assert slug in _same_route(connected_plane, last["tool"])


def _same_route(plane: AsyncPlane, slug: str | None) -> set[str]:
    """The tools that send this tool's method + path (Notion's two page creators, Drive's update
    and trash share one); the request log names the first."""
    assert slug is not None
    first = plane.catalog.get(slug).http
    return {
        t.slug
        for t in plane.catalog.list()
        if (t.http.method, t.http.path) == (first.method, first.path)
    }
