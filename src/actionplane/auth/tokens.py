"""Refreshing OAuth access tokens: before expiry, and exactly once per connection at a time.

Three layers, each covering what the one before cannot:

1. an ``anyio.Lock`` per connection id: the calls of one process queue behind one refresh;
2. a lease (a database row, or a Redis key when Redis is configured): one process of a fleet
   refreshes; the others poll the row and pick up the new token when its version moves;
3. compare-and-swap on ``connections.token_version``: a write based on a stale read is dropped,
   so an expired lease can never overwrite a newer token with an older one.

A rotated refresh token is therefore sent once. ``invalid_grant`` marks the connection EXPIRED
(the user must reconnect); a transient failure backs off and retries a few times, then the call
fails as retryable.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import sqlalchemy as sa
from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.auth.lease import Leases
from actionplane.auth.oauth import OAuthClient, OAuthToken
from actionplane.auth.vault import Vault
from actionplane.errors import ConnectionError_, ProviderError
from actionplane.observability.metrics import instruments
from actionplane.store.tables import connections

ClientFactory = Callable[[str, str], Awaitable[OAuthClient]]


class RefreshUnavailableError(ProviderError):
    """The token endpoint could not be reached or failed; the call may be tried again later."""

    category = "transient"
    retryable = True


@dataclass(frozen=True)
class RefreshPolicy:
    """``skew_s``: refresh this long before expiry (at most half the token's lifetime).
    ``lease_ttl_s`` must outlast one token request; ``wait_s`` bounds how long a call waits
    for another process's refresh."""

    skew_s: float = 60.0
    lease_ttl_s: float = 30.0
    wait_s: float = 30.0
    attempts: int = 3
    backoff_s: float = 0.25
    poll_s: float = 0.05


def token_secret(token: OAuthToken, now: float | None = None) -> dict[str, Any]:
    """What the vault seals for an OAuth connection."""
    return {
        "token": token.access_token,
        "refresh_token": token.refresh_token,
        "expires_at": token.expires_at,
        "scopes": list(token.scopes),
        "obtained_at": time.time() if now is None else now,
    }


def is_due(secret: dict[str, Any], skew_s: float, now: float | None = None) -> bool:
    """Whether the access token expires within the skew (capped at half its lifetime, so a
    short-lived token is not refreshed on every call)."""
    expires_at = secret.get("expires_at")
    if expires_at is None:
        return False
    obtained = secret.get("obtained_at")
    skew = skew_s
    if obtained is not None and expires_at > obtained:
        skew = min(skew_s, (expires_at - obtained) / 2)
    moment = time.time() if now is None else now
    return bool(moment >= expires_at - skew)


class TokenRefresher:
    """Fresh access tokens for OAuth connections, shared safely by every process."""

    def __init__(
        self,
        engine: AsyncEngine,
        vault: Vault,
        clients: ClientFactory,
        leases: Leases,
        policy: RefreshPolicy | None = None,
    ) -> None:
        self._engine = engine
        self._vault = vault
        self._clients = clients
        self._leases = leases
        self.policy = policy or RefreshPolicy()
        self._locks: dict[str, anyio.Lock] = {}
        self._owner = "proc_" + secrets.token_hex(8)

    def is_due(self, secret: dict[str, Any]) -> bool:
        return is_due(secret, self.policy.skew_s)

    async def refresh(self, connection_id: str, rejected: str | None = None) -> dict[str, Any]:
        """The connection's opened secret after a refresh, or after another caller's.

        Without ``rejected`` a refresh happens only if the token is due; with it (the access
        token a provider just refused) only if the stored token is still that one.
        """
        lock = self._locks.setdefault(connection_id, anyio.Lock())
        async with lock:
            deadline = time.monotonic() + self.policy.wait_s
            name = f"refresh:{connection_id}"
            while True:
                version, secret = await self._read(connection_id)
                if not self._needed(secret, rejected):
                    return secret
                if await self._leases.acquire(name, self._owner, self.policy.lease_ttl_s):
                    try:
                        version, secret = await self._read(connection_id)
                        if not self._needed(secret, rejected):
                            return secret
                        return await self._exchange(connection_id, version, secret)
                    finally:
                        await self._leases.release(name, self._owner)
                if time.monotonic() > deadline:
                    raise RefreshUnavailableError(
                        "another process is still refreshing this connection's token",
                        agent_message="The connection is being renewed; try again shortly.",
                        retry_after_s=1.0,
                    )
                await anyio.sleep(self.policy.poll_s)

    def _needed(self, secret: dict[str, Any], rejected: str | None) -> bool:
        if rejected is not None:
            return bool(secret.get("token") == rejected)
        return self.is_due(secret)

    async def _read(self, connection_id: str) -> tuple[int, dict[str, Any]]:
        async with self._engine.connect() as db:
            row = (
                await db.execute(
                    sa.select(
                        connections.c.status,
                        connections.c.status_reason,
                        connections.c.toolkit,
                        connections.c.secret,
                        connections.c.token_version,
                    ).where(connections.c.id == connection_id)
                )
            ).first()
        if row is None or row.status != "ACTIVE":
            raise ConnectionError_(
                f"connection {connection_id} is "
                + ("gone" if row is None else f"{row.status} ({row.status_reason})"),
                agent_message="The user's connection must be reconnected.",
                details={"connection_id": connection_id},
            )
        return int(row.token_version), self._vault.open(row.secret, bound_to=connection_id)

    async def _exchange(
        self, connection_id: str, version: int, secret: dict[str, Any]
    ) -> dict[str, Any]:
        project_id, toolkit = await self._owner_of(connection_id)
        refresh_token = secret.get("refresh_token")
        if not refresh_token:
            await self.mark(
                connection_id, version, "EXPIRED", "the token expired and cannot be renewed"
            )
            raise ConnectionError_(
                f"connection {connection_id} has no refresh token",
                agent_message=f"The user's {toolkit} connection expired; ask them to reconnect.",
                details={"connection_id": connection_id, "toolkit": toolkit},
            )
        client = await self._clients(project_id, toolkit)
        token = await self._refresh_with_backoff(
            client, connection_id, version, toolkit, refresh_token
        )
        fresh = token_secret(token)
        async with self._engine.begin() as db:
            swapped = await db.execute(
                connections.update()
                .where(connections.c.id == connection_id, connections.c.token_version == version)
                .values(
                    secret=self._vault.seal(fresh, bound_to=connection_id),
                    token_version=version + 1,
                    expires_at=token.expires_at,
                    updated_at=time.time(),
                )
            )
        if swapped.rowcount == 0:
            # Someone wrote a newer token meanwhile (a reconnect, or a lease that ran out):
            # theirs stands.
            return (await self._read(connection_id))[1]
        return fresh

    async def _refresh_with_backoff(
        self,
        client: OAuthClient,
        connection_id: str,
        version: int,
        toolkit: str,
        refresh_token: str,
    ) -> OAuthToken:
        last: Exception | None = None
        for attempt in range(self.policy.attempts):
            try:
                token = await client.refresh(refresh_token)
                _refreshed(toolkit, "succeeded", attempt)
                return token
            except ConnectionError_ as error:
                _refreshed(toolkit, "invalid_grant", attempt)
                reason = "the authorization server refused the refresh token (invalid_grant)"
                await self.mark(connection_id, version, "EXPIRED", reason)
                raise ConnectionError_(
                    f"connection {connection_id}: {reason}",
                    agent_message=(
                        f"The user's {toolkit} connection was revoked or expired; ask them to "
                        "reconnect it."
                    ),
                    details={"connection_id": connection_id, "toolkit": toolkit},
                ) from error
            except ProviderError as error:
                status = error.details.get("status_code", 500)
                if isinstance(status, int) and status < 500 and status != 429:
                    raise
                last = error
            except httpx.HTTPError as error:
                last = error
            await anyio.sleep(self.policy.backoff_s * (2**attempt) * random.uniform(0.5, 1.0))
        _refreshed(toolkit, "unavailable", self.policy.attempts)
        raise RefreshUnavailableError(
            f"refreshing connection {connection_id} failed: {type(last).__name__}",
            agent_message="The provider's sign-in service is unavailable; try again shortly.",
            retry_after_s=self.policy.backoff_s * 2**self.policy.attempts,
        )

    async def _owner_of(self, connection_id: str) -> tuple[str, str]:
        async with self._engine.connect() as db:
            row = (
                await db.execute(
                    sa.select(connections.c.project_id, connections.c.toolkit).where(
                        connections.c.id == connection_id
                    )
                )
            ).one()
        return str(row.project_id), str(row.toolkit)

    async def mark(self, connection_id: str, version: int, status: str, reason: str) -> None:
        """Set a status, unless the token moved on since ``version`` (a reconnect won)."""
        async with self._engine.begin() as db:
            await db.execute(
                connections.update()
                .where(connections.c.id == connection_id, connections.c.token_version == version)
                .values(status=status, status_reason=reason, updated_at=time.time())
            )


def _refreshed(toolkit: str, result: str, retries: int) -> None:
    """A refresh's trace event (on the call's span) and metric."""
    trace.get_current_span().add_event(
        "actionplane.auth.refresh",
        {
            "actionplane.toolkit": toolkit,
            "actionplane.refresh.result": result,
            "actionplane.refresh.retries": retries,
        },
    )
    instruments().refreshes.add(1, {"toolkit": toolkit, "result": result})
