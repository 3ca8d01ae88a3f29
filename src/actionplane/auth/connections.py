"""Connections: one end user's credentials for one toolkit account, stored sealed.

Every lookup is scoped by (project, user): a connection id of another user or project is
reported as not found, never as forbidden, so its existence does not leak.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.auth.credentials import Credentials
from actionplane.auth.oauth import OAuthToken
from actionplane.auth.vault import Vault
from actionplane.errors import ConnectionNotFoundError
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
    )


class ConnectionStore:
    """Connections in the database, credentials sealed by the vault."""

    def __init__(self, engine: AsyncEngine, vault: Vault) -> None:
        self._engine = engine
        self._vault = vault

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
        connection_id = "conn_" + secrets.token_hex(10)
        now = time.time()
        secret = {
            "token": token.access_token,
            "refresh_token": token.refresh_token,
            "expires_at": token.expires_at,
            "scopes": list(token.scopes),
        }
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

    async def remove(self, project_id: str, connection_id: str) -> None:
        """Delete a connection of this project (not found if it is another project's)."""
        async with self._engine.begin() as db:
            result = await db.execute(
                connections.delete().where(
                    connections.c.id == connection_id, connections.c.project_id == project_id
                )
            )
        if result.rowcount == 0:
            raise ConnectionNotFoundError(f"no connection {connection_id!r} in this project")

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
            raise ConnectionNotFoundError(
                f"connection {connection.id} is {connection.status.value}",
                agent_message=f"The user's {toolkit} connection must be reconnected.",
                details={"toolkit": toolkit, "connection_id": connection.id},
            )
        opened = self._vault.open(row._mapping["secret"], bound_to=connection.id)
        # OAuth secrets also hold the refresh token and expiry, which a request never carries.
        fields = {k: v for k, v in opened.items() if k in _CREDENTIAL_FIELDS}
        return connection, Credentials(auth_type=connection.auth_type, **fields)
