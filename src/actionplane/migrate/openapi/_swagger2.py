"""Swagger 2.0 operations, base URL and security definitions in OpenAPI 3.x shapes.

- ``in: body`` becomes a ``requestBody`` with one content entry per type the operation consumes;
  ``in: formData`` parameters become the properties of a form (or multipart, with a file) body;
- the type keywords of other parameters move into a ``schema``; ``collectionFormat`` becomes
  ``style`` / ``explode`` (csv, the 2.0 default, is a non-exploded form array);
- a response's ``schema`` becomes ``content`` under the type the operation produces;
- ``securityDefinitions`` become ``securitySchemes`` (``basic`` is HTTP basic; the ``accessCode``
  flow is ``authorizationCode``, ``application`` is ``clientCredentials``).
"""

from __future__ import annotations

from typing import Any

from actionplane.migrate.openapi._model import Operation
from actionplane.migrate.openapi._refs import Resolver

_SCHEMA_KEYS = (
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
    "multipleOf",
)  # fmt: skip
_COLLECTIONS = {
    "csv": ("form", False),
    "multi": ("form", True),
    "ssv": ("spaceDelimited", False),
    "tsv": ("tabDelimited", False),
    "pipes": ("pipeDelimited", False),
}
_FLOWS = {"accessCode": "authorizationCode", "application": "clientCredentials"}
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def swagger2_base_url(document: dict[str, Any]) -> str | None:
    """``scheme://host/basePath`` (https preferred), or None without a host."""
    host = document.get("host")
    if not host:
        return None
    schemes = [str(s) for s in document.get("schemes") or ["https"]]
    scheme = "https" if "https" in schemes else schemes[0]
    return f"{scheme}://{host}{document.get('basePath') or ''}".rstrip("/")


def swagger2_security_schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``securityDefinitions`` as OpenAPI 3.x ``securitySchemes``."""
    schemes: dict[str, dict[str, Any]] = {}
    for name, definition in (document.get("securityDefinitions") or {}).items():
        kind = definition.get("type")
        if kind == "basic":
            schemes[name] = {"type": "http", "scheme": "basic"}
        elif kind == "apiKey":
            schemes[name] = {
                "type": "apiKey",
                "name": definition.get("name"),
                "in": definition.get("in"),
            }
        elif kind == "oauth2":
            flow = str(definition.get("flow", ""))
            urls = {k: definition[k] for k in ("authorizationUrl", "tokenUrl") if k in definition}
            flows = {_FLOWS.get(flow, flow): {**urls, "scopes": definition.get("scopes") or {}}}
            schemes[name] = {"type": "oauth2", "flows": flows}
    return schemes


def _schema_of(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = {key: parameter[key] for key in _SCHEMA_KEYS if key in parameter}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _schema_of(schema["items"])
    return schema


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        key: parameter[key] for key in ("name", "in", "required", "description") if key in parameter
    }
    out["schema"] = _schema_of(parameter)
    example = parameter.get("x-example", parameter.get("example"))
    if example is not None:
        out["example"] = example
    if parameter.get("type") == "array" and parameter.get("in") in ("query", "header", "path"):
        style, explode = _COLLECTIONS.get(
            str(parameter.get("collectionFormat", "csv")), ("form", False)
        )
        out["style"], out["explode"] = ("simple" if parameter["in"] != "query" else style), explode
    return out


def _form_body(parameters: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    has_file = False
    for parameter in parameters:
        schema = _schema_of(parameter)
        if parameter.get("description"):
            schema["description"] = parameter["description"]
        has_file = has_file or schema.get("type") == "file"
        properties[parameter["name"]] = schema
        if parameter.get("required"):
            required.append(parameter["name"])
    multipart = has_file or (MULTIPART in consumes and FORM not in consumes)
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "required": bool(required),
        "content": {MULTIPART if multipart else FORM: {"schema": schema}},
    }


def swagger2_operation(
    document: dict[str, Any],
    resolver: Resolver,
    method: str,
    path: str,
    raw: dict[str, Any],
    parameters: list[dict[str, Any]],
) -> Operation:
    """One Swagger 2.0 operation (``parameters`` already merged with its path's) as 3.x."""
    consumes = [
        str(c) for c in raw.get("consumes") or document.get("consumes") or ["application/json"]
    ]
    produces = [
        str(p) for p in raw.get("produces") or document.get("produces") or ["application/json"]
    ]
    body: dict[str, Any] | None = None
    form: list[dict[str, Any]] = []
    converted: list[dict[str, Any]] = []
    for parameter in parameters:
        where = parameter.get("in")
        if where == "body":
            content = {kind: {"schema": parameter.get("schema") or {}} for kind in consumes}
            body = {"required": bool(parameter.get("required")), "content": content}
            if parameter.get("description"):
                body["description"] = parameter["description"]
        elif where == "formData":
            form.append(parameter)
        else:
            converted.append(_parameter(parameter))
    if form:
        body = _form_body(form, consumes)
    response_type = next((p for p in produces if "json" in p), produces[0])
    responses: dict[str, Any] = {}
    for code, raw_response in (raw.get("responses") or {}).items():
        response = resolver.resolve(raw_response)
        if not isinstance(response, dict):
            continue
        responses[str(code)] = {
            "description": response.get("description", ""),
            **({"headers": response["headers"]} if "headers" in response else {}),
            **(
                {"content": {response_type: {"schema": response["schema"]}}}
                if "schema" in response
                else {}
            ),
        }
    return Operation(
        method=method,
        path=path,
        operation_id=raw.get("operationId"),
        summary=str(raw.get("summary") or ""),
        description=str(raw.get("description") or ""),
        tags=[str(t) for t in raw.get("tags") or []],
        deprecated=bool(raw.get("deprecated")),
        parameters=converted,
        request_body=body,
        responses=responses,
        security=raw.get("security"),
    )
