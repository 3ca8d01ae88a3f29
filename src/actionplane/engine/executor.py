"""The path of one tool call: catalog -> tenancy -> credentials -> transport -> classify -> record.

Each stage lives in its own module; this file only composes them and builds the envelope.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

import httpx

from actionplane.auth.connections import ConnectionStore
from actionplane.auth.credentials import place, scheme_for
from actionplane.catalog.models import Tool, Toolkit
from actionplane.catalog.registry import LATEST, Catalog
from actionplane.catalog.validation import validate_arguments
from actionplane.engine.classify import classify_exception, classify_response
from actionplane.engine.outcome import Outcome, OutcomeKind
from actionplane.engine.record import ExecutionLog, ExecutionRecord
from actionplane.engine.request import build_request
from actionplane.engine.result import ExecutionError, ExecutionResult
from actionplane.errors import ActionplaneError, ConnectionError_


def new_execution_id() -> str:
    return "exec_" + secrets.token_hex(12)


def new_trace_id() -> str:
    return secrets.token_hex(16)


class Executor:
    """Runs tool calls for one project."""

    def __init__(
        self,
        catalog: Catalog,
        connections: ConnectionStore,
        log: ExecutionLog,
        http: httpx.AsyncClient,
        project_id: str,
    ) -> None:
        self._catalog = catalog
        self._connections = connections
        self._log = log
        self._http = http
        self._project_id = project_id

    async def execute(
        self,
        slug: str,
        arguments: Mapping[str, Any] | None,
        *,
        user_id: str,
        version: str = LATEST,
        connection_id: str | None = None,
    ) -> ExecutionResult:
        """Run one tool call and return its envelope. Never raises for a failed call."""
        started = time.time()
        execution_id, trace_id = new_execution_id(), new_trace_id()
        tool: Tool | None = None
        connection: str | None = None
        outcome: Outcome | None = None
        try:
            tool = self._catalog.get(slug, version)
            checked = validate_arguments(tool, {} if arguments is None else arguments)
            toolkit = self._catalog.toolkit(tool.toolkit, tool.version)
            found, credentials = await self._connections.resolve(
                self._project_id, user_id, tool.toolkit, connection_id
            )
            connection = found.id
            placement = place(scheme_for(toolkit.auth, credentials.auth_type), credentials)
            request = build_request(toolkit, tool, checked, placement)
            outcome = await self._send(toolkit, tool, request)
            result = self._envelope(outcome, execution_id, trace_id, tool)
        except ActionplaneError as error:
            outcome = None
            result = self._failure(error, execution_id, trace_id, slug, tool)
        await self._log.record(
            ExecutionRecord(
                id=execution_id,
                project_id=self._project_id,
                user_id=user_id,
                tool=tool.slug if tool else slug,
                tool_version=tool.version if tool else (version or LATEST),
                connection_id=connection,
                trace_id=trace_id,
                status="succeeded" if result.successful else "failed",
                outcome=outcome.kind.value
                if outcome
                else (result.error.category if result.error else "?"),
                attempts=result.attempts,
                http_status=outcome.status_code if outcome else None,
                error=result.error.model_dump() if result.error else None,
                started_at=started,
                duration_ms=(time.time() - started) * 1000,
            )
        )
        return result

    async def _send(self, toolkit: Toolkit, tool: Tool, request: httpx.Request) -> Outcome:
        timeouts = tool.timeouts or toolkit.timeouts
        request.extensions["timeout"] = httpx.Timeout(
            timeouts.total_s, connect=timeouts.connect_s, read=timeouts.read_s
        ).as_dict()
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as error:
            return classify_exception(error)
        return classify_response(toolkit, response)

    @staticmethod
    def _envelope(
        outcome: Outcome, execution_id: str, trace_id: str, tool: Tool
    ) -> ExecutionResult:
        error = None
        if not outcome.succeeded:
            error = ExecutionError(
                category=outcome.kind.value,
                message=outcome.message,
                retryable=outcome.retryable,
                retry_after_s=outcome.retry_after_s,
                status_code=outcome.status_code,
                details={"provider_code": outcome.provider_code} if outcome.provider_code else None,
            )
        return ExecutionResult(
            successful=outcome.succeeded,
            data=outcome.data,
            error=error,
            execution_id=execution_id,
            trace_id=trace_id,
            attempts=1,
            tool=tool.slug,
            tool_version=tool.version,
        )

    @staticmethod
    def _failure(
        error: ActionplaneError, execution_id: str, trace_id: str, slug: str, tool: Tool | None
    ) -> ExecutionResult:
        category = (
            OutcomeKind.AUTH_REQUIRED.value
            if isinstance(error, ConnectionError_)
            else error.category
        )
        return ExecutionResult(
            successful=False,
            error=ExecutionError(
                category=category,
                message=error.agent_message
                if isinstance(error, ConnectionError_)
                else error.message,
                retryable=error.retryable,
                retry_after_s=error.retry_after_s,
                details=error.details or None,
            ),
            execution_id=execution_id,
            trace_id=trace_id,
            attempts=0,
            tool=tool.slug if tool else slug,
            tool_version=tool.version if tool else None,
        )
