"""Operations to tools, and tools to a toolkit document the catalog loads as it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from actionplane.migrate.openapi._auth import plan_auth
from actionplane.migrate.openapi._examples import example_arguments
from actionplane.migrate.openapi._model import Operation, Spec
from actionplane.migrate.openapi._naming import SlugAllocator, human_name, operation_words
from actionplane.migrate.openapi._params import (
    Flattened,
    Flattener,
    UnsupportedOperationError,
    body_kind,
)
from actionplane.migrate.openapi._refs import SpecError, UnresolvedRefError
from actionplane.migrate.openapi._report import (
    ImportedTool,
    ImportOptions,
    OpenApiImport,
    SkippedOperation,
)
from actionplane.migrate.openapi._schema import INPUT, OUTPUT, JsonSchema, SchemaConverter, measure
from actionplane.migrate.openapi._text import cut, sentence, trim

Progress = Callable[[int, int], None]
TOOLKIT_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$")
METHODS = ("get", "post", "put", "patch", "delete")
TOOL_DESCRIPTION_CHARS = 320
# Well below OpenAI strict mode's limits (5000 properties, 1000 enum values, 120,000 characters
# of names and values, 10 levels): a model reads every argument of every tool it is given.
INPUT_BUDGET = (400, 500, 20_000, 8)
OUTPUT_CHARS = 3000


def _behavior(method: str) -> dict[str, bool]:
    """RFC 9110 method semantics: GET is safe, PUT and DELETE idempotent, DELETE destroys."""
    return {
        "read_only": method == "get",
        "destructive": method == "delete",
        "idempotent": method in ("get", "put", "delete"),
        "open_world": True,
    }


def _selected(operation: Operation, options: ImportOptions) -> bool:
    if options.path_prefix and not operation.path.startswith(options.path_prefix):
        return False
    if options.tags:
        wanted = {t.lower() for t in options.tags}
        return bool(wanted & {t.lower() for t in operation.tags})
    return True


def _description(operation: Operation) -> str:
    summary = sentence(trim(operation.summary, 120))
    body = sentence(trim(operation.description, TOOL_DESCRIPTION_CHARS))
    if summary and body and not body.lower().startswith(summary.rstrip(".").lower()):
        text = f"{summary} {body}"
    else:
        text = body or summary
    text = cut(text, TOOL_DESCRIPTION_CHARS + 120)
    if operation.deprecated:
        text = "Deprecated. " + text
    if len(text) < 20:
        text = f"{sentence(text)} {operation.method.upper()} {operation.path}.".strip()
    return text


def _tags(operation: Operation) -> list[str]:
    tags = [re.sub(r"\s+", "-", t.strip().lower()) for t in operation.tags if t.strip()]
    return [*dict.fromkeys(tags), "read" if operation.method == "get" else "write"]


def _fits(schema: JsonSchema) -> bool:
    size = measure(schema)
    properties, enums, characters, depth = INPUT_BUDGET
    return (
        size.properties <= properties
        and size.enum_values <= enums
        and size.characters <= characters
        and size.depth <= depth
    )


class ToolBuilder:
    """Builds the tools of one description, one operation at a time."""

    def __init__(self, spec: Spec, api_keys: set[tuple[str, str]], toolkit: str) -> None:
        self.converter = SchemaConverter(spec.resolver)
        self.flattener = Flattener(self.converter, api_keys)
        self.slugs = SlugAllocator(toolkit)
        self.idempotency_headers: set[str] = set()

    def flatten(self, operation: Operation) -> Flattened:
        """Arguments within budget: deeper objects lose their fields until the schema fits."""
        flat = self.flattener.flatten(operation, INPUT)
        depth = INPUT.depth
        while not _fits(flat.input_schema) and depth > 0:
            depth -= 1
            flat = self.flattener.flatten(operation, replace(INPUT, depth=depth))
        if not _fits(flat.input_schema):
            raise UnsupportedOperationError("its arguments are too large for an LLM tool")
        return flat

    def output_schema(self, operation: Operation) -> JsonSchema | None:
        """The schema of the first 2xx JSON response, kept small."""
        for code in sorted(c for c in operation.responses if c.upper().startswith("2")):
            response = self.converter.peek(operation.responses[code]) or {}
            content = response.get("content") or {}
            kind = next((k for k in content if body_kind(k) == "json"), None)
            if kind is None:
                return None
            raw = (content[kind] or {}).get("schema")
            schema = self.converter.convert(raw, OUTPUT)
            for smaller in (replace(OUTPUT, described=0), replace(OUTPUT, depth=0, described=0)):
                if len(str(schema)) <= OUTPUT_CHARS:
                    break
                schema = self.converter.convert(raw, smaller)
            return schema or None
        return None

    def tool(self, operation: Operation) -> tuple[dict[str, Any], Flattened]:
        """The tool document of ``operation``, or ``UnsupportedOperationError``."""
        flat = self.flatten(operation)
        arguments = example_arguments(flat.input_schema, flat.examples)
        if arguments is None:
            raise UnsupportedOperationError("no example satisfies its input schema")
        name_words = operation_words(operation.method, operation.path, operation.operation_id)
        name = trim(operation.summary, 80).rstrip(".") or human_name(name_words)
        tool: dict[str, Any] = {
            "slug": self.slugs.allocate(name_words),
            "name": name,
            "description": " ".join([_description(operation), *flat.hints]),
            "tags": _tags(operation),
            "behavior": _behavior(operation.method),
            "input_schema": flat.input_schema,
        }
        output = self.output_schema(operation)
        if output:
            tool["output_schema"] = output
        tool["http"] = flat.http
        tool["examples"] = [{"arguments": arguments}]
        if flat.idempotency_header:
            self.idempotency_headers.add(flat.idempotency_header)
        return tool, flat


def build_toolkit(
    spec: Spec, options: ImportOptions, progress: Progress | None = None
) -> OpenApiImport:
    """The toolkit of the selected operations of ``spec``; ``SpecError`` when none can be made."""
    if not TOOLKIT_SLUG.match(options.toolkit):
        raise SpecError(
            f"toolkit name {options.toolkit!r} must be lower case letters, digits and "
            "underscores, starting with a letter (2 to 41 characters)"
        )
    base_url = (options.base_url or spec.base_url or "").rstrip("/")
    if options.base_url and not base_url.startswith(("http://", "https://")):
        raise SpecError(f"--base-url {options.base_url!r} is not an http(s) URL")
    if not base_url.startswith(("http://", "https://")):
        raise SpecError("the description names no absolute server URL: pass --base-url")
    selected = [op for op in spec.operations if _selected(op, options)]
    skipped = [
        SkippedOperation(
            op.method.upper(),
            op.path,
            op.operation_id,
            f"method {op.method.upper()} is not supported",
        )
        for op in selected
        if op.method not in METHODS
    ]
    usable = [op for op in selected if op.method in METHODS]
    plan = plan_auth(spec, usable, base_url)
    builder = ToolBuilder(spec, plan.credential_parameters, options.toolkit)
    tools: list[dict[str, Any]] = []
    imported: list[ImportedTool] = []
    for index, operation in enumerate(usable):
        try:
            tool, flat = builder.tool(operation)
        except (UnsupportedOperationError, UnresolvedRefError) as error:
            reason = str(error)
            skipped.append(
                SkippedOperation(
                    operation.method.upper(), operation.path, operation.operation_id, reason
                )
            )
        else:
            tools.append(tool)
            imported.append(
                ImportedTool(
                    tool["slug"],
                    operation.method.upper(),
                    operation.path,
                    operation.operation_id,
                    len(tool["input_schema"]["properties"]),
                    plan.scopes.get(index, []),
                    [*flat.renamed, *flat.notes],
                )
            )
        if progress is not None:
            progress(index + 1, len(usable))
    if not tools:
        raise SpecError(
            f"no operation became a tool ({len(selected)} selected, {len(skipped)} skipped, "
            f"{len(spec.operations) - len(selected)} outside the filters)"
        )
    document = _toolkit_document(spec, options, base_url, plan.schemes, tools, builder, usable)
    warnings = [*plan.warnings, *dict.fromkeys(builder.converter.problems)]
    return OpenApiImport(
        toolkit=document,
        source_version=spec.version,
        operations=len(spec.operations),
        tools=imported,
        skipped=skipped,
        filtered_out=len(spec.operations) - len(selected),
        warnings=warnings,
    )


def _toolkit_document(
    spec: Spec,
    options: ImportOptions,
    base_url: str,
    auth: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    builder: ToolBuilder,
    operations: list[Operation],
) -> dict[str, Any]:
    title = spec.title.strip() or options.toolkit
    description = trim(spec.description, 300) or f"{title}, imported from its OpenAPI description."
    if len(description) < 10:
        description = f"{sentence(description)} {title} API.".strip()
    rate_limited = any("429" in op.responses for op in operations)
    document: dict[str, Any] = {
        "slug": options.toolkit,
        "name": cut(title, 80),
        "version": spec.info_version if SEMVER.match(spec.info_version) else "1.0.0",
        "description": description,
        "base_url": base_url,
        "auth": auth,
        "rate_limit_style": "retry_after" if rate_limited else "none",
    }
    if builder.idempotency_headers:
        document["idempotency_header"] = sorted(builder.idempotency_headers)[0]
    document["default_headers"] = {"Accept": "application/json"}
    document["tools"] = tools
    return document
