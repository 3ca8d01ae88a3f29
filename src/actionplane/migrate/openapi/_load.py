"""Seeing an API description as OpenAPI 3.x operations, whatever its version.

OpenAPI 3.0 and 3.1 documents are read as they are; Swagger 2.0 documents are normalized by
``_swagger2`` into the same shapes (parameters with a ``schema``, a ``requestBody`` with
``content``, responses with ``content``, ``securitySchemes``). Schemas are never copied out of
the document: their ``$ref`` pointers are resolved later against the original, so ``#/definitions``
works as well as ``#/components/schemas``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from actionplane.migrate.openapi._model import Operation, Spec
from actionplane.migrate.openapi._refs import Resolver, SpecError, read_document
from actionplane.migrate.openapi._swagger2 import (
    swagger2_base_url,
    swagger2_operation,
    swagger2_security_schemes,
)

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

__all__ = ["METHODS", "load_spec", "read_document"]


def _version(document: dict[str, Any]) -> str:
    if "swagger" in document:
        version = str(document["swagger"])
        if version not in ("2.0", "2"):
            raise SpecError(f"Swagger {version} is not supported (Swagger 2.0 is)")
        return "2.0"
    version = str(document.get("openapi", ""))
    if not re.match(r"^3\.[01](\.\d+)?", version):
        raise SpecError(
            "not an OpenAPI 3.0 / 3.1 or Swagger 2.0 description "
            f"(openapi: {version or 'absent'}); other versions are not supported"
        )
    return version


def _server_url(document: dict[str, Any]) -> str | None:
    servers = document.get("servers") or []
    if not servers or not isinstance(servers[0], dict) or "url" not in servers[0]:
        return None
    url = str(servers[0]["url"])
    for name, variable in (servers[0].get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return url if url.startswith(("http://", "https://")) else None


def _merge_parameters(
    resolver: Resolver, shared: list[Any], own: list[Any]
) -> list[dict[str, Any]]:
    """Path-level parameters overridden by the operation's own ones of the same name and place."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*shared, *own]:
        parameter = resolver.resolve(raw)
        if isinstance(parameter, dict) and "name" in parameter and "in" in parameter:
            merged[(str(parameter["in"]), str(parameter["name"]))] = parameter
    return list(merged.values())


def load_spec(document: dict[str, Any], base: Path | None = None) -> Spec:
    """The operations and facts of an OpenAPI 3.x or Swagger 2.0 ``document``."""
    version = _version(document)
    resolver = Resolver(document, base)
    found = document.get("info")
    info: dict[str, Any] = found if isinstance(found, dict) else {}
    paths = document.get("paths")
    if not isinstance(paths, dict):
        raise SpecError("the description has no `paths` object")
    swagger = version == "2.0"
    spec = Spec(
        version=version,
        title=str(info.get("title") or ""),
        description=str(info.get("description") or ""),
        info_version=str(info.get("version") or ""),
        base_url=swagger2_base_url(document) if swagger else _server_url(document),
        security_schemes=(
            swagger2_security_schemes(document)
            if swagger
            else dict((document.get("components") or {}).get("securitySchemes") or {})
        ),
        security=list(document.get("security") or []),
        operations=[],
        resolver=resolver,
    )
    spec.security_schemes = {
        name: resolver.resolve(scheme) for name, scheme in spec.security_schemes.items()
    }
    for path, raw_item in paths.items():
        item = resolver.resolve(raw_item)
        if not isinstance(item, dict):
            continue
        shared = list(item.get("parameters") or [])
        for method in METHODS:
            raw = item.get(method)
            if not isinstance(raw, dict):
                continue
            parameters = _merge_parameters(resolver, shared, list(raw.get("parameters") or []))
            if swagger:
                operation = swagger2_operation(
                    document, resolver, method, str(path), raw, parameters
                )
            else:
                body = resolver.resolve(raw.get("requestBody")) if "requestBody" in raw else None
                operation = Operation(
                    method=method,
                    path=str(path),
                    operation_id=raw.get("operationId"),
                    summary=str(raw.get("summary") or ""),
                    description=str(raw.get("description") or ""),
                    tags=[str(t) for t in raw.get("tags") or []],
                    deprecated=bool(raw.get("deprecated")),
                    parameters=parameters,
                    request_body=body if isinstance(body, dict) else None,
                    responses={
                        str(code): resolver.resolve(response)
                        for code, response in (raw.get("responses") or {}).items()
                    },
                    security=raw.get("security"),
                )
            spec.operations.append(operation)
    return spec
