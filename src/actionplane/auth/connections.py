"""Connections: one end user's credentials for one toolkit account, stored sealed.

Every lookup is scoped by (project, user): a connection id of another user or project is
reported as not found, never as forbidden, so its existence does not leak.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.auth.credentials import Credentials
from actionplane.auth.oauth import OAuthToken
from actionplane.auth.vault import Vault
from actionplane.errors import ConnectionError_, ConnectionNotFoundError
from actionplane.store.tables import connections

_CREDENTIAL_FIELDS = ("token", "api_key", "username", "password")


class ConnectionStatus(StrEnum):
    INITIATED = "INITIATED"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Connection:
    """What may be shown about a connection: everything but its secret."""

    id: str
    project_id: str
    user_id: str
    toolkit: str
    account: str
    auth_type: str
    status: ConnectionStatus
    status_reason: str | None
    created_at: float
    redirect_url: str | None = None


class Lifecycle(Protocol):
    """The OAuth side of connections (``auth.lifecycle.OAuthLifecycle``)."""

    def is_due(self, secret: dict[str, Any]) -> bool: ...

    async def refresh(self, connection_id: str, rejected: str | None = None) -> dict[str, Any]: ...

    async def reconnect_url(self, connection: Connection) -> str | None: ...

    async def revoke(self, connection: Connection, secret: dict[str, Any]) -> bool: ...


def _row_to_connection(row: sa.Row[tuple[object, ...]]) -> Connection:
    m = row._mapping
    return Connection(
        id=m["id"],
        project_id=m["project_id"],
        user_id=m["user_id"],
        toolkit=m["toolkit"],
        account=m["account"],
        auth_type=m["auth_type"],
        status=ConnectionStatus(m["status"]),
        status_reason=m["status_reason"],
        created_at=m["created_at"],
        redirect_url=m["redirect_url"],
    )


class ConnectionStore:
    """Connections in the database, credentials sealed by the vault."""

    def __init__(
        self, engine: AsyncEngine, vault: Vault, lifecycle: Lifecycle | None = None
    ) -> None:
        self._engine = engine
        self._vault = vault
        self.lifecycle = lifecycle

    async def add_static(
        self,
        project_id: str,
        user_id: str,
        toolkit: str,
        credentials: Credentials,
        account: str = "default",
    ) -> Connection:
        """Store an ACTIVE connection with a static credential (token, API key or basic)."""
        connection_id = "conn_" + secrets.token_hex(10)
        now = time.time()
        secret = {
            key: value
            for key, value in {
                "token": credentials.token,
                "api_key": credentials.api_key,
                "username": credentials.username,
                "password": credentials.password,
            }.items()
            if value is not None
        }
        values = {
            "id": connection_id,
            "project_id": project_id,
            "user_id": user_id,
            "toolkit": toolkit,
            "account": account,
            "auth_type": credentials.auth_type,
            "status": ConnectionStatus.ACTIVE.value,
            "status_reason": None,
            "secret": self._vault.seal(secret, bound_to=connection_id),
            "created_at": now,
            "updated_at": now,
        }
        async with self._engine.begin() as db:
            await db.execute(connections.insert().values(**values))
        return await self.get(project_id, user_id, connection_id)

    async def add_oauth(
        self,
        project_id: str,
        user_id: str,
        toolkit: str,
        token: OAuthToken,
        account: str = "default",
    ) -> Connection:
        """Store an ACTIVE OAuth 2.0 connection. Access token, refresh token, expiry and scopes
        are sealed together; ``resolve`` returns the access token as ``Credentials.token``."""
        from actionplane.auth.tokens import token_secret

        connection_id = "conn_" + secrets.token_hex(10)
        now = time.time()
        secret = token_secret(token, now)
        values = {
            "id": connection_id,
            "project_id": project_id,
            "user_id": user_id,
            "toolkit": toolkit,
            "account": account,
            "auth_type": "oauth2",
            "status": ConnectionStatus.ACTIVE.value,
            "status_reason": None,
            "secret": self._vault.seal(secret, bound_to=connection_id),
            "created_at": now,
            "updated_at": now,
            "token_version": 1,
            "expires_at": token.expires_at,
        }
        async with self._engine.begin() as db:
            await db.execute(connections.insert().values(**values))
        return await self.get(project_id, user_id, connection_id)

    async def list(
        self, project_id: str, user_id: str | None = None, toolkit: str | None = None
    ) -> list[Connection]:
        """Connections of a project, optionally of one user and one toolkit, oldest first."""
        query = sa.select(connections).where(connections.c.project_id == project_id)
        if user_id is not None:
            query = query.where(connections.c.user_id == user_id)
        if toolkit is not None:
            query = query.where(connections.c.toolkit == toolkit)
        async with self._engine.connect() as db:
            rows = (await db.execute(query.order_by(connections.c.created_at))).all()
        return [_row_to_connection(row) for row in rows]

    async def get(self, project_id: str, user_id: str | None, connection_id: str) -> Connection:
        """One connection of this project (and user, when given), or ``ConnectionNotFoundError``."""
        query = sa.select(connections).where(
            connections.c.id == connection_id, connections.c.project_id == project_id
        )
        if user_id is not None:
            query = query.where(connections.c.user_id == user_id)
        async with self._engine.connect() as db:
            row = (await db.execute(query)).first()
        if row is None:
            raise ConnectionNotFoundError(f"no connection {connection_id!r} for this user")
        return _row_to_connection(row)

    async def remove(self, project_id: str, connection_id: str) -> bool:
        """Revoke an OAuth grant at the provider (RFC 7009, when it has a revocation URL), then
        delete the connection of this project (not found if it is another project's).

        Returns whether the provider confirmed the revocation. The local delete happens either
        way: the user asked to disconnect, and the sealed tokens go with the row.
        """
        connection = await self.get(project_id, None, connection_id)
        revoked = False
        if connection.auth_type == "oauth2" and self.lifecycle is not None:
            async with self._engine.connect() as db:
                sealed = (
                    await db.execute(
                        sa.select(connections.c.secret).where(connections.c.id == connection_id)
                    )
                ).scalar_one_or_none()
            if sealed is not None:
                secret = self._vault.open(sealed, bound_to=connection_id)
                revoked = await self.lifecycle.revoke(connection, secret)
        async with self._engine.begin() as db:
            result = await db.execute(
                connections.delete().where(
                    connections.c.id == connection_id, connections.c.project_id == project_id
                )
            )
        if result.rowcount == 0:
            raise ConnectionNotFoundError(f"no connection {connection_id!r} in this project")
        return revoked

    async def resolve(
        self, project_id: str, user_id: str, toolkit: str, connection_id: str | None = None
    ) -> tuple[Connection, Credentials]:
        """The connection a call runs with, and its opened credentials.

        With ``connection_id`` that exact connection (of this user and toolkit); otherwise the
        user's newest ACTIVE connection for the toolkit.
        """
        query = sa.select(connections).where(
            connections.c.project_id == project_id,
            connections.c.user_id == user_id,
            connections.c.toolkit == toolkit,
        )
        if connection_id is not None:
            query = query.where(connections.c.id == connection_id)
        else:
            query = query.where(connections.c.status == ConnectionStatus.ACTIVE.value)
        async with self._engine.connect() as db:
            row = (await db.execute(query.order_by(connections.c.created_at.desc()))).first()
        if row is None:
            raise ConnectionNotFoundError(
                f"user {user_id!r} has no active {toolkit} connection",
                agent_message=(
                    f"The user has not connected their {toolkit} account. Ask them to connect it, "
                    "then try again."
                ),
                details={"toolkit": toolkit, "user_id": user_id},
            )
        connection = _row_to_connection(row)
        if connection.status is not ConnectionStatus.ACTIVE:
            raise await self._with_reconnect(
                ConnectionNotFoundError(
                    f"connection {connection.id} is {connection.status.value}",
                    agent_message=f"The user's {toolkit} connection must be reconnected.",
                    details={"toolkit": toolkit, "connection_id": connection.id},
                ),
                connection,
            )
        opened = self._vault.open(row._mapping["secret"], bound_to=connection.id)
        if (
            connection.auth_type == "oauth2"
            and self.lifecycle is not None
            and self.lifecycle.is_due(opened)
        ):
            opened = await self._refreshed(connection, None)
        return connection, _credentials(connection, opened)

    async def refresh_rejected(
        self, connection: Connection, credentials: Credentials
    ) -> Credentials:
        """New credentials after the provider refused ``credentials`` (a 401): one refresh,
        unless another call already replaced that token. Raises ``ConnectionError_`` (with a
        reconnect link when one can be made) when the user must reconnect."""
        if self.lifecycle is None or connection.auth_type != "oauth2" or not credentials.token:
            return credentials
        return _credentials(connection, await self._refreshed(connection, credentials.token))

    async def _refreshed(self, connection: Connection, rejected: str | None) -> dict[str, Any]:
        assert self.lifecycle is not None
        try:
            return await self.lifecycle.refresh(connection.id, rejected)
        except ConnectionError_ as error:
            fresh = await self.get(connection.project_id, connection.user_id, connection.id)
            raise await self._with_reconnect(error, fresh) from None

    async def _with_reconnect(
        self, error: ConnectionError_, connection: Connection
    ) -> ConnectionError_:
        """The error, with ``details.reconnect_url`` when a connect link can be made."""
        if self.lifecycle is not None:
            url = await self.lifecycle.reconnect_url(connection)
            if url is not None:
                error.details["reconnect_url"] = url
                error.details.setdefault("connection_id", connection.id)
                error.details.setdefault("toolkit", connection.toolkit)
        return error


def _credentials(connection: Connection, opened: dict[str, Any]) -> Credentials:
    # OAuth secrets also hold the refresh token and expiry, which a request never carries.
    fields = {k: v for k, v in opened.items() if k in _CREDENTIAL_FIELDS}
    return Credentials(auth_type=connection.auth_type, **fields)
