"""Shared by the OpenAPI import tests: running the import as a user does, loading its result
with the catalog's own loader, and checking a tool in every LLM format with the independent
checkers of ``tests/test_render*.py``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from actionplane.catalog.loader import parse_toolkit
from actionplane.catalog.models import HttpMapping, Tool, Toolkit
from actionplane.catalog.render import FORMATS, decode_arguments, render_tool
from tests.cli_runner import run_cli
from tests.test_render import GEMINI_KEYWORDS, GEMINI_NAME, MCP_TOOL, NAME, keywords
from tests.test_render_openai import encode, strict_violations

FIXTURES = Path(__file__).parent / "openapi_fixtures"
# Anthropic refuses property names outside this pattern (the strictest of the LLM APIs).
PROPERTY_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")


@dataclass
class Imported:
    """One import as the CLI did it: the YAML file, the ``--json`` report, the loaded toolkit."""

    path: Path
    report: dict[str, Any]
    toolkit: Toolkit

    def tool(self, slug: str) -> Tool:
        return next(t for t in self.toolkit.tools if t.slug == slug)


def http(tool: Tool) -> HttpMapping:
    """The tool's HTTP mapping (every imported tool has one)."""
    assert tool.http is not None
    return tool.http


def import_with_cli(spec: Path, toolkit: str, folder: Path, *options: str) -> Imported:
    """``actionplane import openapi`` in a subprocess, then the catalog's loader on its output.

    The YAML is read with libyaml (the loader's pure-Python reader takes ~10 s on GitHub's 1200
    tools); ``parse_toolkit`` then does every check the catalog does on a toolkit file."""
    output = folder / f"{toolkit}.yaml"
    done = run_cli(
        "import", "openapi", str(spec), "--toolkit", toolkit, "-o", str(output), "--json",
        *options, cwd=folder,
    )  # fmt: skip
    report = json.loads(done.stdout)
    document = yaml.load(output.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return Imported(output, report, parse_toolkit(document, str(output)))


def _property_names(schema: Any, where: str, found: list[str]) -> None:
    if not isinstance(schema, dict):
        return
    for name, sub in (schema.get("properties") or {}).items():
        if not PROPERTY_NAME.match(name):
            found.append(f"{where}/{name}")
        _property_names(sub, f"{where}/{name}", found)
    for key in ("items", "additionalProperties"):
        _property_names(schema.get(key), f"{where}/{key}", found)
    for variant in schema.get("anyOf") or []:
        _property_names(variant, f"{where}/anyOf", found)


def render_problems(tool: Tool, check_meta: bool = False) -> list[str]:
    """Every way ``tool`` fails a format's documented rules (empty if none).

    ``check_meta`` also checks each rendered schema against the JSON Schema meta-schema (slow in
    pure Python: for the small descriptions)."""
    problems: list[str] = []
    for format in FORMATS:
        rendered = render_tool(tool, format)
        name = rendered["slug"] if format == "json" else rendered.get("function", rendered)["name"]
        if name != tool.slug or not NAME.match(name):
            problems.append(f"{format}: name {name!r}")
    chat = render_tool(tool, "openai")
    parameters = chat["function"]["parameters"]
    problems += [f"openai strict: {p}" for p in strict_violations(parameters)]
    if render_tool(tool, "openai_responses") != {"type": "function", **chat["function"]}:
        problems.append("openai_responses differs from the chat function")
    gemini = render_tool(tool, "gemini")
    if not GEMINI_NAME.match(gemini["name"]):
        problems.append("gemini: name")
    for key in ("parametersJsonSchema", "responseJsonSchema"):
        extra = keywords(gemini[key]) - GEMINI_KEYWORDS
        if extra or gemini[key].get("type") != "object":
            problems.append(f"gemini {key}: keywords {sorted(extra)} or a root that is no object")
    mcp = render_tool(tool, "mcp")
    problems += [
        f"mcp: {e.message}" for e in jsonschema.Draft202012Validator(MCP_TOOL).iter_errors(mcp)
    ]
    names: list[str] = []
    _property_names(render_tool(tool, "anthropic")["input_schema"], "", names)
    problems += [f"anthropic: property name {n}" for n in names]
    for example in tool.examples:
        sent = encode(parameters, example.arguments, parameters)
        if not jsonschema.Draft202012Validator(parameters).is_valid(sent):
            problems.append("openai: the example, strict-encoded, is refused")
        decoded = decode_arguments(tool, "openai", sent)
        if not jsonschema.Draft202012Validator(tool.input_schema).is_valid(decoded):
            problems.append("openai: the example does not decode back")
        if not jsonschema.Draft202012Validator(gemini["parametersJsonSchema"]).is_valid(
            example.arguments
        ):
            problems.append("gemini: the example is refused")
    if check_meta:
        for schema in (parameters, gemini["parametersJsonSchema"], mcp["outputSchema"]):
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as error:
                problems.append(f"not a JSON Schema: {error.message}")
    return [f"{tool.slug}: {p}" for p in problems]
