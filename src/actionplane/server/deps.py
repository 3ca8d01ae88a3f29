"""Request dependencies: the plane of the calling project, from its API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from actionplane.plane import AsyncPlane
from actionplane.server.keys import KeyStore


async def project_plane(request: Request) -> AsyncPlane:
    """The plane scoped to the project of ``Authorization: Bearer <key>``; 401 otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise HTTPException(401, "missing API key: send Authorization: Bearer <key>")
    keys: KeyStore = request.app.state.keys
    project = await keys.authenticate(key.strip())
    if project is None:
        raise HTTPException(401, "invalid or revoked API key")
    plane: AsyncPlane = request.app.state.plane
    return await plane.for_project(project)


ProjectPlane = Annotated[AsyncPlane, Depends(project_plane)]
