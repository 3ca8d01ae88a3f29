"""The FastAPI application: ``create_app()`` for tests and embedding, ``app_from_env()`` for
``actionplane serve`` (uvicorn's factory, one plane per worker process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import sqlalchemy as sa
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException

from actionplane import __version__
from actionplane.errors import ActionplaneError
from actionplane.plane import AsyncPlane
from actionplane.saga.schedules import Schedule, run_schedules
from actionplane.server import problems
from actionplane.server.background import redrive_forever
from actionplane.server.keys import KeyStore
from actionplane.server.metrics import (
    install_prometheus_reader,
    metrics_response,
    refresh_dlq_depth,
)
from actionplane.server.routes_connect import router as connect_router
from actionplane.server.routes_dashboard import install_dashboard
from actionplane.server.routes_resources import router as resources_router
from actionplane.server.routes_tools import router as tools_router
from actionplane.server.routes_triggers import router as triggers_router
from actionplane.server.routes_workflows import router as workflows_router


def create_app(plane: AsyncPlane | None = None) -> FastAPI:
    """An app serving ``plane`` (default: configured from ``ACTIONPLANE_*``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_prometheus_reader()
        served = plane or AsyncPlane()
        await served._executor()  # migrate and open before the first request
        app.state.plane = served
        app.state.keys = KeyStore(served._engine)
        async with anyio.create_task_group() as background:
            background.start_soon(redrive_forever, served, served.settings.redrive_interval_s)
            schedules = list(getattr(app.state, "schedules", []))
            if schedules:
                background.start_soon(run_schedules, served, schedules)
            try:
                yield
            finally:
                background.cancel_scope.cancel()
        if plane is None:
            await served.aclose()

    app = FastAPI(
        title="actionplane",
        version=__version__,
        description="Safe tool calls for AI agents, on behalf of each end user.",
        lifespan=lifespan,
        responses=problems.PROBLEM_RESPONSES,
    )
    app.add_exception_handler(ActionplaneError, problems.on_actionplane_error)
    app.add_exception_handler(HTTPException, problems.on_http_error)
    app.add_exception_handler(RequestValidationError, problems.on_validation_error)
    app.include_router(tools_router)
    app.include_router(connect_router)  # before /v1/connections/{id}
    app.include_router(resources_router)
    app.include_router(workflows_router)
    app.include_router(triggers_router)
    install_dashboard(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> Any:
        """The database answers."""
        try:
            async with request.app.state.plane._engine.connect() as db:
                await db.execute(sa.text("SELECT 1"))
        except Exception as error:
            return problems.problem(503, "not ready", type(error).__name__)
        return {"status": "ready"}

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    async def metrics(request: Request) -> Response:
        """Prometheus text format."""
        await refresh_dlq_depth(request.app.state.plane._engine)
        return metrics_response()

    return app


def app_from_env() -> FastAPI:
    return create_app()


def register_schedule(app: FastAPI, schedule: Schedule) -> None:
    """Run ``schedule`` in this server (register before it starts; every process may run it)."""
    if not hasattr(app.state, "schedules"):
        app.state.schedules = []
    app.state.schedules.append(schedule)
