"""An operation's parameters and body flattened into one argument object, and its HTTP mapping.

Every path, query and header parameter and every top-level field of an object body becomes one
argument. Names must not collide and must suit every LLM API, so:

- query parameters keep their names (the catalog sends a query argument under its own name);
- a path or header parameter, or a body field, whose name is taken or unusable is renamed with
  its place as a prefix (``path_id``, ``header_x_trace``, ``body_id``); the path template, the
  header mapping or a ``body_template`` sends it under its real name;
- a body that is not an object with fields (an array, a string, a free-form map) is one argument,
  ``body``;
- non-exploded arrays (Swagger's default ``csv``, ``explode: false``) are strings of joined values,
  which is exactly what goes on the wire; ``deepObject`` query parameters are left to the
  catalog's bracket encoding (``created[gte]=1``) when there is no body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from actionplane.migrate.openapi._auth import carries_credential
from actionplane.migrate.openapi._model import Operation
from actionplane.migrate.openapi._naming import snake, valid_argument
from actionplane.migrate.openapi._schema import JsonSchema, Limits, SchemaConverter
from actionplane.migrate.openapi._text import trim

_SKIPPED_HEADERS = {"accept", "content-type", "content-length", "user-agent", "authorization"}
_SEPARATORS = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}
_PATH_NAME = re.compile(r"\{([^}]+)\}")
_NO_EXAMPLE = object()


class UnsupportedOperationError(Exception):
    """The operation cannot become a tool; the message says why."""


@dataclass
class Argument:
    name: str
    location: str
    wire: str
    schema: JsonSchema
    required: bool
    example: Any = _NO_EXAMPLE
    bracketed: bool = False  # a deepObject query parameter


@dataclass
class Flattened:
    """The tool's input schema and HTTP mapping, with what the spec gave as example values.
    ``notes`` are for the person importing; ``hints`` belong in the tool's description."""

    input_schema: JsonSchema
    http: dict[str, Any]
    examples: dict[str, Any]
    renamed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    idempotency_header: str | None = None
    hints: list[str] = field(default_factory=list)


def body_kind(content_type: str) -> str | None:
    """``json`` or ``form`` for a media type the catalog can send, else None."""
    base = content_type.split(";")[0].strip().lower()
    if base in ("application/json", "*/*") or base.endswith("+json"):
        return "json"
    return "form" if base == "application/x-www-form-urlencoded" else None


def _choose_body(operation: Operation, notes: list[str]) -> tuple[str, Any, bool] | None:
    body = operation.request_body
    content = (body or {}).get("content") or {}
    if not body or not content:
        return None
    kinds = {kind: value for kind, value in content.items() if body_kind(kind)}
    chosen = next((k for k in kinds if body_kind(k) == "json"), next(iter(kinds), None))
    required = bool(body.get("required"))
    if chosen is None:
        types = ", ".join(content)
        if required:
            raise UnsupportedOperationError(
                f"a {types} request body (JSON and form bodies are supported)"
            )
        notes.append(f"its optional {types} body is left out")
        return None
    return str(body_kind(chosen)), (content[chosen] or {}).get("schema") or {}, required


def _unique(candidate: str, taken: set[str], prefix: str) -> str:
    name = candidate if candidate not in taken else prefix + candidate
    number = 1
    while name in taken:
        number += 1
        name = f"{prefix}{candidate}_{number}"
    taken.add(name)
    return name


def _example(parameter: dict[str, Any]) -> Any:
    if "example" in parameter:
        return parameter["example"]
    for example in (parameter.get("examples") or {}).values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return _NO_EXAMPLE


def _merged_alternatives(body: JsonSchema, hints: list[str]) -> JsonSchema:
    """A body that is one of several objects, as one object: every field of every alternative,
    required when all alternatives require it. The alternatives are told in the description."""
    variants = body.get("anyOf")
    if not isinstance(variants, list) or "properties" in body:
        return body
    if not all(v.get("type") == "object" and v.get("properties") for v in variants):
        return body
    properties: JsonSchema = {}
    for variant in variants:
        for name, schema in variant["properties"].items():
            properties.setdefault(name, schema)
    required = set.intersection(*(set(v.get("required") or []) for v in variants))
    options = "; ".join(" and ".join(v.get("required") or []) or "nothing" for v in variants)
    hints.append(f"Provide one of: {options}.")
    merged: JsonSchema = {"type": "object", "properties": properties}
    if required:
        merged["required"] = [n for n in properties if n in required]
    return merged


class Flattener:
    """Flattens the operations of one description with one schema converter."""

    def __init__(self, converter: SchemaConverter, api_keys: set[tuple[str, str]]) -> None:
        self.converter = converter
        self.api_keys = api_keys

    def flatten(self, operation: Operation, limits: Limits) -> Flattened:
        """Arguments and mapping for ``operation``, or ``UnsupportedOperationError``."""
        notes: list[str] = []
        renamed: list[str] = []
        idempotency: str | None = None
        by_place: dict[str, list[dict[str, Any]]] = {"path": [], "query": [], "header": []}
        for parameter in operation.parameters:
            where, name = str(parameter.get("in")), str(parameter.get("name"))
            if carries_credential(parameter, self.api_keys):
                continue
            if where == "header" and name.lower() == "idempotency-key":
                idempotency = name
            elif where == "cookie":
                if parameter.get("required"):
                    raise UnsupportedOperationError(f"a required cookie parameter ({name})")
                notes.append(f"cookie parameter {name} left out")
            elif where == "header" and name.lower() in _SKIPPED_HEADERS:
                continue
            elif where in by_place:
                by_place[where].append(parameter)
        body = _choose_body(operation, notes)
        taken: set[str] = set()
        query = [self._query(p, limits, taken, notes) for p in by_place["query"]]
        arguments = [a for a in query if a is not None]
        path_args, path = self._path(operation, by_place["path"], limits, taken, renamed)
        headers: dict[str, str] = {}
        for parameter in by_place["header"]:
            wire = str(parameter["name"])
            name = _unique(snake(wire), taken, "header_")
            headers[wire] = name
            arguments.append(self._argument(parameter, name, "header", limits))
        hints: list[str] = []
        body_args, template = self._body(operation, body, limits, taken, renamed, hints)
        ordered = [*path_args, *body_args, *arguments]
        input_schema: JsonSchema = {
            "type": "object",
            "properties": {a.name: a.schema for a in ordered},
        }
        required = [a.name for a in ordered if a.required]
        if required:
            input_schema["required"] = required
        input_schema["additionalProperties"] = False
        http: dict[str, Any] = {"method": operation.method.upper(), "path": path}
        # Without a body, arguments not listed anywhere go to the query string bracket-encoded.
        leftovers_in_query = body is None or not body_args
        listed = [
            a.name
            for a in arguments
            if a.location == "query" and not (leftovers_in_query and a.bracketed)
        ]
        if listed:
            http["query"] = listed
        if headers:
            http["headers"] = headers
        if body is not None and body_args:
            http["body"] = body[0]
            if template is not None:
                http["body_template"] = template
        elif operation.method != "get":
            http["body"] = "none"
        examples = {a.name: a.example for a in ordered if a.example is not _NO_EXAMPLE}
        return Flattened(input_schema, http, examples, renamed, notes, idempotency, hints)

    def _schema_of(self, parameter: dict[str, Any]) -> Any:
        if "schema" in parameter:
            return parameter["schema"]
        for media in (parameter.get("content") or {}).values():
            return (media or {}).get("schema") or {}
        return {}

    def _argument(
        self, parameter: dict[str, Any], name: str, where: str, limits: Limits
    ) -> Argument:
        schema = self.converter.convert(self._schema_of(parameter), limits, depth=1)
        description = trim(str(parameter.get("description") or ""), limits.description_chars)
        if parameter.get("deprecated"):
            description = f"Deprecated. {description}".strip()
        style = parameter.get("style") or ("form" if where == "query" else "simple")
        explode = parameter.get("explode", style == "form")
        kinds = schema.get("type")
        if kinds == "array" or (isinstance(kinds, list) and "array" in kinds):
            separator = _SEPARATORS.get(str(style), ",")
            if where != "query" or not explode or str(style) in _SEPARATORS:
                joined = "space" if separator == " " else repr(separator)
                description = f"{description} Several values are joined with {joined}.".strip()
                schema = {"type": "string"}
        if description:
            schema = {**schema, "description": description}
        return Argument(
            name,
            where,
            str(parameter["name"]),
            schema,
            bool(parameter.get("required")),
            _example(parameter),
            bracketed=where == "query" and style == "deepObject",
        )

    def _query(
        self, parameter: dict[str, Any], limits: Limits, taken: set[str], notes: list[str]
    ) -> Argument | None:
        name = str(parameter["name"])
        if not valid_argument(name) or name in taken:
            if parameter.get("required"):
                raise UnsupportedOperationError(
                    f"query parameter {name!r} cannot be an argument name"
                )
            notes.append(f"query parameter {name!r} left out: not a usable argument name")
            return None
        taken.add(name)
        return self._argument(parameter, name, "query", limits)

    def _path(
        self,
        operation: Operation,
        parameters: list[dict[str, Any]],
        limits: Limits,
        taken: set[str],
        renamed: list[str],
    ) -> tuple[list[Argument], str]:
        declared = {str(p["name"]): p for p in parameters}
        path = operation.path
        arguments = []
        for wire in _PATH_NAME.findall(operation.path):
            parameter = declared.get(
                wire, {"name": wire, "in": "path", "schema": {"type": "string"}}
            )
            candidate = (
                wire
                if valid_argument(wire) and "." not in wire and "-" not in wire
                else snake(wire)
            )
            name = _unique(candidate, taken, "path_")
            if name != wire:
                renamed.append(f"path parameter {wire} -> {name}")
            path = path.replace("{" + wire + "}", "{" + name + "}")
            argument = self._argument(parameter, name, "path", limits)
            argument.required = True
            arguments.append(argument)
        return arguments, path

    def _body(
        self,
        operation: Operation,
        body: tuple[str, Any, bool] | None,
        limits: Limits,
        taken: set[str],
        renamed: list[str],
        hints: list[str],
    ) -> tuple[list[Argument], Any]:
        if body is None:
            return [], None
        _, raw, required = body
        converted = _merged_alternatives(self.converter.convert(raw, limits, depth=0), hints)
        kinds = converted.get("type")
        is_object = kinds == "object" or (isinstance(kinds, list) and "object" in kinds)
        if is_object and converted.get("properties"):
            return self._fields(operation, converted, taken, renamed)
        peeked = self.converter.peek(raw)
        empty = is_object and not converted.get("additionalProperties")
        if empty and (
            operation.method in ("get", "delete")
            or (peeked or {}).get("additionalProperties") is False
        ):
            return [], None
        name = _unique("body", taken, "request_")
        schema = self.converter.convert(raw, limits, depth=1)
        description = trim(
            str((operation.request_body or {}).get("description") or ""), limits.description_chars
        )
        if description and "description" not in schema:
            schema = {**schema, "description": description}
        return [
            Argument(name, "body", name, schema or {"description": "The request body."}, required)
        ], "$" + name

    def _fields(
        self, operation: Operation, converted: JsonSchema, taken: set[str], renamed: list[str]
    ) -> tuple[list[Argument], Any]:
        required = set(converted.get("required") or [])
        arguments = []
        for wire, schema in converted["properties"].items():
            if (
                wire.lower() in ("token", "access_token")
                and "token" in str(schema.get("description", "")).lower()
            ):
                continue  # the credential, sent by the connection
            candidate = wire if valid_argument(wire) else snake(wire)
            name = _unique(candidate, taken, "body_")
            if name != wire:
                renamed.append(f"body field {wire} -> {name}")
            arguments.append(Argument(name, "body", wire, schema, wire in required))
        by_wire = any(a.name != a.wire for a in arguments)
        if by_wire or operation.method in ("get", "delete"):
            return arguments, {a.wire: "$" + a.name for a in arguments}
        return arguments, None
