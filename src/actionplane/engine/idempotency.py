"""Idempotency keys (IETF ``Idempotency-Key`` draft, Stripe semantics), stored in the database.

Same key + same request -> the stored result, marked replayed. Same key + different arguments ->
``IdempotencyMismatchError``. Same key while the first call runs -> wait up to a bound, then
``IdempotencyConflictError``. Claims are rows under a primary key, so the database arbitrates
between processes; a claim whose owner died is taken over once its lease runs out.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.errors import IdempotencyConflictError, IdempotencyMismatchError
from actionplane.store.tables import idempotency_keys


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal arguments give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def request_fingerprint(tool: str, arguments: Mapping[str, Any], connection_id: str | None) -> str:
    """What must match for a key to be reused: the tool, its arguments and the connection."""
    text = canonical_json({"tool": tool, "arguments": arguments, "connection": connection_id})
    return hashlib.sha256(text.encode()).hexdigest()


def dedup_key(tool: str, arguments: Mapping[str, Any]) -> str:
    """The implicit key of a side-effecting call made without one."""
    digest = hashlib.sha256(canonical_json({"t": tool, "a": arguments}).encode()).hexdigest()
    return f"auto:{digest[:40]}"


def upstream_key(project_id: str, user_id: str, key: str) -> str:
    """The key sent to a provider that honours one: stable for our key, opaque to the provider."""
    digest = hashlib.sha256(f"{project_id}\x00{user_id}\x00{key}".encode()).hexdigest()
    return f"ap_{digest[:40]}"


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: ours to run, or a stored result to replay."""

    acquired: bool
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class KeyScope:
    project_id: str
    user_id: str
    key: str

    def where(self) -> sa.ColumnElement[bool]:
        c = idempotency_keys.c
        return sa.and_(
            c.project_id == self.project_id, c.user_id == self.user_id, c.key == self.key
        )


class IdempotencyStore:
    """Claims, completes, releases and purges keys. Safe across processes sharing a database."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        wait_s: float = 10.0,
        lease_s: float = 300.0,
        poll_s: float = 0.05,
    ) -> None:
        self._engine = engine
        self._wait_s = wait_s
        self._lease_s = lease_s
        self._poll_s = poll_s
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    async def claim(
        self, scope: KeyScope, tool: str, fingerprint: str, owner: str, ttl_s: float
    ) -> Claim:
        """Take the key for ``owner``, or return the stored result, or raise (mismatch/conflict)."""
        deadline = time.monotonic() + self._wait_s
        while True:
            now = time.time()
            row = {
                "project_id": scope.project_id,
                "user_id": scope.user_id,
                "key": scope.key,
                "tool": tool,
                "request_hash": fingerprint,
                "state": "in_flight",
                "owner": owner,
                "lease_until": now + self._lease_s,
                "result": None,
                "created_at": now,
                "expires_at": now + ttl_s,
            }
            async with self._engine.begin() as db:
                inserted = await db.execute(
                    self._insert(idempotency_keys)
                    .values(**row)
                    .on_conflict_do_nothing()
                    .returning(idempotency_keys.c.key)
                )
                if inserted.first() is not None:
                    return Claim(acquired=True)
                found = (await db.execute(sa.select(idempotency_keys).where(scope.where()))).first()
                if found is None:
                    continue
                existing = found._mapping
                if existing["expires_at"] <= now:
                    await db.execute(
                        idempotency_keys.delete().where(
                            scope.where(), idempotency_keys.c.expires_at <= now
                        )
                    )
                    continue
                if existing["request_hash"] != fingerprint:
                    raise IdempotencyMismatchError(
                        f"idempotency key {scope.key!r} was used with different arguments",
                        details={"idempotency_key": scope.key, "first_tool": existing["tool"]},
                    )
                if existing["state"] == "completed":
                    return Claim(acquired=False, result=existing["result"])
                if existing["lease_until"] <= now:
                    taken = await db.execute(
                        idempotency_keys.update()
                        .where(scope.where(), idempotency_keys.c.owner == existing["owner"])
                        .values(owner=owner, lease_until=now + self._lease_s)
                    )
                    if taken.rowcount == 1:
                        return Claim(acquired=True)
            if time.monotonic() >= deadline:
                raise IdempotencyConflictError(
                    f"a call with idempotency key {scope.key!r} is still in flight",
                    agent_message="The same action is still running; wait and check its result.",
                    retry_after_s=1.0,
                    details={"idempotency_key": scope.key},
                )
            await anyio.sleep(self._poll_s)

    async def complete(self, scope: KeyScope, owner: str, result: dict[str, Any]) -> None:
        """Store the result of the owner's call; later claims replay it."""
        async with self._engine.begin() as db:
            await db.execute(
                idempotency_keys.update()
                .where(scope.where(), idempotency_keys.c.owner == owner)
                .values(state="completed", result=result)
            )

    async def release(self, scope: KeyScope, owner: str) -> None:
        """Give the key back without a result (the call had no effect, or it was dead-lettered)."""
        async with self._engine.begin() as db:
            await db.execute(
                idempotency_keys.delete().where(
                    scope.where(),
                    idempotency_keys.c.owner == owner,
                    idempotency_keys.c.state == "in_flight",
                )
            )

    async def forget(self, scope: KeyScope) -> None:
        """Drop a key's stored result, so a dead-letter replay under the same key runs again."""
        async with self._engine.begin() as db:
            await db.execute(idempotency_keys.delete().where(scope.where()))

    async def purge(self, now: float | None = None) -> int:
        """Delete every key past its retention; returns how many."""
        moment = time.time() if now is None else now
        async with self._engine.begin() as db:
            done = await db.execute(
                idempotency_keys.delete().where(idempotency_keys.c.expires_at <= moment)
            )
        return int(done.rowcount)
