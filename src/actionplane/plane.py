"""The SDK: ``AsyncPlane`` does the work; ``Plane`` is the same API for synchronous code."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

from actionplane.auth.connections import Connection, ConnectionStore
from actionplane.auth.credentials import Credentials
from actionplane.auth.vault import Vault
from actionplane.catalog.loader import load_builtin_toolkits, load_user_toolkits
from actionplane.catalog.models import Tool
from actionplane.catalog.overrides import apply_base_url, load_overrides_file
from actionplane.catalog.registry import LATEST, Catalog, ToolFilter
from actionplane.catalog.render import Format, render_tool
from actionplane.engine.executor import Executor
from actionplane.engine.record import ExecutionLog
from actionplane.engine.result import ExecutionResult
from actionplane.settings import Settings
from actionplane.store.database import create_engine, migrate

T = TypeVar("T")


def build_catalog(
    settings: Settings,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Catalog:
    """Built-in and user toolkits, with base-URL and tool overrides applied."""
    env = os.environ if environ is None else environ
    toolkits = load_builtin_toolkits() + load_user_toolkits(settings.toolkit_locations())
    merged: dict[str, Mapping[str, Any]] = {}
    if settings.overrides_path:
        merged.update(load_overrides_file(Path(settings.overrides_path)))
    merged.update(overrides or {})
    return Catalog([apply_base_url(t, env) for t in toolkits], overrides=merged)


class AsyncTools:
    """Finding, rendering and executing tools."""

    def __init__(self, plane: AsyncPlane) -> None:
        self._plane = plane

    def list(
        self,
        toolkit: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        **behavior: Any,
    ) -> list[Tool]:
        where = ToolFilter(toolkit=toolkit, **behavior)
        catalog = self._plane.catalog
        found = catalog.search(search, limit or 10, where) if search else catalog.list(where)
        return found[:limit] if limit else found

    def get(self, slug: str, version: str = LATEST) -> Tool:
        return self._plane.catalog.get(slug, version)

    def render(self, slug: str, format: Format = "json", version: str = LATEST) -> dict[str, Any]:
        return render_tool(self._plane.catalog.get(slug, version), format)

    async def execute(
        self,
        slug: str,
        arguments: Mapping[str, Any] | None = None,
        *,
        user_id: str,
        version: str = LATEST,
        connected_account_id: str | None = None,
    ) -> ExecutionResult:
        """Run a tool for ``user_id`` and return the result envelope (never raises for a
        failed call; the envelope's ``error`` says why)."""
        executor = await self._plane._executor()
        return await executor.execute(
            slug, arguments, user_id=user_id, version=version, connection_id=connected_account_id
        )


class AsyncConnections:
    """End users' connections to toolkits."""

    def __init__(self, plane: AsyncPlane) -> None:
        self._plane = plane

    async def add(
        self,
        user_id: str,
        toolkit: str,
        *,
        token: str | None = None,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        account: str = "default",
    ) -> Connection:
        """Store a static credential (bearer token, API key, or basic) as an ACTIVE connection."""
        from actionplane.errors import CallerError

        kit = self._plane.catalog.toolkit(toolkit)
        kinds = {s.type for s in kit.auth}
        if token is not None:
            auth_type = "bearer" if "bearer" in kinds or "oauth2" in kinds else "api_key"
        elif api_key is not None:
            auth_type = "api_key"
        elif username is not None and password is not None:
            auth_type = "basic"
        else:
            raise CallerError("give a token, an API key, or a username and password")
        if auth_type not in kinds and not (auth_type == "bearer" and "oauth2" in kinds):
            raise CallerError(
                f"{toolkit} does not accept {auth_type} credentials; it accepts "
                + ", ".join(sorted(kinds))
            )
        credentials = Credentials(
            auth_type, token=token, api_key=api_key, username=username, password=password
        )
        store = await self._plane._connection_store()
        return await store.add_static(
            self._plane.project_id, user_id, toolkit, credentials, account
        )

    async def list(
        self, user_id: str | None = None, toolkit: str | None = None
    ) -> list[Connection]:
        store = await self._plane._connection_store()
        return await store.list(self._plane.project_id, user_id, toolkit)

    async def get(self, connection_id: str, user_id: str | None = None) -> Connection:
        store = await self._plane._connection_store()
        return await store.get(self._plane.project_id, user_id, connection_id)

    async def remove(self, connection_id: str) -> None:
        store = await self._plane._connection_store()
        await store.remove(self._plane.project_id, connection_id)


class AsyncPlane:
    """The embedded action plane. Opens its database lazily, on the first call that needs it."""

    def __init__(
        self,
        *,
        database_url: str | None = None,
        project: str | None = None,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        settings: Settings | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        base = settings or Settings()
        changes = {"database_url": database_url, "project": project}
        self.settings = base.model_copy(update={k: v for k, v in changes.items() if v})
        self.project_id = self.settings.project
        self.catalog = build_catalog(self.settings, overrides)
        self._http = http_client
        self._owns_http = http_client is None
        self._engine: Any = None
        self._executor_instance: Executor | None = None
        self._connections: ConnectionStore | None = None
        self.tools = AsyncTools(self)
        self.connections = AsyncConnections(self)

    async def _open(self) -> None:
        if self._engine is not None:
            return
        import anyio.to_thread

        await anyio.to_thread.run_sync(migrate, self.settings.database_url)
        vault = Vault.from_setting(self.settings.encryption_key, self.settings.key_file)
        self._engine = create_engine(self.settings.database_url)
        self._connections = ConnectionStore(self._engine, vault)
        if self._http is None:
            self._http = httpx.AsyncClient(follow_redirects=False)
        self._executor_instance = Executor(
            self.catalog, self._connections, ExecutionLog(self._engine), self._http, self.project_id
        )

    async def _executor(self) -> Executor:
        await self._open()
        assert self._executor_instance is not None
        return self._executor_instance

    async def _connection_store(self) -> ConnectionStore:
        await self._open()
        assert self._connections is not None
        return self._connections

    async def aclose(self) -> None:
        if self._http is not None and self._owns_http:
            await self._http.aclose()
        if self._engine is not None:
            await self._engine.dispose()

    async def __aenter__(self) -> AsyncPlane:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _SyncFacade:
    """Calls an async object's methods on the plane's event-loop thread."""

    def __init__(
        self, target: Any, run: Callable[[Callable[[], Coroutine[Any, Any, T]]], T]
    ) -> None:
        self._target = target
        self._run = run

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute
        import inspect

        if not inspect.iscoroutinefunction(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(lambda: attribute(*args, **kwargs))

        call.__doc__ = attribute.__doc__
        return call


class Plane:
    """The same API as ``AsyncPlane``, for synchronous code (runs an event loop on a thread)."""

    def __init__(self, **options: Any) -> None:
        self._portal_cm = start_blocking_portal()
        self._portal: BlockingPortal = self._portal_cm.__enter__()
        self._async = AsyncPlane(**options)
        self.catalog = self._async.catalog
        self.settings = self._async.settings
        self.project_id = self._async.project_id
        self.tools: Any = _SyncFacade(self._async.tools, self._run)
        self.connections: Any = _SyncFacade(self._async.connections, self._run)

    def _run(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        async def runner() -> T:
            return await factory()

        return self._portal.call(runner)

    def close(self) -> None:
        if self._portal_cm is not None:
            self._portal.call(self._async.aclose)
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None  # type: ignore[assignment]

    def __enter__(self) -> Plane:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
