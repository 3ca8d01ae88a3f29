"""What an operator needs beyond the resource routes: the toolkits, the calls that shared an
execution's idempotency key, reconnecting an expired connection, and replaying dead letters in
bulk with progress. All scoped to the key's project."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from actionplane.catalog.overrides import SANDBOX_URL_VARIABLE
from actionplane.dashboard.bulk import MAX_BULK, entries_to_replay, replay_many
from actionplane.engine.record import ExecutionRecord
from actionplane.errors import ActionplaneError
from actionplane.observability.redaction import Redactor, secret_fields
from actionplane.plane import AsyncPlane
from actionplane.server.deps import ProjectPlane
from actionplane.store.tables import executions

router = APIRouter(prefix="/v1")


@router.get("/toolkits", tags=["tools"])
async def list_toolkits(plane: ProjectPlane) -> list[dict[str, Any]]:
    """Every toolkit: its name, how users authenticate to it, how many tools it has, and
    whether its calls go to the sandbox (``ACTIONPLANE_SANDBOX_URL``) or the real provider."""
    sandbox = os.environ.get(SANDBOX_URL_VARIABLE, "").rstrip("/")
    return [
        {
            "slug": kit.slug,
            "name": kit.name,
            "version": kit.version,
            "description": kit.description,
            "auth": [scheme.type for scheme in kit.auth],
            "tools": len(kit.tools),
            "sandboxed": bool(sandbox) and kit.base_url.startswith(sandbox + "/"),
        }
        for kit in plane.catalog.toolkits()
    ]


def _redacted(plane: AsyncPlane, slug: str, arguments: Any) -> Any:
    try:
        fields = secret_fields(plane.catalog.get(slug).input_schema)
    except ActionplaneError:  # a tool since removed: the generic nets still apply
        fields = set()
    return Redactor(fields=fields).value(arguments)


async def _same_key(plane: AsyncPlane, record: ExecutionRecord) -> list[dict[str, Any]]:
    """Every call of this end user under the record's idempotency key, oldest first."""
    if record.idempotency_key is None:
        return [record.__dict__]
    query = (
        sa.select(executions)
        .where(
            executions.c.project_id == plane.project_id,
            executions.c.user_id == record.user_id,
            executions.c.idempotency_key == record.idempotency_key,
        )
        .order_by(executions.c.started_at)
        .limit(100)
    )
    async with plane._engine.connect() as db:
        rows = (await db.execute(query)).all()
    fields = ExecutionRecord.__dataclass_fields__
    return [{k: v for k, v in row._mapping.items() if k in fields} for row in rows]


@router.get("/executions/{execution_id}/detail", tags=["executions"])
async def execution_detail(plane: ProjectPlane, execution_id: str) -> dict[str, Any]:
    """One call as its page shows it: the record (attempts with their delays and upstream
    answers), its arguments redacted (kept only for calls that were dead-lettered), the
    calls under its idempotency key (the first one sent, then the replays), its dead letter,
    and the other calls of its trace."""
    record = await plane.executions.get(execution_id)
    entry = None
    if record.dead_letter_id is not None:
        with contextlib.suppress(ActionplaneError):
            entry = await plane.dlq.get(record.dead_letter_id)
    arguments = getattr(record, "arguments", None)
    if arguments is None and entry is not None:
        arguments = entry.arguments
    trace = await plane.executions.list(trace_id=record.trace_id, limit=200)
    return {
        "execution": record.__dict__,
        "arguments": None if arguments is None else _redacted(plane, record.tool, arguments),
        "same_key": await _same_key(plane, record),
        "dead_letter": None
        if entry is None
        else {k: v for k, v in entry.as_json().items() if k != "arguments"},
        "trace": [
            {k: getattr(r, k) for k in ("id", "tool", "status", "outcome", "started_at")}
            | {"duration_ms": r.duration_ms}
            for r in trace
        ],
    }


class ReconnectRequest(BaseModel):
    redirect_url: str = Field(description="Where the provider sends the user back.")


@router.post("/connections/{connection_id}/reconnect", tags=["connections"])
async def reconnect(
    plane: ProjectPlane, connection_id: str, body: ReconnectRequest
) -> dict[str, Any]:
    """A fresh authorize URL that makes this same OAuth connection ACTIVE again (for an
    EXPIRED or FAILED one); the callback is ``/v1/connections/callback`` as for a new one."""
    connection = await plane.connections.get(connection_id)
    if connection.auth_type != "oauth2":
        raise HTTPException(
            409, f"{connection_id} holds a static {connection.auth_type} credential: add a new one"
        )
    started = await plane.connections.reconnect(connection_id, redirect_url=body.redirect_url)
    return {
        "connection_id": started.connection_id,
        "authorize_url": started.authorize_url,
        "expires_at": started.expires_at,
    }


class BulkReplay(BaseModel):
    ids: Annotated[list[str], Field(max_length=MAX_BULK)] | None = Field(
        None, description="These entries; without it, every pending entry (oldest first)."
    )


# One server-sent event; its data is a JSON object.
_SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"enum": ["start", "progress", "end"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


@router.post(
    "/dlq/replay",
    tags=["dead-letter queue"],
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: `start` {total}, one `progress` per entry "
            "{done, total, entry_id, outcome, execution_id, message}, then `end` with counts.",
            "content": {"text/event-stream": {"schema": _SSE_EVENT}},
        }
    },
)
async def replay_in_bulk(plane: ProjectPlane, body: BulkReplay) -> StreamingResponse:
    """Replay many entries, one after another, each under its original idempotency key;
    progress streams as each one ends. Entries another replay holds are ``skipped``."""
    ids = await entries_to_replay(plane, body.ids)

    async def events() -> AsyncIterator[str]:
        counts = {"succeeded": 0, "failed": 0, "skipped": 0}
        yield _event("start", {"total": len(ids)})
        async for progress in replay_many(plane, ids):
            counts[progress.outcome] += 1
            yield _event("progress", progress.as_json())
        yield _event("end", {"total": len(ids), **counts})

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
