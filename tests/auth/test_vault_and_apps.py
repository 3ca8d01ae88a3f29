"""Vault rotation, OAuth apps stored sealed, and the CLI commands of the auth issue."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from actionplane import AsyncPlane, ConnectionStatus, PlaneError
from actionplane.auth.vault import generate_key
from tests.auth.helpers import connect
from tests.auth.peer import CLIENT_SECRET, REDIRECT_URI, OidcServer, browse
from tests.cli_runner import run_cli, run_json


async def test_rotation_reseals_everything_then_the_old_key_can_go(
    auth_env: dict[str, str],
    tmp_path: Path,
    browser: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    old, new = auth_env["ACTIONPLANE_ENCRYPTION_KEY"], generate_key()
    async with AsyncPlane(database_url=url) as plane:
        oauth = await connect(plane, browser, "gina")
        static = await plane.connections.add("gina", "github", token="ghp_static_secret")
        await plane.oauth_apps.set("github", "gh-client", "gh-client-secret")
        await plane.connections.initiate("gina", "oidcapp", redirect_url=REDIRECT_URI)

    monkeypatch.setenv("ACTIONPLANE_ENCRYPTION_KEY", f"{new},{old}")
    seen: list[tuple[str, int, int]] = []
    async with AsyncPlane(database_url=url) as plane:
        report = await plane.vault.rotate(lambda *step: seen.append(step))
        assert report.resealed == {"connections": 3, "oauth_apps": 1, "oauth_states": 1}
        assert seen[-1] == ("oauth_states", 1, 1)
        assert (await plane.vault.rotate()).total == 0  # nothing left under the old key

    monkeypatch.setenv("ACTIONPLANE_ENCRYPTION_KEY", new)
    async with AsyncPlane(database_url=url) as plane:
        result = await plane.tools.execute("OIDCAPP_WHOAMI", {}, user_id="gina")
        assert result.successful and result.data["sub"] == "gina"
        assert (await plane.connections.get(oauth.id)).status is ConnectionStatus.ACTIVE
        store = await plane._connection_store()
        _, credentials = await store.resolve(plane.project_id, "gina", "github", static.id)
        assert credentials.token == "ghp_static_secret"

    monkeypatch.setenv("ACTIONPLANE_ENCRYPTION_KEY", old)
    async with AsyncPlane(database_url=url) as plane:
        store = await plane._connection_store()
        with pytest.raises(PlaneError):
            await store.resolve(plane.project_id, "gina", "github", static.id)


async def test_stored_oauth_app_wins_and_its_secret_is_sealed(
    auth_env: dict[str, str],
    tmp_path: Path,
    browser: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTIONPLANE_OIDCAPP_CLIENT_SECRET", "wrong-secret")
    database = tmp_path / "apps.db"
    async with AsyncPlane(database_url=f"sqlite:///{database}") as plane:
        listed = await plane.oauth_apps.list()
        assert [(a.toolkit, a.source) for a in listed] == [("oidcapp", "environment")]
        await plane.oauth_apps.set(
            "oidcapp", auth_env["ACTIONPLANE_OIDCAPP_CLIENT_ID"], CLIENT_SECRET
        )
        assert [a.source for a in await plane.oauth_apps.list()] == ["stored"]
        connection = await connect(plane, browser, "hank")  # would fail with the env's secret
        assert connection.status is ConnectionStatus.ACTIVE
    assert CLIENT_SECRET.encode() not in database.read_bytes()


def test_cli_connect_flow_rotation_and_apps(
    auth_env: dict[str, str], tmp_path: Path, oidc: OidcServer
) -> None:
    env = {"ACTIONPLANE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    key = run_cli("vault", "generate-key", cwd=tmp_path).stdout.strip()
    assert len(key) == 44
    started = run_json(
        "connections", "initiate", "--user", "ivy", "--toolkit", "oidcapp",
        "--redirect-url", REDIRECT_URI, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert started["authorize_url"].startswith(oidc.url + "/auth?")
    url = started["authorize_url"] + "&login_hint=ivy"

    async def follow() -> tuple[str, str]:
        async with httpx.AsyncClient() as browser:
            return await browse(browser, url)

    import anyio

    code, state = anyio.run(follow)
    done = run_json(
        "connections", "complete", "--state", state, "--code", code, cwd=tmp_path, env=env
    )
    assert done == {"id": started["connection_id"], "status": "ACTIVE"}

    run_cli(
        "oauth-apps",
        "set",
        "github",
        "--client-id",
        "gh",
        "--client-secret",
        "s3",
        cwd=tmp_path,
        env=env,
    )
    apps = run_json("oauth-apps", "list", cwd=tmp_path, env=env)
    assert {"toolkit": "github", "client_id": "gh", "source": "stored"} in apps

    rotated = {
        **env,
        "ACTIONPLANE_ENCRYPTION_KEY": f"{key},{auth_env['ACTIONPLANE_ENCRYPTION_KEY']}",
    }
    out = run_cli("vault", "rotate", cwd=tmp_path, env=rotated).stdout
    assert "connections: 1 re-sealed" in out and "oauth_apps: 1 re-sealed" in out
    only_new = {**env, "ACTIONPLANE_ENCRYPTION_KEY": key}
    listed = run_json("connections", "list", "--user", "ivy", cwd=tmp_path, env=only_new)
    assert [c["status"] for c in listed] == ["ACTIVE"]
    result = run_cli(
        "execute", "OIDCAPP_WHOAMI", "--user", "ivy", "--json", cwd=tmp_path, env=only_new
    )
    assert '"sub": "ivy"' in result.stdout
