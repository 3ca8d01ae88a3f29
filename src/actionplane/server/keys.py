"""Projects and their API keys. Keys are shown once; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.errors import CallerError
from actionplane.store.tables import api_keys, projects

KEY_PREFIX = "apk_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: str
    project_id: str
    name: str
    prefix: str
    created_at: float
    revoked_at: float | None


class KeyStore:
    """Projects and API keys in the plane's database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create_project(self, project_id: str, name: str | None = None) -> str:
        if not project_id.replace("-", "").replace("_", "").isalnum():
            raise CallerError("a project id is letters, digits, - and _")
        try:
            async with self._engine.begin() as db:
                await db.execute(
                    projects.insert().values(
                        id=project_id, name=name or project_id, created_at=time.time()
                    )
                )
        except IntegrityError as error:
            raise CallerError(f"project {project_id!r} already exists") from error
        return project_id

    async def projects(self) -> list[tuple[str, str]]:
        async with self._engine.connect() as db:
            rows = (await db.execute(sa.select(projects.c.id, projects.c.name))).all()
        return [(r.id, r.name) for r in rows]

    async def create_key(self, project_id: str, name: str = "default") -> tuple[ApiKey, str]:
        """A new key for a project: (its record, the key itself, shown this once)."""
        async with self._engine.connect() as db:
            found = (
                await db.execute(sa.select(projects.c.id).where(projects.c.id == project_id))
            ).first()
        if found is None:
            raise CallerError(f"no project {project_id!r}; create it first")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        record = ApiKey(
            "key_" + secrets.token_hex(8), project_id, name, key[:10], time.time(), None
        )
        async with self._engine.begin() as db:
            await db.execute(api_keys.insert().values(key_hash=_digest(key), **record.__dict__))
        return record, key

    async def keys(self, project_id: str | None = None) -> list[ApiKey]:
        query = sa.select(api_keys).order_by(api_keys.c.created_at)
        if project_id:
            query = query.where(api_keys.c.project_id == project_id)
        async with self._engine.connect() as db:
            rows = (await db.execute(query)).all()
        fields = ApiKey.__dataclass_fields__
        return [ApiKey(**{k: v for k, v in r._mapping.items() if k in fields}) for r in rows]

    async def revoke(self, key_id: str) -> None:
        async with self._engine.begin() as db:
            done = await db.execute(
                api_keys.update()
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=time.time())
            )
        if done.rowcount != 1:
            raise CallerError(f"no active key {key_id!r}")

    async def authenticate(self, key: str) -> str | None:
        """The project of a valid, unrevoked key; None otherwise."""
        if not key.startswith(KEY_PREFIX):
            return None
        query = sa.select(api_keys.c.project_id).where(
            api_keys.c.key_hash == _digest(key), api_keys.c.revoked_at.is_(None)
        )
        async with self._engine.connect() as db:
            row = (await db.execute(query)).first()
        return None if row is None else str(row.project_id)
