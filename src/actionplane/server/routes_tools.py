"""``/v1/tools``: the catalog, and executing a tool call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from actionplane.catalog.registry import LATEST
from actionplane.catalog.render import FORMATS, Format
from actionplane.engine.result import ExecutionResult
from actionplane.server.deps import ProjectPlane
from actionplane.server.problems import problem

router = APIRouter(prefix="/v1/tools", tags=["tools"])
# The whole canonical definition (what the remote SDK builds its Tool objects from).
DEFINITION = "definition"

_CALLER_FAULTS = {
    "validation": 422,
    "tool_not_found": 404,
    "idempotency_mismatch": 422,
    "idempotency_conflict": 409,
}


class ExecuteRequest(BaseModel):
    user_id: str = Field(min_length=1, description="The end user the call acts for")
    arguments: dict[str, Any] = Field(default_factory=dict)
    connected_account_id: str | None = None
    version: str = LATEST
    tool_call_id: str | None = Field(default=None, description="The framework's tool-call id")
    agent_id: str | None = None


@router.get("")
async def list_tools(
    plane: ProjectPlane,
    toolkit: str | None = None,
    search: str | None = None,
    format: Annotated[str, Query(description="One of " + ", ".join(FORMATS))] = "json",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    tools = plane.tools.list(toolkit=toolkit, search=search, limit=limit)
    if format == DEFINITION:
        return [t.model_dump(mode="json") for t in tools]
    if format not in FORMATS:
        return problem(400, "unknown format", f"format must be one of {', '.join(FORMATS)}")
    return [plane.tools.render(t.slug, format, t.version) for t in tools]


@router.get("/{slug}")
async def get_tool(
    plane: ProjectPlane, slug: str, version: str = LATEST, format: str = "json"
) -> Any:
    if format == DEFINITION:
        return plane.tools.get(slug, version).model_dump(mode="json")
    if format not in FORMATS:
        return problem(400, "unknown format", f"format must be one of {', '.join(FORMATS)}")
    fmt: Format = format
    return plane.tools.render(slug, fmt, version)


@router.post("/{slug}/execute", response_model=ExecutionResult)
async def execute_tool(
    plane: ProjectPlane,
    slug: str,
    body: ExecuteRequest,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    traceparent: Annotated[str | None, Header()] = None,
) -> Any:
    """Run a tool call. Provider failures come back as the envelope (200) so an agent reads
    them in-band; the caller's own faults (invalid arguments, unknown tool, idempotency
    misuse) are problem details with the envelope under ``result``."""
    result = await plane.tools.execute(
        slug,
        body.arguments,
        user_id=body.user_id,
        version=body.version,
        connected_account_id=body.connected_account_id,
        idempotency_key=idempotency_key,
        traceparent=traceparent,
        tool_call_id=body.tool_call_id,
        agent_id=body.agent_id,
    )
    if result.error is not None and result.error.category in _CALLER_FAULTS:
        status = _CALLER_FAULTS[result.error.category]
        return problem(
            status,
            result.error.category.replace("_", " "),
            result.error.message,
            category=result.error.category,
            result=result.model_dump(mode="json"),
        )
    return JSONResponse(result.model_dump(mode="json"))
