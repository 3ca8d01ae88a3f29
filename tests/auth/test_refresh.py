"""Exactly-once refresh against oidc-provider, which revokes the whole grant if a rotated refresh
token is ever reused: any double refresh would fail calls here.

The access token lives 2 s. After it expired, 50 concurrent calls (one process on SQLite; two
processes on PostgreSQL + Redis) must send exactly one refresh-grant request and all succeed.
Then no token string may appear in the database, the logs or the envelopes.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import psycopg
import pytest

from actionplane import AsyncPlane, ConnectionStatus
from tests.auth.helpers import connect, stored_tokens
from tests.auth.peer import OidcServer, browse
from tests.requirements import REPO


async def test_fifty_calls_one_process_sqlite_refresh_once(
    auth_env: dict[str, str],
    tmp_path: Path,
    browser: httpx.AsyncClient,
    oidc: OidcServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    database = tmp_path / "plane.db"
    async with AsyncPlane(database_url=f"sqlite:///{database}") as plane:
        connection = await connect(plane, browser, "dana")
        tokens = await stored_tokens(plane, connection.id)
        await anyio.sleep(2.3)  # the access token expired
        before = oidc.stats()["refresh_requests"]
        results = []

        async def call() -> None:
            results.append(await plane.tools.execute("OIDCAPP_WHOAMI", {}, user_id="dana"))

        async with anyio.create_task_group() as group:
            for _ in range(50):
                group.start_soon(call)
        assert oidc.stats()["refresh_requests"] - before == 1
        assert [r.successful for r in results] == [True] * 50, results[0].error
        assert {r.data["sub"] for r in results} == {"dana"}
        tokens += await stored_tokens(plane, connection.id)
    envelopes = json.dumps([r.model_dump(mode="json") for r in results])
    haystacks = {
        "database": _files_text([database, *database.parent.glob("plane.db-*")]),
        "logs": caplog.text,
        "envelopes": envelopes,
    }
    assert len(set(tokens)) == 4  # access + refresh, then a new access + rotated refresh
    for where, text in haystacks.items():
        for token in tokens:
            assert token not in text, f"a token leaked into the {where}"


def _files_text(paths: list[Path]) -> str:
    return "".join(p.read_bytes().decode("latin-1") for p in paths if p.exists())


def _postgres_rows(url: str) -> str:
    with psycopg.connect(url) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return "\n".join(
            str(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"')
        )


def _run_workers(env: dict[str, str], specs: list[dict[str, Any]]) -> tuple[list[Any], str]:
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.auth.auth_worker", json.dumps(spec)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for spec in specs
    ]
    envelopes: list[Any] = []
    logs = ""
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
        envelopes += json.loads(out)
        logs += err
    return envelopes, logs


async def test_fifty_calls_two_processes_postgres_redis_refresh_once(
    auth_env: dict[str, str],
    postgres_url: str,
    redis_settings: dict[str, str],
    browser: httpx.AsyncClient,
    oidc: OidcServer,
) -> None:
    shared = {**auth_env, **redis_settings, "ACTIONPLANE_DATABASE_URL": postgres_url}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
    env.update(shared)
    async with AsyncPlane(
        database_url=postgres_url, redis_url=redis_settings["ACTIONPLANE_REDIS_URL"]
    ) as plane:
        connection = await connect(plane, browser, "erin")
        tokens = await stored_tokens(plane, connection.id)
        before = oidc.stats()["refresh_requests"]
        spec = {"tool": "OIDCAPP_WHOAMI", "user": "erin", "calls": 25, "start_at": time.time() + 4}
        envelopes, logs = await anyio.to_thread.run_sync(_run_workers, env, [spec, spec])
        assert oidc.stats()["refresh_requests"] - before == 1, oidc.stats()["grant_errors"]
        assert len(envelopes) == 50
        assert all(e["successful"] for e in envelopes), envelopes[0]["error"]
        assert {e["data"]["sub"] for e in envelopes} == {"erin"}
        assert (await plane.connections.get(connection.id)).status is ConnectionStatus.ACTIVE
        tokens += await stored_tokens(plane, connection.id)
    assert len(set(tokens)) == 4
    rows = _postgres_rows(postgres_url)
    text = json.dumps(envelopes)
    for token in tokens:
        assert token not in rows, "a token is stored in clear in PostgreSQL"
        assert token not in logs, "a token leaked into a worker's log"
        assert token not in text, "a token leaked into an envelope"


async def test_revoked_grant_returns_auth_required_with_a_reconnect_link(
    plane: AsyncPlane, browser: httpx.AsyncClient, oidc: OidcServer
) -> None:
    connection = await connect(plane, browser, "frank")
    assert (await plane.tools.execute("OIDCAPP_WHOAMI", {}, user_id="frank")).successful
    assert oidc.revoke("frank") >= 1

    result = await plane.tools.execute("OIDCAPP_WHOAMI", {}, user_id="frank")
    assert not result.successful and result.error is not None
    assert result.error.category == "auth_required"
    details = result.error.details or {}
    assert details["connection_id"] == connection.id
    reconnect = details["reconnect_url"]
    assert reconnect.startswith(oidc.url + "/auth?")
    expired = await plane.connections.get(connection.id)
    assert expired.status is ConnectionStatus.EXPIRED
    assert expired.status_reason and "invalid_grant" in expired.status_reason

    # The user follows the link in the same browser (still signed in at the provider).
    code, state = await browse(browser, reconnect)
    again = await plane.connections.complete(state=state, code=code)
    assert again.id == connection.id and again.status is ConnectionStatus.ACTIVE
    result = await plane.tools.execute(
        "OIDCAPP_WHOAMI", {}, user_id="frank", connected_account_id=connection.id
    )
    assert result.successful and result.data["sub"] == "frank"
