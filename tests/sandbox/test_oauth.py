"""The sandbox's OAuth server, driven by actionplane's OAuth client, and tokens on API calls."""

from __future__ import annotations

import httpx
import pytest

from actionplane import AsyncPlane
from actionplane.auth.oauth import OAuthClient
from actionplane.catalog.models import OAuth2Scheme
from actionplane.errors import ConnectionError_
from actionplane.testing import RunningSandbox

REDIRECT = "http://127.0.0.1:9/callback"


async def authorized(
    plane: AsyncPlane, http: httpx.AsyncClient, user: str = "alice"
) -> tuple[OAuthClient, str, str]:
    scheme = plane.catalog.toolkit("github").auth[0]
    assert isinstance(scheme, OAuth2Scheme)
    client = OAuthClient(scheme, "app", "secret", http)
    request = client.authorization_request(REDIRECT, login_hint=user)
    answer = await http.get(request.url)
    assert answer.status_code == 302
    location = httpx.URL(answer.headers["location"])
    assert str(location).startswith(REDIRECT)
    token = await client.exchange(request, location.params["code"], location.params["state"])
    assert token.refresh_token
    return client, token.access_token, token.refresh_token


async def user_of(plane: AsyncPlane, http: httpx.AsyncClient, access: str) -> httpx.Response:
    base = plane.catalog.toolkit("github").base_url
    return await http.get(base + "/user", headers={"Authorization": f"Bearer {access}"})


async def test_code_flow_with_pkce_then_api_call(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    async with httpx.AsyncClient() as http:
        _, access, _ = await authorized(plane, http)
        me = await user_of(plane, http, access)
    assert me.status_code == 200
    assert me.json()["login"] == "alice"


async def test_authorize_without_pkce_is_refused(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{sandbox.url}/oauth/github/authorize",
            params={"client_id": "app", "redirect_uri": REDIRECT, "state": "s", "login_hint": "a"},
        )
    assert httpx.URL(answer.headers["location"]).params["error"] == "invalid_request"


async def test_refresh_rotates_and_reuse_kills_the_grant(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    async with httpx.AsyncClient() as http:
        client, _, refresh = await authorized(plane, http)
        renewed = await client.refresh(refresh)
        assert renewed.refresh_token != refresh
        assert (await user_of(plane, http, renewed.access_token)).status_code == 200

        with pytest.raises(ConnectionError_):
            await client.refresh(refresh)  # the rotated one, again
        with pytest.raises(ConnectionError_):
            await client.refresh(renewed.refresh_token or "")  # the whole grant died
        assert (await user_of(plane, http, renewed.access_token)).status_code == 401
    grant = sandbox.grants()[0]
    assert grant["revoked"] and grant["reason"] == "rotated refresh token reused"
    assert grant["refreshes"] == 1


async def test_expired_and_revoked_tokens_get_401(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    async with httpx.AsyncClient() as http:
        client, access, refresh = await authorized(plane, http)
        assert sandbox.expire_tokens("github", "alice") == 1
        assert (await user_of(plane, http, access)).status_code == 401
        fresh = await client.refresh(refresh)
        assert (await user_of(plane, http, fresh.access_token)).status_code == 200
        await client.revoke(fresh.access_token)
        assert (await user_of(plane, http, fresh.access_token)).status_code == 401


async def test_configured_lifetime(sandbox: RunningSandbox, plane: AsyncPlane) -> None:
    sandbox.configure(access_token_ttl_s=2, toolkit="github")
    async with httpx.AsyncClient() as http:
        scheme = plane.catalog.toolkit("github").auth[0]
        assert isinstance(scheme, OAuth2Scheme)
        client = OAuthClient(scheme, "app", None, http)
        request = client.authorization_request(REDIRECT, login_hint="alice")
        location = httpx.URL((await http.get(request.url)).headers["location"])
        token = await client.exchange(request, location.params["code"], location.params["state"])
    assert token.expires_at is not None
    assert token.expires_at - 3 < __import__("time").time() < token.expires_at


async def test_connect_stores_active_oauth_connections(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    made = await sandbox.connect(plane, "bob", ["github", "stripe"])
    assert [(c.toolkit, c.auth_type, c.status.value) for c in made] == [
        ("github", "oauth2", "ACTIVE"),
        ("stripe", "api_key", "ACTIVE"),
    ]
    result = await plane.tools.execute("GITHUB_GET_AUTHENTICATED_USER", {}, user_id="bob")
    assert result.successful and result.data["login"] == "bob"


async def test_unknown_credentials_are_refused_provider_style(
    sandbox: RunningSandbox, plane: AsyncPlane
) -> None:
    await plane.connections.add("eve", "slack", token="xoxb-made-up")
    await plane.connections.add("eve", "github", token="ghp_made_up")
    slack = await plane.tools.execute("SLACK_LIST_USERS", {}, user_id="eve")
    github = await plane.tools.execute("GITHUB_GET_AUTHENTICATED_USER", {}, user_id="eve")
    assert slack.error is not None and slack.error.message == "invalid_auth"
    assert github.error is not None and github.error.status_code == 401
