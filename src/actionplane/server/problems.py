"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from actionplane.errors import (
    ActionplaneError,
    CallerError,
    ConnectionError_,
    IdempotencyConflictError,
    IdempotencyMismatchError,
    ToolNotFoundError,
    ToolValidationError,
)

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response of the API carries them."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    category: str | None = None
    details: dict[str, Any] | None = None
    problems: list[dict[str, Any]] | None = None


def _declared(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
    }


# Declared on every operation so clients (and schemathesis) can rely on the error shape.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _declared("The request cannot be served as asked"),
    401: _declared("Missing or unknown API key"),
    403: _declared("The API key may not do this"),
    404: _declared("No such resource in this project"),
    409: _declared("Conflicts with the current state (for example a call in flight)"),
    422: _declared("Invalid arguments, body or query"),
}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def status_for(error: ActionplaneError) -> int:
    if isinstance(error, ToolNotFoundError):
        return 404
    if isinstance(error, ToolValidationError | IdempotencyMismatchError):
        return 422
    if isinstance(error, IdempotencyConflictError):
        return 409
    if isinstance(error, ConnectionError_):
        return 404
    if isinstance(error, CallerError):
        return 400
    return 500


async def on_actionplane_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ActionplaneError)
    status = status_for(error)
    extra: dict[str, Any] = {"category": error.category}
    if error.details:
        extra["details"] = error.details
    headers_retry = {"retry_after_s": error.retry_after_s} if error.retry_after_s else {}
    message = error.message if status < 500 else "the plane failed; see its logs"
    return problem(status, error.category.replace("_", " "), message, **extra, **headers_retry)


async def on_http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return problem(error.status_code, str(error.detail), str(error.detail))


async def on_validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
        for e in error.errors()
    ]
    return problem(
        422, "invalid request", "the request body or query is invalid", problems=problems
    )
