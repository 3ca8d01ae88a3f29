"""The SDK: ``AsyncPlane`` does the work; ``Plane`` is the same API for synchronous code."""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

from actionplane.auth.apps import OAuthApps
from actionplane.auth.connections import ConnectionStore
from actionplane.auth.flows import ConnectFlows
from actionplane.auth.lease import DatabaseLeases, RedisLeases
from actionplane.auth.lifecycle import OAuthClients, OAuthLifecycle
from actionplane.auth.tokens import RefreshPolicy, TokenRefresher
from actionplane.auth.vault import Vault
from actionplane.catalog.loader import load_builtin_toolkits, load_user_toolkits
from actionplane.catalog.models import OAuth2Scheme
from actionplane.catalog.overrides import apply_base_url, apply_sandbox_url, load_overrides_file
from actionplane.catalog.registry import Catalog
from actionplane.engine.attempts import Guards
from actionplane.engine.breaker import BreakerPolicy, CircuitBreakers, MemoryBreakerState
from actionplane.engine.bulkhead import Bulkhead, BulkheadLimits
from actionplane.engine.dlq import DeadLetter, DeadLetterQueue
from actionplane.engine.executor import ExecutionSettings, Executor
from actionplane.engine.idempotency import IdempotencyStore
from actionplane.engine.ratelimit import MemoryLimiterState, Rate, RateLimiter, RateLimits
from actionplane.engine.record import ExecutionLog, ExecutionQueries
from actionplane.engine.result import ExecutionResult
from actionplane.engine.retry import RetryPolicy
from actionplane.errors import ConfigurationError
from actionplane.namespaces import (
    AsyncConnections,
    AsyncDeadLetters,
    AsyncExecutions,
    AsyncOAuthApps,
    AsyncTools,
    AsyncVault,
    forget_key_for_replay,
)
from actionplane.observability.exporters import configure_tracing_from_env
from actionplane.remote import (
    RemoteClient,
    RemoteConnections,
    RemoteDeadLetters,
    RemoteExecutions,
    RemoteTools,
)
from actionplane.saga.namespace import AsyncWorkflows
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
    # Only built-in toolkits have a sandbox stand-in; user toolkits keep their own URLs.
    builtins = [apply_sandbox_url(t, env) for t in load_builtin_toolkits()]
    toolkits = builtins + load_user_toolkits(settings.toolkit_locations())
    merged: dict[str, Mapping[str, Any]] = {}
    if settings.overrides_path:
        merged.update(load_overrides_file(Path(settings.overrides_path)))
    merged.update(overrides or {})
    return Catalog([apply_base_url(t, env) for t in toolkits], overrides=merged)


def _rate_limits(settings: Settings) -> dict[str, RateLimits]:
    limits = {}
    for toolkit, scopes in settings.rate_limits.items():
        rates = {
            scope: Rate(value["per_second"], int(value.get("burst", 1)))
            for scope, value in scopes.items()
        }
        limits[toolkit] = RateLimits(rates.get("per_toolkit"), rates.get("per_connection"))
    return limits


class AsyncPlane:
    """The embedded action plane. Opens its database lazily, on the first call that needs it.

    Every guarantee holds across processes when they share ``database_url`` (PostgreSQL) and
    ``redis_url`` (rate limits and breakers); without Redis those are per process.
    """

    def __init__(
        self,
        *,
        database_url: str | None = None,
        redis_url: str | None = None,
        project: str | None = None,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        settings: Settings | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        retry_policy: RetryPolicy | None = None,
        breaker_policy: BreakerPolicy | None = None,
        bulkhead_limits: BulkheadLimits | None = None,
        execution_settings: ExecutionSettings | None = None,
    ) -> None:
        base = settings or Settings()
        changes = {"database_url": database_url, "project": project, "redis_url": redis_url}
        self.settings = base.model_copy(update={k: v for k, v in changes.items() if v})
        self.project_id = self.settings.project
        self.catalog = build_catalog(self.settings, overrides)
        self._http = http_client
        self._owns_http = http_client is None
        self._retry_policy = retry_policy or RetryPolicy(max_attempts=self.settings.max_attempts)
        self._breaker_policy = breaker_policy or BreakerPolicy()
        self._bulkhead_limits = bulkhead_limits
        self._execution_settings = execution_settings or ExecutionSettings(
            idempotency_retention_s=self.settings.idempotency_retention_s,
            dedup_window_s=self.settings.dedup_window_s,
        )
        self._engine: Any = None
        self._redis: Any = None
        self._executor_instance: Executor | None = None
        self._is_view = False
        self._connections: ConnectionStore | None = None
        self._idempotency: IdempotencyStore | None = None
        self.tools = AsyncTools(self)
        self.connections = AsyncConnections(self)
        self.dlq = AsyncDeadLetters(self)
        self.executions = AsyncExecutions(self)
        self.workflows = AsyncWorkflows(self)
        self.oauth_apps = AsyncOAuthApps(self)
        self.vault = AsyncVault(self)
        self._vault: Vault | None = None
        self._apps: OAuthApps | None = None
        self._lifecycle: OAuthLifecycle | None = None
        self._remote: RemoteClient | None = None
        if base_url:
            self._use_server(base_url, api_key, http_client)

    def _use_server(self, base_url: str, api_key: str | None, http: Any) -> None:
        """Remote mode: the same namespaces, served by ``actionplane serve``."""
        if not api_key:
            raise ConfigurationError("a remote plane needs api_key= (actionplane keys create)")
        self._remote = RemoteClient(base_url, api_key, http)
        self.tools = RemoteTools(self._remote)  # type: ignore[assignment]
        self.connections = RemoteConnections(self._remote)  # type: ignore[assignment]
        self.dlq = RemoteDeadLetters(self._remote)  # type: ignore[assignment]
        self.executions = RemoteExecutions(self._remote)  # type: ignore[assignment]

    def _oauth_scheme(self, toolkit: str) -> OAuth2Scheme:
        for scheme in self.catalog.toolkit(toolkit).auth:
            if isinstance(scheme, OAuth2Scheme):
                return scheme
        raise ConfigurationError(f"{toolkit} does not use OAuth 2.0")

    async def _open(self) -> None:
        if self._engine is not None:
            return
        import anyio.to_thread

        configure_tracing_from_env()
        await anyio.to_thread.run_sync(migrate, self.settings.database_url)
        vault = self._vault = Vault.from_setting(
            self.settings.encryption_key, self.settings.key_file
        )
        self._engine = create_engine(self.settings.database_url)
        self._idempotency = IdempotencyStore(self._engine, wait_s=self.settings.idempotency_wait_s)
        if self._http is None:
            self._http = httpx.AsyncClient(
                follow_redirects=False,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            )
        limiter_state: Any = MemoryLimiterState()
        breaker_state: Any = MemoryBreakerState()
        leases: Any = DatabaseLeases(self._engine)
        if self.settings.redis_url:
            from redis.asyncio import Redis

            from actionplane.engine.redis_state import RedisBreakerState, RedisLimiterState

            self._redis = Redis.from_url(self.settings.redis_url)
            limiter_state = RedisLimiterState(self._redis, self.settings.redis_prefix)
            breaker_state = RedisBreakerState(self._redis, self.settings.redis_prefix)
            leases = RedisLeases(self._redis, self.settings.redis_prefix)
        self._apps = OAuthApps(self._engine, vault)
        clients = OAuthClients(self._oauth_scheme, self._apps, self._http)
        self._lifecycle = OAuthLifecycle(
            TokenRefresher(
                self._engine,
                vault,
                clients,
                leases,
                RefreshPolicy(skew_s=self.settings.refresh_skew_s),
            ),
            ConnectFlows(self._engine, vault, clients, self.settings.oauth_state_ttl_s),
            clients,
            self.settings.oauth_redirect_url,
        )
        self._connections = ConnectionStore(self._engine, vault, self._lifecycle)
        guards = Guards(
            limiter=RateLimiter(
                limiter_state, _rate_limits(self.settings), self.settings.rate_limit_max_wait_s
            ),
            breakers=CircuitBreakers(breaker_state, self._breaker_policy),
            bulkhead=Bulkhead(self._bulkhead_limits),
            policy=self._retry_policy,
        )
        self._guards = guards
        self._queries = ExecutionQueries(self._engine)
        self._dlq_store = DeadLetterQueue(self._engine)
        self._executor_instance = self._new_executor(self.project_id)

    def _new_executor(self, project_id: str) -> Executor:
        assert self._connections is not None and self._idempotency is not None
        assert self._http is not None
        return Executor(
            self.catalog,
            self._connections,
            ExecutionLog(self._engine),
            self._http,
            project_id,
            idempotency=self._idempotency,
            dlq=self._dlq_store,
            guards=self._guards,
            settings=self._execution_settings,
        )

    async def _execution_queries(self) -> ExecutionQueries:
        await self._open()
        return self._queries

    async def for_project(self, project_id: str) -> AsyncPlane:
        """A view of this plane acting for another project: the same database, HTTP client,
        limiter and breakers, but every call, connection and dead letter scoped to
        ``project_id``. Closing the view closes nothing; close the plane it came from."""
        await self._open()
        view = copy.copy(self)
        view.project_id = project_id
        view._owns_http = False
        view._is_view = True
        view._executor_instance = self._new_executor(project_id)
        view.tools = AsyncTools(view)
        view.connections = AsyncConnections(view)
        view.dlq = AsyncDeadLetters(view)
        view.oauth_apps = AsyncOAuthApps(view)
        view.executions = AsyncExecutions(view)
        view.workflows = self.workflows.bound_to(view)
        view.vault = AsyncVault(view)
        return view

    async def _executor(self) -> Executor:
        await self._open()
        assert self._executor_instance is not None
        return self._executor_instance

    async def _connection_store(self) -> ConnectionStore:
        await self._open()
        assert self._connections is not None
        return self._connections

    async def _auth(self) -> tuple[OAuthLifecycle, OAuthApps, Vault, Any]:
        """The OAuth lifecycle, the app store, the vault and the engine (for rotation)."""
        await self._open()
        assert self._lifecycle is not None and self._apps is not None
        assert self._vault is not None
        return self._lifecycle, self._apps, self._vault, self._engine

    async def _idempotency_store(self) -> IdempotencyStore:
        await self._open()
        assert self._idempotency is not None
        return self._idempotency

    async def _replay(self, entry: DeadLetter) -> ExecutionResult:
        executor = await self._executor()
        await forget_key_for_replay(self, entry)
        result = await executor.execute(
            entry.tool,
            entry.arguments,
            user_id=entry.user_id,
            version=entry.tool_version,
            connection_id=entry.connection_id,
            idempotency_key=entry.idempotency_key,
            upstream_key=entry.upstream_key,
        )
        retry = None
        if (
            not result.successful
            and result.error
            and result.error.category in ("transient", "rate_limited", "circuit_open")
        ):
            retry = (
                None
                if entry.redrives + 1 >= self._execution_settings.max_redrives
                else (self._execution_settings.redrive_after_s * 2 ** (entry.redrives + 1))
            )
        await executor.dlq.finish(
            entry.id,
            succeeded=result.successful,
            error=result.error.model_dump() if result.error else None,
            redrive_after_s=retry,
        )
        return result

    async def purge_idempotency_keys(self) -> int:
        """Delete idempotency keys past their retention; returns how many."""
        store = await self._idempotency_store()
        return await store.purge()

    async def aclose(self) -> None:
        if self._remote is not None:
            await self._remote.aclose()
            return
        if self._is_view:
            return
        if self._http is not None and self._owns_http:
            await self._http.aclose()
        if self._redis is not None:
            await self._redis.aclose()
        if self._engine is not None:
            await self._engine.dispose()

    async def __aenter__(self) -> AsyncPlane:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _SyncNamespace:
    """A namespace of ``AsyncPlane`` whose coroutine methods run on the plane's loop thread."""

    def __init__(
        self, target: object, run: Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]
    ):
        self._target = target
        self._run = run

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(lambda: attribute(*args, **kwargs))

        call.__doc__ = attribute.__doc__
        return call


class Plane:
    """The same API as ``AsyncPlane``, for synchronous code (runs an event loop on a thread)."""

    def __init__(self, **options: Any) -> None:
        self._portal_cm: Any = start_blocking_portal()
        self._portal: BlockingPortal = self._portal_cm.__enter__()
        try:
            self._async = AsyncPlane(**options)
        except BaseException:
            self._portal_cm.__exit__(None, None, None)
            raise
        self.catalog = self._async.catalog
        self.settings = self._async.settings
        self.project_id = self._async.project_id
        self.tools: Any = _SyncNamespace(self._async.tools, self._run)
        self.connections: Any = _SyncNamespace(self._async.connections, self._run)
        self.dlq: Any = _SyncNamespace(self._async.dlq, self._run)
        self.oauth_apps: Any = _SyncNamespace(self._async.oauth_apps, self._run)
        self.vault: Any = _SyncNamespace(self._async.vault, self._run)
        self.executions: Any = _SyncNamespace(self._async.executions, self._run)
        self.workflows: Any = _SyncNamespace(self._async.workflows, self._run)

    def _run(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        async def runner() -> T:
            return await factory()

        return self._portal.call(runner)

    def purge_idempotency_keys(self) -> int:
        return self._run(self._async.purge_idempotency_keys)

    def close(self) -> None:
        if self._portal_cm is not None:
            try:
                self._portal.call(self._async.aclose)
            finally:
                self._portal_cm.__exit__(None, None, None)
                self._portal_cm = None

    def __enter__(self) -> Plane:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
