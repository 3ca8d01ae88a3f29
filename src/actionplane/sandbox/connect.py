"""Connecting an end user to sandbox toolkits, through the sandbox's real OAuth flow.

For a toolkit whose first auth scheme is OAuth 2.0, the user authorizes (PKCE S256, automatic
consent for ``login_hint``), the code is exchanged, and the tokens are stored as an ACTIVE OAuth
connection. Other toolkits (Stripe's API key) get a static credential issued by the sandbox's
control API, stored the same way as any static connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

import httpx

from actionplane.auth.connections import Connection, ConnectionStore
from actionplane.auth.credentials import Credentials
from actionplane.auth.oauth import OAuthClient
from actionplane.catalog.models import OAuth2Scheme, Toolkit
from actionplane.catalog.overrides import SANDBOX_URL_VARIABLE, apply_sandbox_url
from actionplane.errors import ConfigurationError

CLIENT_ID = "actionplane-sandbox"
CLIENT_SECRET = "sandbox-secret"
REDIRECT_URI = "http://127.0.0.1:8799/oauth/callback"


async def connect_toolkit(
    store: ConnectionStore,
    project_id: str,
    toolkit: Toolkit,
    sandbox_url: str,
    user: str,
    http: httpx.AsyncClient,
    oauth: bool = True,
) -> Connection:
    """One ACTIVE connection of ``user`` to the sandbox's ``toolkit``."""
    kit = apply_sandbox_url(toolkit, {SANDBOX_URL_VARIABLE: sandbox_url})
    first = kit.auth[0]
    if oauth and isinstance(first, OAuth2Scheme):
        client = OAuthClient(first, CLIENT_ID, CLIENT_SECRET, http)
        request = client.authorization_request(REDIRECT_URI, login_hint=user)
        answer = await http.get(request.url, follow_redirects=False)
        location = answer.headers.get("location", "")
        query = parse_qs(urlsplit(location).query)
        if answer.status_code not in (302, 303) or "code" not in query:
            raise ConfigurationError(
                f"the sandbox did not authorize {user} on {kit.slug}: HTTP {answer.status_code} "
                f"{query.get('error', [''])[0]}"
            )
        token = await client.exchange(request, query["code"][0], query.get("state", [""])[0])
        return await store.add_oauth(project_id, user, kit.slug, token, account=user)
    kinds = [s.type for s in kit.auth if s.type != "oauth2"]
    auth_type = kinds[0] if kinds else "bearer"
    answer = await http.post(
        f"{sandbox_url.rstrip('/')}/_sandbox/credentials",
        json={"toolkit": kit.slug, "user": user, "auth_type": auth_type},
    )
    answer.raise_for_status()
    issued = answer.json()
    credentials = Credentials(
        auth_type,
        token=issued.get("token"),
        api_key=issued.get("api_key"),
        username=issued.get("username"),
        password=issued.get("password"),
    )
    return await store.add_static(project_id, user, kit.slug, credentials, account=user)


async def connect_user(
    store: ConnectionStore,
    project_id: str,
    toolkits: Iterable[Toolkit],
    sandbox_url: str,
    user: str,
    oauth: bool = True,
) -> list[Connection]:
    """Connect ``user`` to every given toolkit of the sandbox at ``sandbox_url``."""
    async with httpx.AsyncClient(timeout=10) as http:
        return [
            await connect_toolkit(store, project_id, kit, sandbox_url, user, http, oauth)
            for kit in toolkits
        ]
