"""Leases that let one process at a time refresh a connection's token.

A lease is held by an owner until it is released or its time runs out (so a crashed holder
never blocks a connection for long). ``DatabaseLeases`` works on SQLite and PostgreSQL alike (a
row per lease, taken by insert or by updating an expired row); ``RedisLeases`` uses
``SET NX PX`` and a compare-and-delete script. Either one only narrows the race: the token row's
compare-and-swap is what makes a lost lease harmless to the stored token.
"""

from __future__ import annotations

import time
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.store.tables import auth_leases


class Leases(Protocol):
    async def acquire(self, name: str, owner: str, ttl_s: float) -> bool: ...

    async def release(self, name: str, owner: str) -> None: ...


class DatabaseLeases:
    """Lease rows in ``auth_leases``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def acquire(self, name: str, owner: str, ttl_s: float) -> bool:
        now = time.time()
        async with self._engine.begin() as db:
            taken = await db.execute(
                auth_leases.update()
                .where(auth_leases.c.name == name, auth_leases.c.lease_until < now)
                .values(owner=owner, lease_until=now + ttl_s)
            )
            if taken.rowcount == 1:
                return True
        try:
            async with self._engine.begin() as db:
                await db.execute(
                    auth_leases.insert().values(name=name, owner=owner, lease_until=now + ttl_s)
                )
        except sa.exc.IntegrityError:
            return False
        return True

    async def release(self, name: str, owner: str) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                auth_leases.delete().where(auth_leases.c.name == name, auth_leases.c.owner == owner)
            )


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLeases:
    """Leases as Redis keys under the deployment's prefix."""

    def __init__(self, redis: object, prefix: str) -> None:
        from redis.asyncio import Redis

        assert isinstance(redis, Redis)
        self._redis = redis
        self._prefix = prefix
        self._release = redis.register_script(_RELEASE)

    async def acquire(self, name: str, owner: str, ttl_s: float) -> bool:
        done = await self._redis.set(
            f"{self._prefix}lease:{name}", owner, nx=True, px=int(ttl_s * 1000)
        )
        return bool(done)

    async def release(self, name: str, owner: str) -> None:
        await self._release(keys=[f"{self._prefix}lease:{name}"], args=[owner])
