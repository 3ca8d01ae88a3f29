"""The connect flow against a real oidc-provider: initiate -> browser -> complete -> ACTIVE."""

from __future__ import annotations

import httpx
import pytest

from actionplane import AsyncPlane, CallerError, ConnectionNotFoundError, ConnectionStatus
from tests.auth.helpers import connect, stored_tokens
from tests.auth.peer import REDIRECT_URI, OidcServer, browse


async def test_connect_over_http_then_call(
    plane: AsyncPlane, browser: httpx.AsyncClient, oidc: OidcServer
) -> None:
    started = await plane.connections.initiate(
        "alice", "oidcapp", redirect_url=REDIRECT_URI, authorize_params={"login_hint": "alice"}
    )
    url = httpx.URL(started.authorize_url)
    assert url.params["code_challenge_method"] == "S256"
    assert url.params["redirect_uri"] == REDIRECT_URI
    pending = await plane.connections.get(started.connection_id)
    assert pending.status is ConnectionStatus.INITIATED

    code, state = await browse(browser, started.authorize_url)
    connection = await plane.connections.complete(state=state, code=code)
    assert connection.id == started.connection_id
    assert connection.status is ConnectionStatus.ACTIVE
    waited = await plane.connections.wait_for_connection(connection.id, timeout=1)
    assert waited.status is ConnectionStatus.ACTIVE

    result = await plane.tools.execute("OIDCAPP_WHOAMI", {}, user_id="alice")
    assert result.successful, result.error
    assert result.data["sub"] == "alice"
    with pytest.raises(CallerError, match="already used"):
        await plane.connections.complete(state=state, code=code)  # state is single-use


async def test_wrong_state_is_refused_and_nothing_is_activated(
    plane: AsyncPlane, browser: httpx.AsyncClient
) -> None:
    started = await plane.connections.initiate(
        "bob", "oidcapp", redirect_url=REDIRECT_URI, authorize_params={"login_hint": "bob"}
    )
    code, _ = await browse(browser, started.authorize_url)
    with pytest.raises(CallerError):
        await plane.connections.complete(state="forged", code=code)
    assert (await plane.connections.get(started.connection_id)).status is (
        ConnectionStatus.INITIATED
    )


async def test_disconnect_revokes_at_the_provider(
    plane: AsyncPlane, browser: httpx.AsyncClient, oidc: OidcServer
) -> None:
    connection = await connect(plane, browser, "carol")
    access, _refresh = await stored_tokens(plane, connection.id)
    whoami = oidc.url + "/api/whoami"
    bearer = {"Authorization": f"Bearer {access}"}
    assert (await browser.get(whoami, headers=bearer)).status_code == 200
    assert await plane.connections.remove(connection.id) is True
    assert (await browser.get(whoami, headers=bearer)).status_code == 401
    with pytest.raises(ConnectionNotFoundError):
        await plane.connections.get(connection.id)


async def test_connections_are_isolated_by_user_and_project(
    plane: AsyncPlane, browser: httpx.AsyncClient
) -> None:
    alice = await connect(plane, browser, "alice")
    refused = await plane.tools.execute(
        "OIDCAPP_WHOAMI", {}, user_id="mallory", connected_account_id=alice.id
    )
    assert refused.error is not None and refused.error.category == "auth_required"
    assert "alice" not in refused.error.message
    with pytest.raises(ConnectionNotFoundError):
        await plane.connections.get(alice.id, user_id="mallory")
    other = await plane.for_project("other-project")
    with pytest.raises(ConnectionNotFoundError):
        await other.connections.get(alice.id)
    with pytest.raises(ConnectionNotFoundError):
        await other.connections.remove(alice.id)
    assert (await plane.connections.get(alice.id)).status is ConnectionStatus.ACTIVE
