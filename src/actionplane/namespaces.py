"""The SDK's namespaces (``plane.tools``, ``plane.connections``, ``plane.dlq``), async flavour."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from actionplane.auth.apps import OAuthApp
from actionplane.auth.connections import Connection, ConnectionStatus
from actionplane.auth.credentials import Credentials
from actionplane.auth.flows import Initiated
from actionplane.auth.rotation import RotationReport, rotate
from actionplane.auth.vault import generate_key
from actionplane.catalog.models import Tool
from actionplane.catalog.registry import LATEST, ToolFilter
from actionplane.catalog.render import Format, render_tool
from actionplane.engine.dlq import DeadLetter
from actionplane.engine.idempotency import KeyScope
from actionplane.engine.record import ExecutionRecord
from actionplane.engine.result import ExecutionResult
from actionplane.errors import CallerError, ConnectionError_

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane


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
        """Tools by slug, or ranked by ``search``; filters: toolkit, tags, behaviour flags."""
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
        idempotency_key: str | None = None,
        traceparent: str | None = None,
        tool_call_id: str | None = None,
        agent_id: str | None = None,
    ) -> ExecutionResult:
        """Run a tool for ``user_id`` and return the result envelope.

        Never raises for a failed call: the envelope's ``error`` says why. With an
        ``idempotency_key`` (or a framework's ``tool_call_id``), a repeat returns the stored
        result with ``replayed: true``. A W3C ``traceparent`` joins the caller's trace.
        """
        executor = await self._plane._executor()
        return await executor.execute(
            slug,
            arguments,
            user_id=user_id,
            version=version,
            connection_id=connected_account_id,
            idempotency_key=idempotency_key,
            traceparent=traceparent,
            tool_call_id=tool_call_id,
            agent_id=agent_id,
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
        kit = self._plane.catalog.toolkit(toolkit)
        kinds = {s.type for s in kit.auth}
        if token is not None:
            auth_type = "bearer" if kinds & {"bearer", "oauth2"} else "api_key"
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

    async def remove(self, connection_id: str) -> bool:
        """Disconnect: revoke an OAuth grant at the provider (when it can), then delete.
        Returns whether the provider confirmed the revocation."""
        store = await self._plane._connection_store()
        return await store.remove(self._plane.project_id, connection_id)

    async def initiate(
        self,
        user_id: str,
        toolkit: str,
        *,
        redirect_url: str,
        account: str = "default",
        scopes: Sequence[str] | None = None,
        authorize_params: Mapping[str, str] | None = None,
    ) -> Initiated:
        """Start an OAuth connection: an INITIATED connection and the authorize URL to send the
        user to (code + PKCE S256, single-use ``state``, this exact redirect URI)."""
        lifecycle, *_ = await self._plane._auth()
        return await lifecycle.flows.initiate(
            self._plane.project_id,
            user_id,
            toolkit,
            redirect_url,
            account=account,
            scopes=scopes,
            authorize_params=authorize_params,
        )

    async def reconnect(self, connection_id: str, *, redirect_url: str) -> Initiated:
        """A fresh authorize URL that makes this same connection ACTIVE again."""
        lifecycle, *_ = await self._plane._auth()
        connection = await self.get(connection_id)
        return await lifecycle.flows.initiate(
            self._plane.project_id,
            connection.user_id,
            connection.toolkit,
            redirect_url,
            connection_id=connection.id,
        )

    async def complete(self, *, state: str, code: str) -> Connection:
        """The OAuth callback: consume ``state``, exchange ``code``; the connection, ACTIVE."""
        lifecycle, *_ = await self._plane._auth()
        connection_id = await lifecycle.flows.complete(self._plane.project_id, state, code)
        return await self.get(connection_id)

    async def wait_for_connection(
        self,
        connection_id: str,
        timeout: float = 300.0,  # noqa: ASYNC109 - polls the database; the bound is the API
        poll_s: float = 0.5,
    ) -> Connection:
        """Wait until the connection leaves INITIATED (ACTIVE, or FAILED with a reason)."""
        deadline = time.monotonic() + timeout
        while True:
            connection = await self.get(connection_id)
            if connection.status is not ConnectionStatus.INITIATED:
                return connection
            if time.monotonic() >= deadline:
                raise ConnectionError_(
                    f"connection {connection_id} is still INITIATED after {timeout}s",
                    agent_message="The user has not finished connecting yet.",
                    details={"connection_id": connection_id},
                )
            await anyio.sleep(poll_s)


class AsyncOAuthApps:
    """OAuth apps (client id + secret) of this project, secrets sealed by the vault."""

    def __init__(self, plane: AsyncPlane) -> None:
        self._plane = plane

    async def set(self, toolkit: str, client_id: str, client_secret: str | None) -> OAuthApp:
        self._plane._oauth_scheme(toolkit)
        _, apps, *_ = await self._plane._auth()
        return await apps.set(self._plane.project_id, toolkit, client_id, client_secret)

    async def list(self) -> builtins.list[OAuthApp]:
        """Stored apps and apps from the environment (never their secrets)."""
        _, apps, *_ = await self._plane._auth()
        return await apps.list(self._plane.project_id)


class AsyncVault:
    """The vault's keys: rotation, and new keys."""

    def __init__(self, plane: AsyncPlane) -> None:
        self._plane = plane

    @staticmethod
    def generate_key() -> str:
        return generate_key()

    async def rotate(
        self, progress: Callable[[str, int, int], None] | None = None
    ) -> RotationReport:
        """Re-seal every stored secret under the newest key of ACTIONPLANE_ENCRYPTION_KEY."""
        _, _, vault, engine = await self._plane._auth()
        return await rotate(engine, vault, progress)


class AsyncDeadLetters:
    """The dead-letter queue: inspect, replay (with the original key) or discard."""

    def __init__(self, plane: AsyncPlane) -> None:
        self._plane = plane

    async def list(self, status: str | None = None, limit: int = 100) -> list[DeadLetter]:
        executor = await self._plane._executor()
        return await executor.dlq.list(self._plane.project_id, status, limit)

    async def get(self, entry_id: str) -> DeadLetter:
        executor = await self._plane._executor()
        return await executor.dlq.get(self._plane.project_id, entry_id)

    async def discard(self, entry_id: str) -> None:
        executor = await self._plane._executor()
        await executor.dlq.discard(self._plane.project_id, entry_id)

    async def replay(self, entry_id: str) -> ExecutionResult:
        """Run a dead-lettered call again under its original idempotency (and upstream) key."""
        executor = await self._plane._executor()
        entry = await executor.dlq.claim(self._plane.project_id, entry_id)
        if entry is None:
            current = await executor.dlq.get(self._plane.project_id, entry_id)
            raise CallerError(f"entry {entry_id} is {current.status}; it cannot be replayed now")
        return await self._plane._replay(entry)

    async def redrive_due(self, limit: int = 20) -> builtins.list[ExecutionResult]:
        """Replay every entry whose automatic redrive time has come (any process may call it)."""
        executor = await self._plane._executor()
        results = []
        for project_id, entry_id in await executor.dlq.due(limit):
            if project_id != self._plane.project_id:
                continue
            entry = await executor.dlq.claim(project_id, entry_id)
            if entry is not None:
                results.append(await self._plane._replay(entry))
        return results


async def forget_key_for_replay(plane: AsyncPlane, entry: DeadLetter) -> None:
    """A parked unknown outcome stored its failure under the key; the replay must run anew."""
    store = await plane._idempotency_store()
    await store.forget(KeyScope(entry.project_id, entry.user_id, entry.idempotency_key))


class AsyncExecutions:
    """The execution log: one record per call, by id or filtered by trace, user, tool, status."""

    def __init__(self, plane: AsyncPlane) -> None:
        self._plane = plane

    async def get(self, execution_id: str) -> ExecutionRecord:
        found = await (await self._plane._execution_queries()).get(
            self._plane.project_id, execution_id
        )
        if found is None:
            raise CallerError(f"no execution {execution_id!r} in this project")
        return found

    async def list(
        self,
        *,
        trace_id: str | None = None,
        user_id: str | None = None,
        tool: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> builtins.list[ExecutionRecord]:
        queries = await self._plane._execution_queries()
        return await queries.list(
            self._plane.project_id,
            trace_id=trace_id,
            user_id=user_id,
            tool=tool,
            status=status,
            limit=limit,
        )
