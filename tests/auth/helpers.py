"""Connecting a user through the real authorization server, and reading what the vault holds."""

from __future__ import annotations

import httpx

from actionplane import AsyncPlane, Connection
from tests.auth.peer import REDIRECT_URI, browse


async def connect(plane: AsyncPlane, browser: httpx.AsyncClient, user: str) -> Connection:
    """initiate -> the user's browser at the provider -> complete, as an app would."""
    started = await plane.connections.initiate(
        user, "oidcapp", redirect_url=REDIRECT_URI, authorize_params={"login_hint": user}
    )
    code, state = await browse(browser, started.authorize_url)
    connection: Connection = await plane.connections.complete(state=state, code=code)
    return connection


async def stored_tokens(plane: AsyncPlane, connection_id: str) -> list[str]:
    """The access and refresh token the vault holds for a connection (for leak checks)."""
    store = await plane._connection_store()
    lifecycle, *_ = await plane._auth()
    version, secret = await lifecycle.refresher._read(connection_id)
    del store, version
    return [str(secret[k]) for k in ("token", "refresh_token") if secret.get(k)]
