"""The canonical input schema rewritten for OpenAI strict mode, and arguments rewritten back.

Strict mode (Structured Outputs, "Supported schemas") accepts a subset of JSON Schema: every
object closes with ``additionalProperties: false`` and lists every property in ``required``; an
optional field is a union with ``null``; composition other than ``anyOf`` is refused; per type only
a few keywords are kept (string: pattern and nine formats; number: bounds and multipleOf; array:
minItems / maxItems). The rewrite here keeps every description and folds each keyword it has to
drop into that description, so the model still learns a default or a length bound.

Two shapes have no strict equivalent: an open object (a map, or an object without declared
properties) and a value of any type. They become a string holding JSON. ``Decoder`` undoes this
and removes the ``null`` a model sends for an optional field it leaves out, turning strict-mode
arguments back into arguments for the canonical schema.

Pure: the input schema is never modified; every node returned is new.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from actionplane.catalog.render._decode import Decoder
from actionplane.catalog.render._notes import note, with_notes

JsonSchema = dict[str, Any]

STRING_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
_NUMERIC = frozenset({"multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"})
KEPT_PER_TYPE: dict[str, frozenset[str]] = {
    "string": frozenset({"pattern", "format"}),
    "number": _NUMERIC,
    "integer": _NUMERIC,
    "array": frozenset({"minItems", "maxItems"}),
    "object": frozenset(),
    "boolean": frozenset(),
    "null": frozenset(),
}
# Handled structurally below; never folded into prose.
_STRUCTURAL = frozenset(
    {
        "type", "description", "title", "enum", "const", "properties", "required", "items",
        "additionalProperties", "anyOf", "oneOf", "allOf", "$ref", "$defs", "definitions",
    }
)  # fmt: skip


_KEEP_AS_IS = Decoder()


@dataclass
class _Node:
    schema: JsonSchema
    decoder: Decoder = _KEEP_AS_IS
    allows_null: bool = False


def strict_schema(schema: JsonSchema) -> tuple[JsonSchema, Decoder]:
    """``schema`` (an object schema) rewritten for strict mode, and the decoder of its arguments."""
    schema = copy.deepcopy(schema)  # nothing returned may alias the tool's own schema
    rewriter = _Rewriter(schema)
    schema = merge_all_of(schema)
    notes: list[str | None] = []
    for key in ("anyOf", "oneOf"):
        variants = schema.get(key)
        if isinstance(variants, list):
            # The root must be a plain object: alternatives can only be told, not enforced.
            if all(_only_constraints(v) for v in variants):
                notes.append(_alternatives_note(variants, key == "oneOf"))
            else:
                notes.append(note(key, variants))
    root = rewriter.object_node(schema, notes, closed=True)
    out = dict(root.schema)
    if rewriter.recursive:
        out["$defs"] = rewriter.recursive_defs()
    return out, root.decoder


def _null() -> JsonSchema:
    return {"type": "null"}  # a new dict each time: callers may modify what they get


def nullable(schema: JsonSchema) -> JsonSchema:
    """``schema`` that also accepts null, in a form strict mode and JSON Schema both read alike."""
    kind = schema.get("type")
    if isinstance(kind, str) and "enum" not in schema and "const" not in schema:
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return {**schema, "type": [*kind, "null"]} if "null" not in kind else schema
    if "anyOf" in schema:
        variants = schema["anyOf"]
        return schema if _null() in variants else {**schema, "anyOf": [*variants, _null()]}
    inner = {k: v for k, v in schema.items() if k != "description"}
    out: JsonSchema = {"anyOf": [inner, _null()]}
    if "description" in schema:
        out["description"] = schema["description"]
    return out


def merge_all_of(schema: JsonSchema) -> JsonSchema:
    """``schema`` with its ``allOf`` parts merged in: properties and required unite."""
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: JsonSchema = {k: v for k, v in schema.items() if k != "allOf"}
    for part in (merge_all_of(p) for p in parts if isinstance(p, dict)):
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _infer_types(schema: JsonSchema) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if "properties" in schema or "additionalProperties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    values = schema["enum"] if "enum" in schema else [schema["const"]] if "const" in schema else []
    kinds = {_json_type(v) for v in values}
    return sorted(kinds) if len(kinds) == 1 or kinds == {"string", "null"} else []


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "object" if isinstance(value, dict) else "array"


def _only_constraints(variant: Any) -> bool:
    """A variant like ``{"required": ["id"]}``: it narrows the object, it adds no shape."""
    return isinstance(variant, dict) and set(variant) <= {"required", "description", "title"}


def _alternatives_note(variants: list[JsonSchema], exactly_one: bool) -> str:
    options = "; ".join(" and ".join(v.get("required", [])) or "nothing" for v in variants)
    return f"Provide {'exactly' if exactly_one else 'at least'} one of: {options}."


class _Rewriter:
    def __init__(self, root: JsonSchema) -> None:
        self.defs: dict[str, Any] = {**root.get("definitions", {}), **root.get("$defs", {})}
        self.stack: list[str] = []
        self.recursive: set[str] = set()

    def recursive_defs(self) -> JsonSchema:
        done: JsonSchema = {}
        while pending := sorted(self.recursive - set(done)):
            for name in pending:
                self.stack = [name]
                done[name] = self.node(self.defs[name]).schema
        return done

    def node(self, schema: Any) -> _Node:
        if not isinstance(schema, dict) or not schema:
            return self.open_node({}, [], "value")
        schema = merge_all_of(schema)
        if "$ref" in schema:
            return self.ref_node(schema)
        notes: list[str | None] = []
        union_key = "anyOf" if "anyOf" in schema else "oneOf" if "oneOf" in schema else None
        if union_key is not None:
            variants = [v for v in schema[union_key] if isinstance(v, dict)]
            rest = {k: v for k, v in schema.items() if k != union_key}
            if not all(_only_constraints(v) for v in variants):
                return self.union_node(rest, variants)
            notes.append(_alternatives_note(variants, union_key == "oneOf"))
            schema = rest
        types = _infer_types(schema)
        real = [t for t in types if t != "null"]
        if not real and "enum" not in schema and "const" not in schema:
            if types == ["null"]:
                return _Node(self.described({"type": "null"}, schema, notes), allows_null=True)
            return self.open_node(schema, notes, "value")
        if len(real) > 1:
            shared = {k: v for k, v in schema.items() if k not in ("description", "title")}
            variants = [{**shared, "type": t} for t in real] + [_null()] * ("null" in types)
            return self.union_node({"description": schema.get("description")}, variants, notes)
        out = self.typed_node(schema, real[0] if real else None, notes)
        if "null" in types:
            out.schema, out.allows_null = nullable(out.schema), True
        return out

    def ref_node(self, schema: JsonSchema) -> _Node:
        ref = str(schema["$ref"])
        name = ref.rsplit("/", 1)[-1] if ref.startswith(("#/$defs/", "#/definitions/")) else ""
        if name not in self.defs:
            return self.open_node(schema, [], "value")
        if name in self.stack:
            self.recursive.add(name)
            return _Node({"$ref": f"#/$defs/{name}"})
        self.stack.append(name)
        try:
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            return self.node({**self.defs[name], **siblings})
        finally:
            self.stack.pop()

    def union_node(
        self, rest: JsonSchema, variants: list[JsonSchema], notes: list[str | None] | None = None
    ) -> _Node:
        notes = list(notes or [])
        notes.extend(note(k, v) for k, v in rest.items() if k not in _STRUCTURAL)
        nodes = [self.node(v) for v in variants]
        flat: list[JsonSchema] = []
        for n in nodes:
            flat.extend(n.schema["anyOf"] if set(n.schema) == {"anyOf"} else [n.schema])
        out: JsonSchema = {"anyOf": flat}
        description = with_notes(rest.get("description"), notes)
        if description:
            out["description"] = description
        return _Node(out, allows_null=any(n.allows_null for n in nodes))

    def typed_node(self, schema: JsonSchema, kind: str | None, notes: list[str | None]) -> _Node:
        if kind == "object":
            return self.object_node(schema, notes, closed=False)
        if kind == "array" and ("prefixItems" in schema or schema.get("items") is False):
            return self.open_node(schema, notes, "array")
        kept = KEPT_PER_TYPE.get(kind or "", frozenset())
        out: JsonSchema = {"type": kind} if kind else {}
        for key, value in schema.items():
            if key == "enum" and kind:
                out[key] = [v for v in value if v is not None]  # null is nullable()'s business
            elif key in ("enum", "const"):
                out[key] = value
            elif key == "format" and value not in STRING_FORMATS:
                notes.append(note(key, value))
            elif key in kept:
                out[key] = value
            elif key not in _STRUCTURAL and key not in ("prefixItems", "patternProperties"):
                notes.append(note(key, value))
        decoder = _KEEP_AS_IS
        if kind == "array":
            items = self.node(schema.get("items"))
            out["items"] = items.schema
            if items.decoder != _KEEP_AS_IS:
                decoder = Decoder(items=items.decoder)
        allows_null = None in schema.get("enum", ()) or (
            "const" in schema and schema["const"] is None
        )
        return _Node(self.described(out, schema, notes), decoder, allows_null)

    def object_node(self, schema: JsonSchema, notes: list[str | None], *, closed: bool) -> _Node:
        declared: dict[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties", not declared)
        if not closed and ((not declared and extra is not False) or "patternProperties" in schema):
            return self.open_node(schema, notes, "object")
        required = set(schema.get("required", []))
        properties: JsonSchema = {}
        drop_null: set[str] = set()
        decoders: dict[str, Decoder] = {}
        for key, sub in declared.items():
            child = self.node(sub)
            if key not in required and not child.allows_null:
                child.schema = nullable(child.schema)
                drop_null.add(key)
            properties[key] = child.schema
            if child.decoder != _KEEP_AS_IS:
                decoders[key] = child.decoder
        for key, value in schema.items():
            if key not in _STRUCTURAL and key != "patternProperties":
                notes.append(note(key, value))
        out: JsonSchema = {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }
        decoder = Decoder(drop_null=frozenset(drop_null), properties=decoders)
        return _Node(self.described(out, schema, notes), decoder)

    def open_node(self, schema: JsonSchema, notes: list[str | None], kind: str) -> _Node:
        hint = {
            "object": "A JSON object, sent as a JSON-encoded string",
            "array": "A JSON array, sent as a JSON-encoded string",
            "value": "Any JSON value, sent as a JSON-encoded string",
        }[kind]
        values = schema.get("additionalProperties")
        if kind == "object" and isinstance(values, dict) and isinstance(values.get("type"), str):
            hint += f" (each value a {values['type']})"
        for key, value in schema.items():
            if key not in _STRUCTURAL and key not in ("prefixItems", "patternProperties"):
                notes.append(note(key, value))
        notes.append(hint + ".")
        out = self.described({"type": "string"}, schema, notes)
        return _Node(out, Decoder(json=True), allows_null=False)

    @staticmethod
    def described(out: JsonSchema, schema: JsonSchema, notes: list[str | None]) -> JsonSchema:
        description = with_notes(schema.get("description") or schema.get("title"), notes)
        return {**out, "description": description} if description else out
