"""The importer's view of a description: its facts and its operations, in OpenAPI 3.x shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from actionplane.migrate.openapi._refs import Resolver


@dataclass
class Operation:
    """One operation, in OpenAPI 3.x shapes, with its parameters and body resolved one level."""

    method: str
    path: str
    operation_id: str | None
    summary: str
    description: str
    tags: list[str]
    deprecated: bool
    parameters: list[dict[str, Any]]
    request_body: dict[str, Any] | None
    responses: dict[str, Any]
    security: list[dict[str, list[str]]] | None


@dataclass
class Spec:
    """What the importer needs from a description: its facts and its operations."""

    version: str
    title: str
    description: str
    info_version: str
    base_url: str | None
    security_schemes: dict[str, dict[str, Any]]
    security: list[dict[str, list[str]]]
    operations: list[Operation]
    resolver: Resolver
