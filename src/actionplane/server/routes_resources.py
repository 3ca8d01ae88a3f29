"""``/v1/connections``, ``/v1/executions`` and ``/v1/dlq``, each scoped to the key's project."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from actionplane.server.deps import ProjectPlane

router = APIRouter(prefix="/v1")


def _connection(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "user_id": c.user_id,
        "toolkit": c.toolkit,
        "account": c.account,
        "auth_type": c.auth_type,
        "status": c.status.value,
        "status_reason": c.status_reason,
        "created_at": c.created_at,
    }


class StaticConnection(BaseModel):
    user_id: str
    toolkit: str
    token: str | None = None
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    account: str = "default"


@router.get("/connections", tags=["connections"])
async def list_connections(
    plane: ProjectPlane, user_id: str | None = None, toolkit: str | None = None
) -> list[dict[str, Any]]:
    return [_connection(c) for c in await plane.connections.list(user_id, toolkit)]


@router.post("/connections", tags=["connections"], status_code=201)
async def add_connection(plane: ProjectPlane, body: StaticConnection) -> dict[str, Any]:
    """Store a static credential (API key, bearer token, basic) for a user."""
    connection = await plane.connections.add(
        body.user_id,
        body.toolkit,
        token=body.token,
        api_key=body.api_key,
        username=body.username,
        password=body.password,
        account=body.account,
    )
    return _connection(connection)


@router.get("/connections/{connection_id}", tags=["connections"])
async def get_connection(plane: ProjectPlane, connection_id: str) -> dict[str, Any]:
    return _connection(await plane.connections.get(connection_id))


@router.delete("/connections/{connection_id}", tags=["connections"], status_code=204)
async def delete_connection(plane: ProjectPlane, connection_id: str) -> Response:
    await plane.connections.remove(connection_id)
    return Response(status_code=204)


@router.get("/executions", tags=["executions"])
async def list_executions(
    plane: ProjectPlane,
    trace_id: str | None = None,
    user_id: str | None = None,
    tool: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    records = await plane.executions.list(
        trace_id=trace_id, user_id=user_id, tool=tool, status=status, limit=limit
    )
    return [r.__dict__ for r in records]


@router.get("/executions/{execution_id}", tags=["executions"])
async def get_execution(plane: ProjectPlane, execution_id: str) -> dict[str, Any]:
    return (await plane.executions.get(execution_id)).__dict__


@router.get("/dlq", tags=["dead-letter queue"])
async def list_dead_letters(
    plane: ProjectPlane,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    return [e.as_json() for e in await plane.dlq.list(status=status, limit=limit)]


@router.post("/dlq/{entry_id}/replay", tags=["dead-letter queue"])
async def replay_dead_letter(plane: ProjectPlane, entry_id: str) -> dict[str, Any]:
    return (await plane.dlq.replay(entry_id)).model_dump(mode="json")


@router.post("/dlq/{entry_id}/discard", tags=["dead-letter queue"], status_code=204)
async def discard_dead_letter(plane: ProjectPlane, entry_id: str) -> Response:
    await plane.dlq.discard(entry_id)
    return Response(status_code=204)
