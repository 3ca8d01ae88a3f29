"""A real server on a loopback port (uvicorn in a thread, over a SQLite file), the in-process
sandbox behind it, and Debian's Chromium driven by Playwright: one of each per test module.

Project ``acme`` has an API key, alice connected to GitHub and the golden workflow's toolkits,
and a GitHub OAuth app; ``globex`` has a key and nothing else. Screenshots go to
``test-artifacts/dashboard/`` (or ``$ACTIONPLANE_TEST_ARTIFACTS/dashboard``)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn

from actionplane import AsyncPlane
from actionplane.engine.breaker import BreakerPolicy
from actionplane.engine.executor import ExecutionSettings
from actionplane.engine.retry import RetryPolicy
from actionplane.saga import SagaPolicy
from actionplane.server.app import create_app
from actionplane.server.keys import KeyStore
from actionplane.settings import Settings
from actionplane.testing import RunningSandbox, start_sandbox
from tests.requirements import REPO, missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("ACTIONPLANE_TEST_ARTIFACTS", REPO / "test-artifacts"))
ARTIFACTS /= "dashboard"
FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay_s=0.02, max_delay_s=0.05)
FAST_SAGAS = SagaPolicy(
    lease_s=2.0,
    step_attempts=3,
    step_base_delay_s=0.02,
    step_max_delay_s=0.05,
    undo_attempts=3,
    undo_base_delay_s=0.02,
    undo_max_delay_s=0.05,
)
# Faults here aim at single calls; an open breaker would refuse the calls that follow.
CALM_BREAKER = BreakerPolicy(window_size=200, minimum_calls=200)
# Dead letters wait for a person: no automatic redrive races the test's click.
MANUAL_DLQ = ExecutionSettings(redrive_after_s=3600.0)


@dataclass
class Served:
    url: str
    keys: dict[str, str]
    sandbox: RunningSandbox
    api: httpx.Client  # acme's key
    environ: dict[str, str]  # what the server was started with

    def execute(self, tool: str, arguments: dict[str, Any], user: str = "alice") -> Any:
        answer = self.api.post(
            f"/v1/tools/{tool}/execute", json={"user_id": user, "arguments": arguments}
        )
        return answer.json()


def _environment(sandbox: RunningSandbox, tmp: Path) -> dict[str, str]:
    return {
        **sandbox.environ(),
        "ACTIONPLANE_DATABASE_URL": f"sqlite:///{tmp / 'dashboard.db'}",
        "ACTIONPLANE_KEY_FILE": str(tmp / "encryption.key"),
    }


async def _setup(sandbox: RunningSandbox) -> dict[str, str]:
    async with AsyncPlane() as plane:
        keys = KeyStore((await plane._connection_store())._engine)
        found = {}
        for project in ("acme", "globex"):
            await keys.create_project(project)
            found[project] = (await keys.create_key(project))[1]
        acme = await plane.for_project("acme")
        await sandbox.connect(acme, "alice", ["github", "salesforce", "google_drive", "slack"])
        await acme.oauth_apps.set("github", "dashboard-test-client", "dashboard-test-secret")
        return found


def _closing(app: Any, plane: AsyncPlane) -> Any:
    """The app, closing ``plane`` when the server stops (on the server's own event loop)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served_app: Any) -> AsyncIterator[None]:
        async with inner(served_app):
            yield
        await plane.aclose()

    app.router.lifespan_context = lifespan
    return app


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("dashboard")
    with start_sandbox(seed=17) as sandbox, pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith("ACTIONPLANE_") and not name.startswith("ACTIONPLANE_TEST_"):
                env.delenv(name)
        environ = _environment(sandbox, tmp)
        for name, value in environ.items():
            env.setenv(name, value)
        keys = anyio.run(_setup, sandbox)
        plane = AsyncPlane(
            settings=Settings(),
            retry_policy=FAST_RETRIES,
            breaker_policy=CALM_BREAKER,
            execution_settings=MANUAL_DLQ,
        )
        plane.workflows.policy = FAST_SAGAS
        server, thread, url = _serve(_closing(create_app(plane), plane))
        api = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {keys['acme']}"}, timeout=30
        )
        try:
            yield Served(url, keys, sandbox, api, environ)
        finally:
            api.close()
            server.should_exit = True
            thread.join(timeout=30)


@pytest.fixture
def pointed_at_sandbox(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-test clean environment would hide the sandbox and the database from the
    server's request-time reads; give them back."""
    for name, value in served.environ.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artifact; its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def desktop(browser: Any, served: Served) -> Iterator[Any]:
    """A 1280 px wide page, signed in as acme through the admin-style link (#token=)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{served.url}/#token={served.keys['acme']}")
    page.get_by_role("heading", name="Overview").wait_for()
    try:
        yield page
    finally:
        context.close()
