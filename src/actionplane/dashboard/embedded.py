"""``actionplane dashboard``: the server's app on this machine's database, where a local admin
token stands for the embedded plane's own project (``ACTIONPLANE_PROJECT``, ``default`` unless
set). Project API keys work as on the server."""

from __future__ import annotations

import hmac
import secrets

from fastapi import FastAPI, Request

from actionplane.plane import AsyncPlane
from actionplane.server.app import create_app
from actionplane.server.deps import project_plane

ADMIN_PREFIX = "apadm_"


def new_admin_token() -> str:
    return ADMIN_PREFIX + secrets.token_urlsafe(32)


def embedded_app(admin_token: str, plane: AsyncPlane | None = None) -> FastAPI:
    """The API and dashboard over ``plane`` (default: configured from ``ACTIONPLANE_*``), with
    ``Authorization: Bearer <admin_token>`` acting for the plane's project."""
    if len(admin_token) < 16:
        raise ValueError("an admin token has at least 16 characters")
    app = create_app(plane)

    async def admin_or_key(request: Request) -> AsyncPlane:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), admin_token.encode()
        ):
            root: AsyncPlane = request.app.state.plane
            return await root.for_project(root.project_id)
        return await project_plane(request)

    app.dependency_overrides[project_plane] = admin_or_key
    return app
