"""Engines for the configured database, and migrations to the newest schema.

One URL configures both drivers: ``sqlite:///file.db`` uses aiosqlite (WAL) and
``postgresql://...`` uses psycopg 3; Alembic migrates with the synchronous twin of the same URL.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from actionplane.errors import PlaneError

# Any two processes migrating one PostgreSQL database at once take turns on this lock.
_MIGRATION_LOCK_ID = 0x61637470


def driver_urls(url: str) -> tuple[str, str]:
    """The (async, sync) SQLAlchemy URLs for a user-facing database URL."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() == "sqlite":
        return (
            parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False),
            parsed.set(drivername="sqlite").render_as_string(hide_password=False),
        )
    if parsed.get_backend_name() == "postgresql":
        rendered = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return rendered, rendered
    raise PlaneError(f"unsupported database {parsed.get_backend_name()!r}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``, tuned for its backend."""
    async_url, _ = driver_urls(url)
    if async_url.startswith("sqlite"):
        # One connection: this process's writers queue in the pool instead of colliding on
        # SQLite's single write lock and sleeping in its busy handler.
        engine = create_async_engine(async_url, pool_size=1, max_overflow=0, pool_timeout=60)
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(async_url, pool_size=10, max_overflow=20, pool_recycle=1800)


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (safe to call from many processes)."""
    _, sync_url = driver_urls(url)
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("actionplane.store") / "migrations")
    )
    engine = sa.create_engine(sync_url)
    if sync_url.startswith("sqlite"):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})"))
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except sa.exc.OperationalError as exc:
        raise PlaneError(f"cannot reach the database: {exc.orig}") from exc
    finally:
        engine.dispose()
