"""The OAuth connect flow over HTTP: initiate (with an API key) and the provider's callback
(without one: the browser arrives from the provider, and the single-use ``state`` names the
project and the connection)."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel

from actionplane.auth.flows import state_hash
from actionplane.plane import AsyncPlane
from actionplane.server.deps import ProjectPlane
from actionplane.server.problems import problem
from actionplane.store.tables import oauth_states

router = APIRouter(prefix="/v1/connections", tags=["connections"])


class InitiateRequest(BaseModel):
    user_id: str
    toolkit: str
    redirect_url: str
    account: str = "default"
    scopes: list[str] | None = None


@router.post("/initiate", status_code=201)
async def initiate(plane: ProjectPlane, body: InitiateRequest) -> dict[str, Any]:
    """An INITIATED connection and the provider's authorize URL to send the user to."""
    started = await plane.connections.initiate(
        body.user_id,
        body.toolkit,
        redirect_url=body.redirect_url,
        account=body.account,
        scopes=body.scopes,
    )
    return dataclasses.asdict(started)


@router.get("/callback")
async def callback(
    request: Request, state: str | None = None, code: str | None = None, error: str | None = None
) -> Any:
    """Where the provider sends the user back: completes the connection named by ``state``."""
    if error:
        return problem(400, "authorization refused", f"the provider answered {error!r}")
    if not state or not code:
        return problem(400, "incomplete callback", "the callback needs state and code")
    plane: AsyncPlane = request.app.state.plane
    async with plane._engine.connect() as db:
        project = (
            await db.execute(
                sa.select(oauth_states.c.project_id).where(
                    oauth_states.c.state_hash == state_hash(state)
                )
            )
        ).scalar()
    if project is None:
        return problem(400, "unknown state", "unknown or already used OAuth state")
    connection = await (await plane.for_project(project)).connections.complete(
        state=state, code=code
    )
    return {
        "id": connection.id,
        "user_id": connection.user_id,
        "toolkit": connection.toolkit,
        "status": connection.status.value,
    }
