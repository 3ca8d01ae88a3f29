"""``POST /v1/triggers/{name}``: a provider's webhook, verified by its signature (no API key),
deduplicated on its delivery id, recorded as a workflow run before the answer (202), then
driven in the background; a run whose process dies is left for any ``recover`` / ``work``."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from actionplane.errors import CallerError
from actionplane.plane import AsyncPlane
from actionplane.saga.namespace import AsyncWorkflows
from actionplane.saga.triggers import SignatureError, Trigger, delivery_id, run_id_for, verify
from actionplane.server.routes_workflows import workflows_of

router = APIRouter(prefix="/v1/triggers", tags=["triggers"])


def register_trigger(app: FastAPI, trigger: Trigger) -> None:
    """Serve ``trigger`` at ``/v1/triggers/{trigger.name}``."""
    if not hasattr(app.state, "triggers"):
        app.state.triggers = {}
    app.state.triggers[trigger.name] = trigger


async def _drive(workflows: AsyncWorkflows, run_id: str) -> None:
    # Held by another process or already finished: whoever holds it finishes it.
    with contextlib.suppress(CallerError):
        await workflows.resume(run_id)


@router.post("/{name}", status_code=202)
async def deliver(name: str, request: Request, background: BackgroundTasks) -> Any:
    triggers: dict[str, Trigger] = getattr(request.app.state, "triggers", {})
    trigger = triggers.get(name)
    if trigger is None:
        raise HTTPException(404, f"no trigger {name!r}")
    body = await request.body()
    try:
        verify(trigger, request.headers, body)
    except SignatureError as error:
        raise HTTPException(401, error.message) from error
    try:
        payload = json.loads(body or b"null")
    except json.JSONDecodeError as error:
        raise HTTPException(400, f"the body is not JSON: {error}") from error
    delivery = delivery_id(trigger, request.headers, payload)
    run_id = run_id_for(trigger, delivery)
    root: AsyncPlane = request.app.state.plane
    workflows = workflows_of(await root.for_project(trigger.project_id))
    workflows.register(trigger.workflow)
    duplicate = True
    try:
        await workflows.get(run_id)
    except CallerError:
        duplicate = False
    run = await workflows.start(
        trigger.workflow, payload, user_id=trigger.user_id, run_id=run_id, wait=False
    )
    if not duplicate:
        background.add_task(_drive, workflows, run_id)
    answer = {"run_id": run.id, "delivery_id": delivery, "duplicate": duplicate}
    return JSONResponse({**answer, "status": run.status}, status_code=200 if duplicate else 202)
