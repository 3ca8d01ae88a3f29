"""The real authorization server, and planes configured to use it through a toolkit YAML."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from actionplane import AsyncPlane
from actionplane.auth.vault import generate_key
from tests.auth.peer import OidcServer, oidc_server


@pytest.fixture(scope="module")
def oidc() -> Iterator[OidcServer]:
    with oidc_server(access_token_ttl_s=2) as server:
        yield server


@pytest.fixture
def auth_env(oidc: OidcServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The toolkit, its OAuth app and a vault key, set in this process's environment."""
    env = {
        **oidc.environ(tmp_path),
        "ACTIONPLANE_ENCRYPTION_KEY": generate_key(),
        "ACTIONPLANE_REFRESH_SKEW_S": "0.3",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def plane(auth_env: dict[str, str], database_url: str) -> AsyncIterator[AsyncPlane]:
    async with AsyncPlane(database_url=database_url) as plane:
        yield plane
