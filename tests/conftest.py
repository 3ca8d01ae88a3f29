"""Shared fixtures: a clean environment per test, and databases on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from actionplane.testing import RunningSandbox, start_sandbox
from tests.requirements import missing

POSTGRES_ADMIN_URL = os.environ.get(
    "ACTIONPLANE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ACTIONPLANE_* setting leaks in from the developer's shell; keys live in tmp_path."""
    for name in list(os.environ):
        if name.startswith("ACTIONPLANE_") and not name.startswith("ACTIONPLANE_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ACTIONPLANE_KEY_FILE", str(tmp_path / "keys" / "encryption.key"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database created for this test and dropped after it."""
    name = "ap_test_" + secrets.token_hex(6)
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        missing(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


REDIS_URL = os.environ.get("ACTIONPLANE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_settings() -> Iterator[dict[str, str]]:
    """Redis settings under a key prefix of this test's own, deleted after it."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        missing(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"aptest:{secrets.token_hex(6)}:"
    try:
        yield {"ACTIONPLANE_REDIS_URL": REDIS_URL, "ACTIONPLANE_REDIS_PREFIX": prefix}
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'actionplane.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[RunningSandbox]:
    """A sandbox served in this process for a test module."""
    with start_sandbox(seed=11) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    """The module's sandbox emptied (credentials too), with every built-in toolkit pointed at it."""
    running_sandbox.reset(auth=True)
    for name, value in running_sandbox.environ().items():
        monkeypatch.setenv(name, value)
    return running_sandbox
