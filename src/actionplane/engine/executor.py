"""The path of one tool call, composed from one module per stage:

catalog (validate) -> idempotency (claim) -> tenancy + credentials -> attempts (limiter, breaker,
bulkhead, transport, classify, retry) -> reconcile / dead-letter -> record -> envelope.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from opentelemetry import trace

from actionplane.auth.connections import ConnectionStore
from actionplane.auth.credentials import place, scheme_for
from actionplane.catalog.models import Tool, Toolkit
from actionplane.catalog.registry import LATEST, Catalog
from actionplane.catalog.validation import validate_arguments
from actionplane.engine.attempts import AttemptRecord, AttemptsResult, Guards, run_attempts
from actionplane.engine.dlq import DeadLetterQueue
from actionplane.engine.idempotency import (
    IdempotencyStore,
    KeyScope,
    dedup_key,
    request_fingerprint,
    upstream_key,
)
from actionplane.engine.outcome import Outcome, OutcomeKind
from actionplane.engine.reconcile import find_applied, resolve_mapping
from actionplane.engine.record import ExecutionLog, ExecutionRecord
from actionplane.engine.request import build_request
from actionplane.engine.result import ExecutionError, ExecutionResult
from actionplane.engine.telemetry import emit_call_log, finish_call_span
from actionplane.errors import ActionplaneError, ConnectionError_
from actionplane.observability.redaction import Redactor, secret_fields
from actionplane.observability.tracing import (
    parent_context,
    span_id_of,
    start_tool_span,
    trace_id_of,
)


def new_execution_id() -> str:
    return "exec_" + secrets.token_hex(12)


@dataclass(frozen=True)
class ExecutionSettings:
    """How long keys live and how the deduplication window and redrives behave."""

    idempotency_retention_s: float = 24 * 3600.0
    dedup_window_s: float = 60.0
    redrive_after_s: float = 30.0
    max_redrives: int = 5


@dataclass
class _Call:
    """What one call has learned so far; filled in stage by stage."""

    slug: str
    user_id: str
    execution_id: str
    trace_id: str
    started: float
    version: str
    tool: Tool | None = None
    connection_id: str | None = None
    key: str | None = None
    upstream_key: str | None = None
    agent_id: str | None = None
    tool_call_id: str | None = None
    arguments: Any = None
    redactor: Redactor = field(default_factory=Redactor)
    attempts: tuple[AttemptRecord, ...] = ()
    breaker_state: str | None = None
    span_id: str | None = None
    events: tuple[str, ...] = ()
    replayed: bool = False
    dead_letter_id: str | None = None
    reconciled: bool = False


class Executor:
    """Runs tool calls for one project."""

    def __init__(
        self,
        catalog: Catalog,
        connections: ConnectionStore,
        log: ExecutionLog,
        http: httpx.AsyncClient,
        project_id: str,
        *,
        idempotency: IdempotencyStore,
        dlq: DeadLetterQueue,
        guards: Guards,
        settings: ExecutionSettings | None = None,
    ) -> None:
        self._catalog = catalog
        self._connections = connections
        self._log = log
        self._http = http
        self.project_id = project_id
        self._idempotency = idempotency
        self.dlq = dlq
        self._guards = guards
        self._settings = settings or ExecutionSettings()

    async def execute(
        self,
        slug: str,
        arguments: Mapping[str, Any] | None,
        *,
        user_id: str,
        version: str = LATEST,
        connection_id: str | None = None,
        idempotency_key: str | None = None,
        upstream_key: str | None = None,
        traceparent: str | None = None,
        tool_call_id: str | None = None,
        agent_id: str | None = None,
    ) -> ExecutionResult:
        """Run one tool call and return its envelope. Never raises for a failed call.

        ``traceparent`` (W3C) makes the call's span a child of the caller's; a framework's
        ``tool_call_id`` serves as the idempotency key when no explicit key is given.
        ``upstream_key`` is for dead-letter replays: the key the first attempt sent upstream.
        """
        call = _Call(slug, user_id, new_execution_id(), "", time.time(), version)
        call.upstream_key, call.agent_id, call.tool_call_id = upstream_key, agent_id, tool_call_id
        call.arguments = arguments
        span = start_tool_span(
            slug,
            self._catalog.description(slug),
            tool_call_id or call.execution_id,
            parent_context(traceparent),
        )
        call.trace_id, call.span_id = trace_id_of(span), span_id_of(span)
        outcome: Outcome | None = None
        with trace.use_span(span, end_on_exit=True):
            try:
                tool = call.tool = self._catalog.get(slug, version)
                checked = validate_arguments(tool, {} if arguments is None else arguments)
                call.redactor = Redactor(fields=secret_fields(tool.input_schema))
                result, outcome = await self._claimed(
                    call, tool, checked, connection_id, idempotency_key or tool_call_id
                )
            except ActionplaneError as error:
                result = self._failure(call, error)
            await self._record(call, result, outcome)
            extra = {
                "user_id": call.user_id,
                "agent_id": agent_id,
                "idempotency_key": call.key,
                "breaker.state": call.breaker_state,
            }
            finish_call_span(span, result, call.arguments, call.redactor, extra)
            emit_call_log(
                span=span,
                result=result,
                project_id=self.project_id,
                user_id=call.user_id,
                agent_id=agent_id,
                tool_call_id=tool_call_id,
                duration_ms=(time.time() - call.started) * 1000,
                attempts=call.attempts,
                breaker_state=call.breaker_state,
                rate_limit_events=[e for e in call.events if e.startswith("rate_limit")],
                idempotency_key=call.key,
                arguments=call.arguments,
                outcome=outcome,
                redactor=call.redactor,
            )
        return result

    async def _claimed(
        self,
        call: _Call,
        tool: Tool,
        arguments: dict[str, Any],
        connection_id: str | None,
        explicit_key: str | None,
    ) -> tuple[ExecutionResult, Outcome | None]:
        """Claim the idempotency key (explicit, or implicit for writes), run, settle the key."""
        if explicit_key is not None:
            call.key, ttl = explicit_key, self._settings.idempotency_retention_s
        elif not tool.behavior.read_only:
            call.key, ttl = dedup_key(tool.slug, arguments), self._settings.dedup_window_s
        if call.key is None:
            return await self._run(call, tool, arguments, connection_id)
        scope = KeyScope(self.project_id, call.user_id, call.key)
        fingerprint = request_fingerprint(tool.slug, arguments, connection_id)
        claim = await self._idempotency.claim(scope, tool.slug, fingerprint, call.execution_id, ttl)
        if not claim.acquired:
            call.replayed = True
            stored = dict(claim.result or {})
            stored.update(execution_id=call.execution_id, trace_id=call.trace_id, replayed=True)
            return ExecutionResult.model_validate(stored), None
        try:
            result, outcome = await self._run(call, tool, arguments, connection_id)
        except BaseException:
            await self._idempotency.release(scope, call.execution_id)
            raise
        if result.successful or (outcome is not None and _settled(outcome, call)):
            await self._idempotency.complete(
                scope, call.execution_id, result.model_dump(mode="json")
            )
        else:
            await self._idempotency.release(scope, call.execution_id)
        return result, outcome

    async def _run(
        self, call: _Call, tool: Tool, arguments: dict[str, Any], connection_id: str | None
    ) -> tuple[ExecutionResult, Outcome]:
        toolkit = self._catalog.toolkit(tool.toolkit, tool.version)
        connection, credentials = await self._connections.resolve(
            self.project_id, call.user_id, tool.toolkit, connection_id
        )
        call.connection_id = connection.id
        call.redactor = Redactor(credentials.secrets(), secret_fields(tool.input_schema))
        placement = place(scheme_for(toolkit.auth, credentials.auth_type), credentials)
        extra: dict[str, str] = {}
        if toolkit.idempotency_header and not tool.behavior.read_only:
            # An implicit (dedup) key repeats across windows, so it must not reach the provider:
            # two identical charges an hour apart are two charges.
            explicit = call.key if call.key and not call.key.startswith("auto:") else None
            call.upstream_key = call.upstream_key or upstream_key(
                self.project_id, call.user_id, explicit or call.execution_id
            )
            extra[toolkit.idempotency_header] = call.upstream_key

        def make_request(_attempt: int) -> httpx.Request:
            return build_request(toolkit, tool, arguments, placement, extra)

        attempts = await run_attempts(
            self._http,
            self._guards,
            toolkit,
            tool,
            connection.id,
            make_request,
            bool(extra),
            call.redactor,
        )
        call.attempts, call.events = attempts.attempts, attempts.events
        call.breaker_state = attempts.breaker_state
        outcome = attempts.outcome
        if outcome.kind is OutcomeKind.AUTH_EXPIRED and credentials.auth_type == "oauth2":
            # Refused before we thought it expired (revoked, clock skew): one refresh (or the
            # token another call already refreshed), one more try. make_request reads
            # `placement` late, so the retry carries the new token.
            credentials = await self._connections.refresh_rejected(connection, credentials)
            call.redactor = Redactor(credentials.secrets(), secret_fields(tool.input_schema))
            placement = place(scheme_for(toolkit.auth, credentials.auth_type), credentials)
            again = await run_attempts(
                self._http,
                self._guards,
                toolkit,
                tool,
                connection.id,
                make_request,
                bool(extra),
                call.redactor,
            )
            call.attempts = call.attempts + again.attempts
            call.events = call.events + again.events
            attempts = dataclasses.replace(again, sent=attempts.sent + again.sent)
            outcome = attempts.outcome
        if outcome.kind is OutcomeKind.AUTH_EXPIRED:
            # A static credential cannot be refreshed, and a fresh token that is still refused
            # will not be accepted either: only the user can fix it.
            outcome = Outcome(
                OutcomeKind.AUTH_REQUIRED,
                status_code=outcome.status_code,
                message=f"The user's {toolkit.name} credential was refused; ask them to "
                "reconnect the account.",
            )
        if attempts.retry_stopped_unsafe:
            outcome = await self._reconcile(call, toolkit, tool, arguments, attempts, make_request)
        if not outcome.succeeded:
            await self._dead_letter(call, tool, arguments, outcome, attempts)
        return self._envelope(call, outcome, attempts.sent), outcome

    async def _reconcile(
        self,
        call: _Call,
        toolkit: Toolkit,
        tool: Tool,
        arguments: dict[str, Any],
        attempts: AttemptsResult,
        make_request: Any,
    ) -> Outcome:
        """An unknown outcome on a write: look it up; if it did not happen, send it once more."""
        if tool.lookup is None:
            return attempts.outcome
        lookup_tool = self._catalog.get(tool.lookup.tool, tool.version)
        lookup_args = resolve_mapping(tool.lookup, arguments, None)
        found = await self.execute(
            lookup_tool.slug,
            lookup_args,
            user_id=call.user_id,
            version=tool.version,
            connection_id=call.connection_id,
        )
        if not found.successful:
            return attempts.outcome
        applied = find_applied(found.data, arguments)
        if applied is not None:
            call.reconciled = True
            return Outcome(OutcomeKind.SUCCEEDED, data=applied, message="reconciled by lookup")
        # The lookup proves the write did not happen: sending it again cannot duplicate it.
        again = await run_attempts(
            self._http, self._guards, toolkit, tool, call.connection_id, make_request, False
        )
        return again.outcome

    async def _dead_letter(
        self,
        call: _Call,
        tool: Tool,
        arguments: dict[str, Any],
        outcome: Outcome,
        attempts: AttemptsResult,
    ) -> None:
        if tool.behavior.read_only or attempts.sent == 0:
            return
        if attempts.retry_stopped_unsafe and outcome.kind is OutcomeKind.UNKNOWN:
            reason, redrive = "unknown_outcome", None
        elif outcome.retryable:
            reason = "exhausted"
            redrive = max(outcome.retry_after_s or 0.0, self._settings.redrive_after_s)
        else:
            return
        call.dead_letter_id = await self.dlq.add(
            project_id=self.project_id,
            user_id=call.user_id,
            tool=tool.slug,
            tool_version=tool.version,
            connection_id=call.connection_id,
            arguments=arguments,
            idempotency_key=call.key or f"dlq:{call.execution_id}",
            upstream_key=call.upstream_key,
            reason=reason,
            error={
                "category": outcome.kind.value,
                "message": outcome.message,
                "status_code": outcome.status_code,
            },
            attempts=attempts.sent,
            execution_id=call.execution_id,
            trace_id=call.trace_id,
            redrive_after_s=redrive,
        )

    def _envelope(self, call: _Call, outcome: Outcome, sent: int) -> ExecutionResult:
        error = None
        if not outcome.succeeded:
            details: dict[str, Any] = {}
            if outcome.provider_code:
                details["provider_code"] = outcome.provider_code
            if call.dead_letter_id:
                details["dead_letter_id"] = call.dead_letter_id
            error = ExecutionError(
                category=outcome.kind.value,
                message=outcome.message,
                retryable=outcome.retryable and call.dead_letter_id is None,
                retry_after_s=outcome.retry_after_s,
                status_code=outcome.status_code,
                details=details or None,
            )
        assert call.tool is not None
        return ExecutionResult(
            successful=outcome.succeeded,
            data=outcome.data,
            error=error,
            execution_id=call.execution_id,
            trace_id=call.trace_id,
            attempts=sent,
            tool=call.tool.slug,
            tool_version=call.tool.version,
            outcome="reconciled" if call.reconciled else outcome.kind.value,
            dead_letter_id=call.dead_letter_id,
        )

    def _failure(self, call: _Call, error: ActionplaneError) -> ExecutionResult:
        auth = isinstance(error, ConnectionError_)
        category = OutcomeKind.AUTH_REQUIRED.value if auth else error.category
        return ExecutionResult(
            successful=False,
            error=ExecutionError(
                category=category,
                message=error.agent_message if auth else error.message,
                retryable=error.retryable,
                retry_after_s=error.retry_after_s,
                details=error.details or None,
            ),
            execution_id=call.execution_id,
            trace_id=call.trace_id,
            attempts=0,
            tool=call.tool.slug if call.tool else call.slug,
            tool_version=call.tool.version if call.tool else None,
            outcome=category,
        )

    async def _record(self, call: _Call, result: ExecutionResult, outcome: Outcome | None) -> None:
        await self._log.record(
            ExecutionRecord(
                id=call.execution_id,
                project_id=self.project_id,
                user_id=call.user_id,
                tool=call.tool.slug if call.tool else call.slug,
                tool_version=call.tool.version if call.tool else call.version,
                connection_id=call.connection_id,
                trace_id=call.trace_id,
                status="succeeded" if result.successful else "failed",
                outcome=result.outcome,
                attempts=0 if call.replayed else result.attempts,
                http_status=outcome.status_code if outcome else None,
                error=result.error.model_dump() if result.error else None,
                started_at=call.started,
                duration_ms=(time.time() - call.started) * 1000,
                idempotency_key=call.key,
                replayed=call.replayed,
                dead_letter_id=call.dead_letter_id,
                attempt_log=[attempt.__dict__ for attempt in call.attempts],
                span_id=call.span_id,
                agent_id=call.agent_id,
                tool_call_id=call.tool_call_id,
            )
        )


def _settled(outcome: Outcome, call: _Call) -> bool:
    """Whether a failed result is final for its key: the provider decided (a 4xx), or the
    outcome is unknown and parked in the DLQ (so a repeat must not send it again)."""
    if outcome.kind is OutcomeKind.PERMANENT:
        return True
    return outcome.kind is OutcomeKind.UNKNOWN and call.dead_letter_id is not None
