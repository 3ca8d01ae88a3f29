"""The connect flow: authorization code with PKCE (S256), a single-use expiring ``state``.

``initiate`` makes (or, for a reconnect, reuses) a connection in INITIATED state and returns
the provider's authorize URL. Only a SHA-256 of the ``state`` is stored, with the PKCE verifier
sealed by the vault; ``complete`` consumes that row (a second ``complete`` with the same state
finds nothing), trades the code for tokens and makes the connection ACTIVE.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.auth.oauth import AuthorizationRequest
from actionplane.auth.tokens import ClientFactory, token_secret
from actionplane.auth.vault import Vault
from actionplane.errors import ActionplaneError, CallerError, ConnectionNotFoundError
from actionplane.store.tables import connections, oauth_states


@dataclass(frozen=True)
class Initiated:
    """Where to send the user, and the connection that will become ACTIVE."""

    connection_id: str
    authorize_url: str
    expires_at: float


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


class ConnectFlows:
    """Starting and completing OAuth connections."""

    def __init__(
        self, engine: AsyncEngine, vault: Vault, clients: ClientFactory, state_ttl_s: float = 600
    ) -> None:
        self._engine = engine
        self._vault = vault
        self._clients = clients
        self.state_ttl_s = state_ttl_s

    async def initiate(
        self,
        project_id: str,
        user_id: str,
        toolkit: str,
        redirect_url: str,
        *,
        account: str = "default",
        scopes: Sequence[str] | None = None,
        authorize_params: Mapping[str, str] | None = None,
        connection_id: str | None = None,
    ) -> Initiated:
        """A fresh authorize URL; with ``connection_id`` (a reconnect) for that connection."""
        if not redirect_url.startswith(("http://", "https://")):
            raise CallerError("redirect_url must be an absolute http(s) URL")
        client = await self._clients(project_id, toolkit)
        request = client.authorization_request(
            redirect_url,
            tuple(scopes) if scopes is not None else None,
            **dict(authorize_params or {}),
        )
        now = time.time()
        async with self._engine.begin() as db:
            if connection_id is None:
                connection_id = "conn_" + secrets.token_hex(10)
                await db.execute(
                    connections.insert().values(
                        id=connection_id,
                        project_id=project_id,
                        user_id=user_id,
                        toolkit=toolkit,
                        account=account,
                        auth_type="oauth2",
                        status="INITIATED",
                        status_reason=None,
                        secret=self._vault.seal({}, bound_to=connection_id),
                        created_at=now,
                        updated_at=now,
                        token_version=0,
                        redirect_url=redirect_url,
                    )
                )
            else:
                await db.execute(
                    connections.update()
                    .where(connections.c.id == connection_id)
                    .values(redirect_url=redirect_url, updated_at=now)
                )
            hashed = state_hash(request.state)
            await db.execute(
                oauth_states.insert().values(
                    state_hash=hashed,
                    project_id=project_id,
                    user_id=user_id,
                    connection_id=connection_id,
                    toolkit=toolkit,
                    redirect_uri=redirect_url,
                    verifier=self._vault.seal({"verifier": request.code_verifier}, hashed),
                    expires_at=now + self.state_ttl_s,
                    created_at=now,
                )
            )
        return Initiated(connection_id, request.url, now + self.state_ttl_s)

    async def complete(self, project_id: str, state: str, code: str) -> str:
        """Consume ``state``, exchange ``code``, make the connection ACTIVE; its id."""
        hashed = state_hash(state)
        async with self._engine.begin() as db:
            row = (
                await db.execute(
                    sa.select(oauth_states).where(
                        oauth_states.c.state_hash == hashed,
                        oauth_states.c.project_id == project_id,
                    )
                )
            ).first()
            if row is not None:
                consumed = await db.execute(
                    oauth_states.delete().where(oauth_states.c.state_hash == hashed)
                )
                if consumed.rowcount != 1:
                    row = None
        if row is None:
            raise CallerError("unknown or already used OAuth state; start the connection again")
        if row.expires_at < time.time():
            raise CallerError("the OAuth state expired; start the connection again")
        verifier = self._vault.open(row.verifier, hashed)["verifier"]
        client = await self._clients(project_id, row.toolkit)
        request = AuthorizationRequest("", state, verifier, row.redirect_uri)
        try:
            token = await client.exchange(request, code, state)
        except ActionplaneError as error:
            await self._fail(row.connection_id, f"the code exchange failed: {error.message}")
            raise
        fresh = token_secret(token)
        async with self._engine.begin() as db:
            version = (
                await db.execute(
                    sa.select(connections.c.token_version).where(
                        connections.c.id == row.connection_id
                    )
                )
            ).scalar_one_or_none()
            if version is None:
                raise ConnectionNotFoundError(f"connection {row.connection_id} was removed")
            await db.execute(
                connections.update()
                .where(connections.c.id == row.connection_id)
                .values(
                    status="ACTIVE",
                    status_reason=None,
                    secret=self._vault.seal(fresh, bound_to=row.connection_id),
                    token_version=version + 1,
                    expires_at=token.expires_at,
                    updated_at=time.time(),
                )
            )
        return str(row.connection_id)

    async def _fail(self, connection_id: str, reason: str) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                connections.update()
                .where(connections.c.id == connection_id, connections.c.status == "INITIATED")
                .values(status="FAILED", status_reason=reason, updated_at=time.time())
            )

    async def purge_states(self) -> int:
        """Delete expired states; returns how many."""
        async with self._engine.begin() as db:
            done = await db.execute(
                oauth_states.delete().where(oauth_states.c.expires_at < time.time())
            )
        return int(done.rowcount)
