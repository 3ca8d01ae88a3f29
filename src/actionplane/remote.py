"""The SDK's remote mode: ``AsyncPlane(base_url=..., api_key=...)`` talks to ``actionplane
serve`` with the same namespaces and return types as the embedded plane."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

import httpx

from actionplane.auth.connections import Connection, ConnectionStatus
from actionplane.catalog.models import Tool
from actionplane.catalog.registry import LATEST
from actionplane.engine.dlq import DeadLetter
from actionplane.engine.record import ExecutionRecord
from actionplane.engine.result import ExecutionResult
from actionplane.errors import (
    ActionplaneError,
    CallerError,
    ConnectionNotFoundError,
    IdempotencyConflictError,
    IdempotencyMismatchError,
    PlaneError,
    ToolNotFoundError,
)


class RemoteClient:
    """HTTP to the server, problem details turned back into the SDK's errors."""

    def __init__(self, base_url: str, api_key: str, http: httpx.AsyncClient | None = None):
        self._http = http or httpx.AsyncClient(timeout=120)
        self._owns_http = http is None
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"}

    def request_sync(self, path: str, params: Mapping[str, Any]) -> Any:
        """A catalog read: synchronous, like the embedded catalog's (rare and small)."""
        query = {k: v for k, v in params.items() if v is not None}
        response = httpx.get(self._base + path, params=query, headers=self._headers, timeout=30)
        if response.status_code >= 400:
            raise _error_from(response)
        return response.json()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        response = await self._http.request(
            method,
            self._base + path,
            json=json,
            params=query,
            headers={**self._headers, **(headers or {})},
        )
        if response.status_code >= 400:
            raise _error_from(response)
        return response.json() if response.content else None

    async def post(self, path: str, body: Any, headers: Mapping[str, str]) -> httpx.Response:
        return await self._http.post(
            self._base + path, json=body, headers={**self._headers, **headers}
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()


def _error_from(response: httpx.Response) -> ActionplaneError:
    try:
        problem = response.json()
    except ValueError:
        problem = {"detail": response.text}
    detail = str(problem.get("detail") or response.reason_phrase)
    category = problem.get("category")
    details = problem.get("details") or {}
    if category == "tool_not_found":
        return ToolNotFoundError(details.get("slug", "?"), details.get("suggestions", []))
    if category == "idempotency_mismatch":
        return IdempotencyMismatchError(detail, details=details)
    if category == "idempotency_conflict":
        return IdempotencyConflictError(detail, details=details)
    if response.status_code == 404:
        return ConnectionNotFoundError(detail)
    if response.status_code < 500:
        return CallerError(f"{response.status_code}: {detail}", details=details)
    return PlaneError(f"{response.status_code}: {detail}")


class RemoteTools:
    """Catalog reads are synchronous, as in the embedded plane; execution is async."""

    def __init__(self, client: RemoteClient) -> None:
        self._client = client

    def list(
        self, toolkit: str | None = None, search: str | None = None, limit: int | None = None
    ) -> builtins.list[Tool]:
        found = self._client.request_sync(
            "/v1/tools",
            {"toolkit": toolkit, "search": search, "limit": limit or 1000, "format": "definition"},
        )
        return [Tool.model_validate(t) for t in found]

    def get(self, slug: str, version: str = LATEST) -> Tool:
        found = self._client.request_sync(
            f"/v1/tools/{slug}", {"version": version, "format": "definition"}
        )
        return Tool.model_validate(found)

    def render(self, slug: str, format: str = "json", version: str = LATEST) -> Any:
        return self._client.request_sync(
            f"/v1/tools/{slug}", {"version": version, "format": format}
        )

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
        """As the embedded ``execute``: the envelope, whatever happened to the call."""
        headers = {
            k: v
            for k, v in (("Idempotency-Key", idempotency_key), ("traceparent", traceparent))
            if v
        }
        body = {
            "user_id": user_id,
            "arguments": dict(arguments or {}),
            "version": version,
            "connected_account_id": connected_account_id,
            "tool_call_id": tool_call_id,
            "agent_id": agent_id,
        }
        response = await self._client.post(f"/v1/tools/{slug}/execute", body, headers)
        found = response.json()
        if isinstance(found, dict) and "result" in found:
            return ExecutionResult.model_validate(found["result"])  # a caller fault, in-band
        if response.status_code >= 400:
            raise _error_from(response)
        return ExecutionResult.model_validate(found)


def _connection(data: Mapping[str, Any]) -> Connection:
    fields = Connection.__dataclass_fields__
    values = {k: v for k, v in data.items() if k in fields}
    values["status"] = ConnectionStatus(values["status"])
    values.setdefault("project_id", "")
    return Connection(**values)


class RemoteConnections:
    def __init__(self, client: RemoteClient) -> None:
        self._client = client

    async def add(self, user_id: str, toolkit: str, **credentials: Any) -> Connection:
        body = {"user_id": user_id, "toolkit": toolkit, **credentials}
        return _connection(await self._client.request("POST", "/v1/connections", json=body))

    async def list(
        self, user_id: str | None = None, toolkit: str | None = None
    ) -> builtins.list[Connection]:
        found = await self._client.request(
            "GET", "/v1/connections", params={"user_id": user_id, "toolkit": toolkit}
        )
        return [_connection(c) for c in found]

    async def get(self, connection_id: str, user_id: str | None = None) -> Connection:
        return _connection(await self._client.request("GET", f"/v1/connections/{connection_id}"))

    async def remove(self, connection_id: str) -> None:
        await self._client.request("DELETE", f"/v1/connections/{connection_id}")


class RemoteExecutions:
    def __init__(self, client: RemoteClient) -> None:
        self._client = client

    async def get(self, execution_id: str) -> ExecutionRecord:
        return ExecutionRecord(
            **await self._client.request("GET", f"/v1/executions/{execution_id}")
        )

    async def list(self, **filters: Any) -> builtins.list[ExecutionRecord]:
        found = await self._client.request("GET", "/v1/executions", params=filters)
        return [ExecutionRecord(**e) for e in found]


class RemoteDeadLetters:
    def __init__(self, client: RemoteClient) -> None:
        self._client = client

    async def list(self, status: str | None = None, limit: int = 100) -> builtins.list[DeadLetter]:
        found = await self._client.request(
            "GET", "/v1/dlq", params={"status": status, "limit": limit}
        )
        return [DeadLetter(**e) for e in found]

    async def replay(self, entry_id: str) -> ExecutionResult:
        found = await self._client.request("POST", f"/v1/dlq/{entry_id}/replay")
        return ExecutionResult.model_validate(found)

    async def discard(self, entry_id: str) -> None:
        await self._client.request("POST", f"/v1/dlq/{entry_id}/discard")
