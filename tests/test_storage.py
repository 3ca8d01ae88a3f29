"""Connections on SQLite and PostgreSQL: sealed at rest, scoped to their owner, migrations."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from actionplane import AsyncPlane, ConnectionNotFoundError
from actionplane.auth.vault import Vault, generate_key
from actionplane.errors import CallerError, PlaneError
from actionplane.settings import Settings
from actionplane.store.database import driver_urls

TOKEN = "ghp_SECRET_token_value_1234567890"


def dump_database(url: str, tmp_path: Path) -> bytes:
    """Every byte the database holds, as a user inspecting it would see them."""
    if url.startswith("sqlite"):
        files = sorted(tmp_path.glob("*.db*"))
        return b"".join(f.read_bytes() for f in files)
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT row_to_json(c)::text FROM connections c").fetchall()
        rows += db.execute("SELECT row_to_json(e)::text FROM executions e").fetchall()
    return "\n".join(r[0] for r in rows).encode()


async def test_connections_add_list_remove_on_both_backends(
    database_url: str, tmp_path: Path
) -> None:
    async with AsyncPlane(database_url=database_url) as plane:
        alice = await plane.connections.add("alice", "github", token=TOKEN)
        work = await plane.connections.add("alice", "github", token="ghp_two", account="work")
        await plane.connections.add("bob", "stripe", api_key="sk_test_bob")
        assert [c.id for c in await plane.connections.list(user_id="alice")] == [alice.id, work.id]
        assert alice.status.value == "ACTIVE" and alice.auth_type == "bearer"
        assert len(await plane.connections.list()) == 3
        await plane.connections.remove(alice.id)
        with pytest.raises(ConnectionNotFoundError):
            await plane.connections.get(alice.id)
        assert TOKEN.encode() not in dump_database(database_url, tmp_path)


async def test_another_users_connection_is_not_found(tmp_path: Path) -> None:
    async with AsyncPlane(database_url=f"sqlite:///{tmp_path}/a.db") as plane:
        bobs = await plane.connections.add("bob", "github", token="ghp_bob")
        result = await plane.tools.execute(
            "GITHUB_LIST_ISSUES",
            {"owner": "a", "repo": "b"},
            user_id="alice",
            connected_account_id=bobs.id,
        )
    assert result.error is not None and result.error.category == "auth_required"
    assert "ghp_bob" not in result.model_dump_json()


async def test_another_projects_connection_is_invisible(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    async with AsyncPlane(database_url=url) as plane:
        connection = await plane.connections.add("alice", "github", token="ghp_alice")
    async with AsyncPlane(database_url=url, project="other") as other:
        assert await other.connections.list() == []
        with pytest.raises(ConnectionNotFoundError):
            await other.connections.remove(connection.id)


async def test_wrong_credentials_for_a_toolkit_are_refused(tmp_path: Path) -> None:
    async with AsyncPlane(database_url=f"sqlite:///{tmp_path}/a.db") as plane:
        with pytest.raises(CallerError, match="accepts"):
            await plane.connections.add("alice", "github", username="a", password="b")
        with pytest.raises(CallerError, match="give a token"):
            await plane.connections.add("alice", "github")


async def test_a_wrong_encryption_key_fails_loudly_and_leaks_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    first = Settings(database_url=url, encryption_key=generate_key())
    async with AsyncPlane(settings=first) as plane:
        await plane.connections.add("alice", "github", token=TOKEN)
    second = Settings(database_url=url, encryption_key=generate_key())
    async with AsyncPlane(settings=second) as plane:
        result = await plane.tools.execute(
            "GITHUB_LIST_ISSUES", {"owner": "a", "repo": "b"}, user_id="alice"
        )
    assert result.error is not None and result.error.category == "plane"
    assert TOKEN not in result.model_dump_json()


def test_vault_binds_ciphertext_to_its_row_and_rotates() -> None:
    old, new = generate_key(), generate_key()
    import base64

    vault = Vault([base64.b64decode(old)])
    sealed = vault.seal({"token": TOKEN}, bound_to="conn_1")
    assert TOKEN not in sealed
    with pytest.raises(PlaneError):
        vault.open(sealed, bound_to="conn_2")
    rotated = Vault([base64.b64decode(new), base64.b64decode(old)])
    assert rotated.open(sealed, bound_to="conn_1") == {"token": TOKEN}
    assert rotated.seal({"x": 1}, "r").split(".")[1] == rotated.current_key_id


def test_embedded_key_file_is_created_owner_only(tmp_path: Path) -> None:
    key_file = tmp_path / "k" / "encryption.key"
    Vault.from_setting(None, key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_migrations_reach_head_on_both_backends(database_url: str) -> None:
    from actionplane.store.database import migrate

    migrate(database_url)
    migrate(database_url)  # a second process starting later finds nothing to do
    engine = sa.create_engine(driver_urls(database_url)[1])
    with engine.connect() as db:
        tables = set(sa.inspect(db).get_table_names())
        version = db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert {"connections", "executions", "idempotency_keys", "dead_letters"} <= tables
    assert version is not None


def test_default_database_is_a_file_in_the_working_directory(tmp_path: Path) -> None:
    assert Settings().database_url == "sqlite:///./actionplane.db"
    done = subprocess.run(
        [str(Path(__import__("sys").executable).parent / "actionplane"), "connections", "list"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "actionplane.db").exists()
