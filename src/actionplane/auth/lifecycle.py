"""The OAuth side of a connection's life, composed for ``ConnectionStore``: refresh, reconnect
links, and revocation at the provider on disconnect."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx

from actionplane.auth.apps import OAuthApps
from actionplane.auth.connections import Connection
from actionplane.auth.flows import ConnectFlows
from actionplane.auth.oauth import OAuthClient
from actionplane.auth.tokens import TokenRefresher
from actionplane.catalog.models import OAuth2Scheme
from actionplane.errors import ActionplaneError

log = logging.getLogger("actionplane.auth")


class OAuthClients:
    """An ``OAuthClient`` for (project, toolkit): the toolkit's scheme and the project's app."""

    def __init__(
        self, schemes: Callable[[str], OAuth2Scheme], apps: OAuthApps, http: httpx.AsyncClient
    ) -> None:
        self._schemes = schemes
        self._apps = apps
        self._http = http

    async def __call__(self, project_id: str, toolkit: str) -> OAuthClient:
        app = await self._apps.get(project_id, toolkit)
        return OAuthClient(self._schemes(toolkit), app.client_id, app.client_secret, self._http)


class OAuthLifecycle:
    """What ``ConnectionStore`` delegates for OAuth connections."""

    def __init__(
        self,
        refresher: TokenRefresher,
        flows: ConnectFlows,
        clients: OAuthClients,
        default_redirect_url: str | None = None,
    ) -> None:
        self.refresher = refresher
        self.flows = flows
        self._clients = clients
        self._default_redirect = default_redirect_url

    def is_due(self, secret: dict[str, Any]) -> bool:
        return self.refresher.is_due(secret)

    async def refresh(self, connection_id: str, rejected: str | None = None) -> dict[str, Any]:
        return await self.refresher.refresh(connection_id, rejected)

    async def reconnect_url(self, connection: Connection) -> str | None:
        """An authorize URL that reconnects this same connection, when one can be made."""
        redirect = connection.redirect_url or self._default_redirect
        if connection.auth_type != "oauth2" or not redirect:
            return None
        try:
            started = await self.flows.initiate(
                connection.project_id,
                connection.user_id,
                connection.toolkit,
                redirect,
                connection_id=connection.id,
            )
        except ActionplaneError as error:
            log.warning("no reconnect link for %s: %s", connection.id, error.message)
            return None
        return started.authorize_url

    async def revoke(self, connection: Connection, secret: dict[str, Any]) -> bool:
        """Revoke the grant at the provider (RFC 7009); False when it could not be done."""
        token = secret.get("refresh_token") or secret.get("token")
        if connection.auth_type != "oauth2" or not token:
            return False
        try:
            client = await self._clients(connection.project_id, connection.toolkit)
            if not client.scheme.revoke_url:
                return False
            await client.revoke(str(token))
        except (ActionplaneError, httpx.HTTPError) as error:
            log.warning(
                "revoking %s at the provider failed: %s", connection.id, type(error).__name__
            )
            return False
        return True
