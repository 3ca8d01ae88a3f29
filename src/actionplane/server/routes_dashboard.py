"""The dashboard: its page at ``/`` and its assets at ``/ui/``, shipped in the package (no CDN,
no build step). The page signs in with a project API key (or, under ``actionplane dashboard``,
the local admin token) and reads and acts only through the ``/v1`` API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from actionplane.server.routes_operations import router as operations_router
from actionplane.server.routes_stats import router as stats_router

STATIC = Path(__file__).resolve().parent.parent / "dashboard" / "static"
ASSETS = "/ui"
# Everything the page loads comes from this server; nobody may frame it (its buttons act).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
async def index() -> FileResponse:
    """The dashboard's single page (its routes live after the ``#``)."""
    return FileResponse(
        STATIC / "index.html", headers={"Cache-Control": "no-cache", **SECURITY_HEADERS}
    )


class _Assets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response


def install_dashboard(app: FastAPI) -> None:
    """Serve the dashboard and the API routes it needs beyond the resource routes."""
    app.include_router(stats_router)
    app.include_router(operations_router)
    app.include_router(router)
    app.mount(ASSETS, _Assets(directory=STATIC), name="dashboard-assets")
