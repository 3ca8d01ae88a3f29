"""OpenAPI schema objects to JSON Schema draft 2020-12, sized for an LLM's tool list.

- ``$ref`` is inlined; a reference met again inside itself (a cycle) becomes a plain object;
- ``allOf`` is merged into one schema; ``oneOf`` becomes ``anyOf`` (an argument that happens to
  fit two shapes is not refused); ``nullable`` (3.0) becomes a ``null`` type or variant;
  ``exclusiveMinimum: true`` (3.0) takes the ``minimum``'s value; ``type: file`` (2.0) is a binary
  string; ``example`` becomes ``examples``;
- ``x-*`` extensions, ``discriminator``, ``xml``, ``externalDocs`` and titles are dropped, and so
  are patterns Python cannot compile (the catalog checks every pattern);
- inputs lose ``readOnly`` properties, outputs lose ``writeOnly`` ones;
- ``Limits`` caps what a model has to read: object levels (deeper objects keep their type, not
  their fields), enums (a long one becomes examples in the description), alternatives (many
  become "any value") and descriptions (first sentences, plain text).

Returned schemas may be shared between tools: never modify one in place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from actionplane.migrate.openapi._naming import valid_argument
from actionplane.migrate.openapi._refs import Resolver, UnresolvedRefError
from actionplane.migrate.openapi._text import cut, trim

JsonSchema = dict[str, Any]
TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
_ORDER = ("type", "description", "properties", "required")
_COPIED = (
    "format", "minLength", "maxLength", "minimum", "maximum", "multipleOf", "minItems",
    "maxItems", "uniqueItems", "minProperties", "maxProperties", "const",
)  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """How much of a schema is kept. ``depth``: object levels that list their fields;
    ``described``: levels whose fields keep a description; ``hidden``: the flag that removes a
    property (``readOnly`` for inputs, ``writeOnly`` for outputs); ``named``: properties need
    names every LLM API accepts; ``constraints``: validation keywords are kept."""

    depth: int
    described: int
    description_chars: int
    enum_values: int
    variants: int
    keep_values: bool
    hidden: str
    closed_objects: bool
    constraints: bool
    named: bool


INPUT = Limits(
    depth=5,
    described=99,
    description_chars=200,
    enum_values=100,
    variants=12,
    keep_values=True,
    hidden="readOnly",
    closed_objects=True,
    constraints=True,
    named=True,
)
OUTPUT = Limits(
    depth=1,
    described=1,
    description_chars=100,
    enum_values=20,
    variants=6,
    keep_values=False,
    hidden="writeOnly",
    closed_objects=False,
    constraints=False,
    named=False,
)


class _Cycle(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class _Context:
    limits: Limits
    depth: int
    doc: str
    stack: tuple[str, ...]


def nullable(schema: JsonSchema) -> JsonSchema:
    """``schema`` that also accepts null (a new dict)."""
    kind = schema.get("type")
    if not schema or kind == "null":
        return schema
    if "enum" in schema and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    if "anyOf" in schema:
        variants = schema["anyOf"]
        return (
            schema
            if {"type": "null"} in variants
            else {**schema, "anyOf": [*variants, {"type": "null"}]}
        )
    return schema  # no type: null is already accepted


def _valid_pattern(pattern: Any) -> bool:
    try:
        re.compile(pattern)
    except (re.error, TypeError):
        return False
    return True


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and len(str(value)) <= 200


def _key(schema: JsonSchema) -> str:
    return json.dumps(schema, sort_keys=True, default=str)


class SchemaConverter:
    """Converts schemas of one description; remembers converted references across tools."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.problems: list[str] = []
        self._cuts = 0
        self._cache: dict[tuple[str, Limits, int], JsonSchema] = {}

    def convert(self, node: Any, limits: Limits, depth: int = 0) -> JsonSchema:
        """``node`` (an OpenAPI schema of the root document) as JSON Schema, ``depth`` levels
        of objects below the tool's root."""
        return self._node(node, _Context(limits, depth, "", ()))

    def peek(self, node: Any) -> Any:
        """``node`` with its references followed, for a look at its flags (None when broken)."""
        try:
            return self.resolver.resolve(node)
        except UnresolvedRefError:
            return None

    def _node(self, node: Any, ctx: _Context) -> JsonSchema:
        if node is False:
            return {"not": {}}
        if not isinstance(node, dict) or not node:
            return {}
        if isinstance(node.get("$ref"), str):
            return self._ref(node, ctx)
        try:
            node = self._merge_all_of(node, ctx, set())
        except _Cycle as cycle:
            self._cuts += 1
            return self._recursive({"type": "object"}, cycle.key)
        out: JsonSchema = {}
        notes: list[str] = []
        kinds = node.get("type")
        type_list = (
            [kinds] if isinstance(kinds, str) else list(kinds) if isinstance(kinds, list) else []
        )
        if "file" in type_list:
            type_list, out["format"] = ["string"], "binary"
        type_list = [t for t in type_list if t in TYPES]
        allows_null = node.get("nullable") is True or "null" in type_list
        real = [t for t in type_list if t != "null"]
        if not real and (
            "properties" in node or isinstance(node.get("additionalProperties"), dict)
        ):
            real = ["object"]
        if not real and "items" in node:
            real = ["array"]
        self._values(node, out, notes, ctx.limits)
        if "object" in real:
            self._object(node, out, ctx)
        elif "required" in node and isinstance(node["required"], list):
            out["required"] = list(node["required"])  # a constraint-only variant of its parent
        if "array" in real:
            out["items"] = self._node(node.get("items", {}), ctx)
        union = node.get("anyOf") if isinstance(node.get("anyOf"), list) else node.get("oneOf")
        if isinstance(union, list):
            allows_null = self._union(union, out, notes, ctx) or allows_null
        if real:
            out["type"] = real[0] if len(real) == 1 else real
        if "anyOf" in out and set(out) == {"anyOf"} and len(out["anyOf"]) == 1:
            out = dict(out["anyOf"][0])
        description = self._description(node, notes, ctx)
        if description:
            out["description"] = description
        out = nullable(out) if allows_null else out
        return {key: out[key] for key in _ORDER if key in out} | out

    def _ref(self, node: JsonSchema, ctx: _Context) -> JsonSchema:
        try:
            key, target, doc = self.resolver.lookup(node["$ref"], ctx.doc)
        except UnresolvedRefError as error:
            self.problems.append(str(error))
            return {}
        if key in ctx.stack:
            self._cuts += 1
            return self._recursive(target, key)
        cache_key = (key, ctx.limits, ctx.depth)
        out = self._cache.get(cache_key)
        if out is None:
            cuts = self._cuts
            out = self._node(target, replace(ctx, doc=doc, stack=(*ctx.stack, key)))
            if cuts == self._cuts:  # nothing in it depends on where it was met
                self._cache[cache_key] = out
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if siblings.get("description") and ctx.depth <= ctx.limits.described:
            text = trim(str(siblings["description"]), ctx.limits.description_chars)
            out = {**out, "description": text} if text else out
        return nullable(out) if siblings.get("nullable") is True else out

    def _recursive(self, target: Any, key: str) -> JsonSchema:
        name = key.rsplit("/", 1)[-1]
        described = f"A {name} (the same shape as the one that contains it)."
        if isinstance(target, dict) and (
            target.get("type") == "object" or "properties" in target or "allOf" in target
        ):
            return {"type": "object", "description": described}
        return {"description": described}

    def _merge_all_of(self, node: JsonSchema, ctx: _Context, seen: set[str]) -> JsonSchema:
        """``node`` with its ``allOf`` parts merged in; ``_Cycle`` when a part is a reference
        being converted already (the whole node is then a cycle, not a part of one)."""
        parts = node.get("allOf")
        if not isinstance(parts, list):
            return node
        merged: JsonSchema = {k: v for k, v in node.items() if k != "allOf"}
        properties: JsonSchema = {}
        required: list[str] = []
        for part in parts:
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                try:
                    key, part, _ = self.resolver.lookup(part["$ref"], ctx.doc)
                except UnresolvedRefError as error:
                    self.problems.append(str(error))
                    continue
                if key in seen or key in ctx.stack:
                    raise _Cycle(key)
                seen = seen | {key}
            if not isinstance(part, dict):
                continue
            part = self._merge_all_of(part, ctx, seen)
            properties.update(part.get("properties") or {})
            required += [r for r in part.get("required") or [] if r not in required]
            for key, value in part.items():
                if key not in ("properties", "required"):
                    merged.setdefault(key, value)
        properties.update(node.get("properties") or {})
        required += [r for r in node.get("required") or [] if r not in required]
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _values(self, node: JsonSchema, out: JsonSchema, notes: list[str], limits: Limits) -> None:
        if not limits.constraints:  # a result is read, not validated: its shape is enough
            values = node.get("enum")
            if isinstance(values, list) and 0 < len(values) <= limits.enum_values:
                out["enum"] = list(values)
            if isinstance(node.get("format"), str):
                out["format"] = node["format"]
            return
        for key in _COPIED:
            if key in node and not isinstance(node[key], dict | list):
                out[key] = node[key]
        if "pattern" in node and _valid_pattern(node["pattern"]):
            out["pattern"] = node["pattern"]
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            flag = node.get(exclusive)
            if flag is True and bound in node:
                out[exclusive] = out.pop(bound)
            elif isinstance(flag, int | float) and not isinstance(flag, bool):
                out[exclusive] = flag
        values = node.get("enum")
        if isinstance(values, list) and values:
            if len(values) <= limits.enum_values:
                out["enum"] = list(values)
            else:
                shown = ", ".join(str(v) for v in values[:8])
                notes.append(f"One of {len(values)} values, such as {shown}.")
        if limits.keep_values:
            if "default" in node and _scalar(node["default"]):
                out["default"] = node["default"]
            examples = node.get("examples") if isinstance(node.get("examples"), list) else None
            if examples is None and "example" in node:
                examples = [node["example"]]
            kept = [e for e in examples or [] if _scalar(e)][:2]
            if kept:
                out["examples"] = kept

    def _object(self, node: JsonSchema, out: JsonSchema, ctx: _Context) -> None:
        if ctx.depth >= ctx.limits.depth:
            return  # an object with no listed fields: any object
        inner = replace(ctx, depth=ctx.depth + 1)
        properties: JsonSchema = {}
        for name, sub in (node.get("properties") or {}).items():
            flags = self.peek(sub)
            if isinstance(flags, dict) and flags.get(ctx.limits.hidden) is True:
                continue
            if ctx.limits.named and not valid_argument(str(name)):
                self.problems.append(f"property {name!r} left out: not a usable argument name")
                continue
            properties[str(name)] = self._node(sub, inner)
        if properties:
            out["properties"] = properties
        required = [r for r in node.get("required") or [] if r in properties]
        if required:
            out["required"] = required
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            out["additionalProperties"] = self._node(extra, inner)
        elif extra is False and ctx.limits.closed_objects and properties:
            out["additionalProperties"] = False

    def _union(self, variants: list[Any], out: JsonSchema, notes: list[str], ctx: _Context) -> bool:
        """Adds ``anyOf`` to ``out``; True when one of the variants is null."""
        converted: dict[str, JsonSchema] = {}
        allows_null = False
        for variant in variants:
            schema = self._node(variant, ctx)
            if schema == {"type": "null"}:
                allows_null = True
            else:
                converted.setdefault(_key(schema), schema)
        shapes = list(converted.values())
        if len(shapes) > ctx.limits.variants:
            notes.append(f"One of {len(shapes)} shapes (any JSON value is passed on).")
        elif len(shapes) == 1 and not ({"type", "properties", "items"} & set(out)):
            out.update(shapes[0])
        elif shapes:
            out["anyOf"] = shapes
        return allows_null

    @staticmethod
    def _description(node: JsonSchema, notes: list[str], ctx: _Context) -> str:
        if ctx.depth > ctx.limits.described:
            return ""
        text = trim(str(node.get("description") or ""), ctx.limits.description_chars)
        if node.get("deprecated") is True:
            text = "Deprecated. " + text
        return cut(" ".join(t for t in [text, *notes] if t), ctx.limits.description_chars + 80)


@dataclass(frozen=True)
class Size:
    """What OpenAI strict mode counts in a schema."""

    properties: int
    enum_values: int
    characters: int
    depth: int


def measure(schema: Any, depth: int = 0) -> Size:
    """Object properties, enum values, name and value characters, and object nesting."""
    if not isinstance(schema, dict):
        return Size(0, 0, 0, depth)
    found, listed = schema.get("properties"), schema.get("enum")
    properties: dict[str, Any] = found if isinstance(found, dict) else {}
    values: list[Any] = listed if isinstance(listed, list) else []
    size = Size(
        len(properties),
        len(values),
        sum(len(n) for n in properties) + sum(len(v) for v in values if isinstance(v, str)),
        depth + (1 if properties or schema.get("type") == "object" else 0),
    )
    level = size.depth
    children = [*properties.values(), schema.get("items"), schema.get("additionalProperties")]
    for child in [*children, *(schema.get("anyOf") or [])]:
        sub = measure(child, level)
        size = Size(
            size.properties + sub.properties,
            size.enum_values + sub.enum_values,
            size.characters + sub.characters,
            max(size.depth, sub.depth),
        )
    return size
