"""``/v1/workflows/runs``: start a workflow (a YAML definition in the body, or a name the server
registered), list and read runs, resume and compensate them; all scoped to the key's project."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from actionplane.errors import CallerError
from actionplane.plane import AsyncPlane
from actionplane.saga.definition import load_workflow
from actionplane.saga.model import Workflow, WorkflowRun
from actionplane.saga.namespace import AsyncWorkflows
from actionplane.server.deps import ProjectPlane

router = APIRouter(prefix="/v1/workflows", tags=["workflows"])


class StartRun(BaseModel):
    user_id: str
    workflow: str | None = Field(None, description="The name of a workflow the server registered.")
    definition: dict[str, Any] | str | None = Field(
        None, description="A YAML workflow, as text or as its mapping."
    )
    input: Any = None
    run_id: str | None = Field(None, description="Starting twice with one id is one run.")
    wait: bool = Field(True, description="Drive the run to its end before answering.")


def workflows_of(plane: AsyncPlane) -> AsyncWorkflows:
    """Workflows acting for the key's project. A project view shares the root plane's
    ``workflows`` (bound to the root project), so each request gets its own namespace with a
    copy of the server's registry: a YAML workflow posted by one project never shadows
    another's, and runs are read and written under the caller's project only."""
    shared: AsyncWorkflows = plane.workflows
    scoped = AsyncWorkflows(plane, shared.policy)
    scoped.owner = shared.owner
    scoped.register(*shared.registered())
    return scoped


def _view(run: WorkflowRun) -> dict[str, Any]:
    data = run.as_json()
    data.pop("owner", None)
    data.pop("lease_until", None)
    return data


async def _existing(workflows: AsyncWorkflows, run_id: str) -> WorkflowRun:
    try:
        return await workflows.get(run_id)
    except CallerError as error:
        raise HTTPException(404, error.message) from error


def _parsed(definition: dict[str, Any] | str) -> dict[str, Any]:
    """The posted definition as a mapping. Text is always YAML, never a path: a one-line
    string must not make the server read its own files."""
    if isinstance(definition, str):
        try:
            definition = yaml.safe_load(definition)
        except yaml.YAMLError as error:
            raise HTTPException(422, f"`definition` is not valid YAML: {error}") from error
    if not isinstance(definition, dict):
        raise HTTPException(422, "`definition` must be a YAML mapping")
    return definition


def _chosen(body: StartRun, workflows: AsyncWorkflows) -> Workflow:
    if (body.workflow is None) == (body.definition is None):
        raise HTTPException(422, "give exactly one of `workflow` (a name) or `definition` (YAML)")
    if body.definition is not None:
        return load_workflow(_parsed(body.definition))
    found = {w.name: w for w in workflows.registered()}.get(str(body.workflow))
    if found is None:
        raise HTTPException(404, f"no workflow {body.workflow!r} is registered on this server")
    return found


@router.post("/runs", status_code=201)
async def start_run(plane: ProjectPlane, body: StartRun) -> dict[str, Any]:
    """Start a run; with ``wait`` (default) the answer is the run as it ended."""
    workflows = workflows_of(plane)
    chosen = _chosen(body, workflows)
    run = await workflows.start(
        chosen, body.input, user_id=body.user_id, run_id=body.run_id, wait=body.wait
    )
    return _view(run)


@router.get("/runs")
async def list_runs(
    plane: ProjectPlane,
    status: str | None = None,
    workflow: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Runs of this project, newest first (without their steps: read one run for those)."""
    runs = await workflows_of(plane).list(status=status, workflow=workflow, limit=limit)
    return [_view(r) for r in runs]


@router.get("/runs/{run_id}")
async def get_run(plane: ProjectPlane, run_id: str) -> dict[str, Any]:
    """One run with its steps, their undos, and ``pending``: what remains undone."""
    return _view(await _existing(workflows_of(plane), run_id))


@router.post("/runs/{run_id}/resume")
async def resume_run(plane: ProjectPlane, run_id: str) -> dict[str, Any]:
    """Continue a run nobody holds, or retry the undos of a run that needs attention."""
    workflows = workflows_of(plane)
    await _existing(workflows, run_id)
    try:
        return _view(await workflows.resume(run_id))
    except CallerError as error:
        raise HTTPException(409, error.message) from error


@router.post("/runs/{run_id}/compensate")
async def compensate_run(plane: ProjectPlane, run_id: str) -> dict[str, Any]:
    """Roll a run back now (a stalled or a completed one)."""
    workflows = workflows_of(plane)
    await _existing(workflows, run_id)
    try:
        return _view(await workflows.compensate(run_id))
    except CallerError as error:
        raise HTTPException(409, error.message) from error
