"""Make (Integromat) scenario blueprints -> a Python saga workflow.

Modules run in blueprint order; a router's routes run one after another (Make runs each route
whose filter passes). Mapped values ``{{1.email}}`` read module 1's answer."""

from __future__ import annotations

import json
import re
from typing import Any

from actionplane.migrate.codegen import Block, Module, comment
from actionplane.migrate.expr import Translation, access_path, pick_src, render
from actionplane.migrate.http import http_block
from actionplane.migrate.report import TODO, ImportResult

_REF = re.compile(r"^(\d+)\.(.+)$")


def ref(expr: str) -> str | None:
    match = _REF.match(expr.strip())
    if match is None:
        return None
    path = access_path("." + match[2].replace("`", ""))
    return None if path is None else pick_src(f"data.get({match[1]!r})", path)


def _flatten(flow: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for module in flow:
        out.append(module)
        for route in module.get("routes") or []:
            out += _flatten(route.get("flow") or [])
    return out


def _block(mod: Module, m: dict[str, Any], tr: Translation, after: list[str]) -> Block:
    key, kind = str(m.get("id")), str(m.get("module", ""))
    name = key
    mapper = m.get("mapper") or {}

    def conv(v: Any) -> Any:
        return tr.convert(v, lambda s: s if "{{" in s else None)

    app = kind.split(":")[0]
    if kind.startswith("gateway:") or app in ("webhook",):
        mod.triggers.append({"node": name, "kind": "webhook", "source": kind})
        body = [f"data[{key!r}] = input  # the webhook's payload is the run's input", *after]
        return Block(name, kind, "mapped", "webhook trigger, listed in TRIGGERS", body)
    if kind == "http:MakeRequest" or kind.startswith("http:"):
        body_src = mapper.get("jsonStringBodyContent") or mapper.get("data")
        request: dict[str, Any] = {
            "method": str(mapper.get("method", "get")).upper(),
            "url": mapper.get("url"),
        }
        headers = {h.get("name"): h.get("value") for h in mapper.get("headers") or []}
        query = {q.get("name"): q.get("value") for q in mapper.get("queryParameters") or []}
        request |= {
            k: v for k, v in (("headers", headers), ("query", query), ("body", body_src)) if v
        }
        return http_block(name, kind, conv(request), after)
    if kind == "builtin:BasicFeeder":
        lines = [
            f"{TODO}: Make runs the following modules once per element; here they run once.",
            f"data[{key!r}] = {render(conv(mapper.get('array')), 0)}",
            *after,
        ]
        return Block(
            name,
            kind,
            "approximated",
            "iterator: the following modules run once, not per element (TODO)",
            lines,
        )
    if kind == "util:FunctionSleep":
        seconds = mapper.get("duration", 1)
        lines = [f"data[{key!r}] = {{'slept_s': {render(conv(seconds), 0)}}}", *after]
        note = (
            "a pause between calls is not kept: the plane's rate limiter paces calls to a provider"
        )
        return Block(name, kind, "approximated", note, lines)
    why = f"no built-in toolkit for Make app {app!r}"
    lines = [
        f"{TODO}: {why} ({kind}). Mapped values:",
        *comment(json.dumps(mapper, indent=2), "#     "),
        f"data[{key!r}] = {{}}",
        *after,
    ]
    return Block(name, kind, "unmapped", why + "; a TODO keeps its mapped values", lines)


def import_make(document: Any, source_name: str = "scenario") -> ImportResult:
    """Import a Make scenario blueprint (the JSON "Export blueprint" downloads)."""
    if not isinstance(document, dict) or not isinstance(document.get("flow"), list):
        raise ValueError("not a Make blueprint: expected an object with a 'flow' list")
    mod = Module(
        "make", str(document.get("name") or source_name), str(document.get("description") or "")
    )
    modules = _flatten(document["flow"])
    for i, m in enumerate(modules):
        tr = Translation(ref)
        nxt = [str(modules[i + 1].get("id"))] if i + 1 < len(modules) else []
        block = _block(mod, m, tr, [f"go.update({nxt!r})" if nxt else "# the flow ends here"])
        if tr.untranslated:
            block.body.insert(
                0, f"{TODO}: Make expressions kept as text: {'; '.join(tr.untranslated)}"
            )
            block.status = "approximated" if block.status == "mapped" else block.status
        if i == 0:
            mod.start.append(block.name)
        mod.blocks.append(block)
    return mod.result()
