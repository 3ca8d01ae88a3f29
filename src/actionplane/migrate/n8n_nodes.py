"""One n8n node -> one code block (see ``n8n`` for the graph walk)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from actionplane.migrate.codegen import Block, comment
from actionplane.migrate.expr import Code, Translation, render
from actionplane.migrate.http import http_block, n8n_request
from actionplane.migrate.n8n_logic import condition
from actionplane.migrate.n8n_services import DEFAULTS, SERVICES
from actionplane.migrate.report import TODO, Status

if TYPE_CHECKING:
    from actionplane.migrate.n8n import N8nImporter

TRIGGERS = {
    "webhook": "webhook",
    "cron": "schedule",
    "scheduleTrigger": "schedule",
    "interval": "schedule",
    "manualTrigger": "manual",
    "start": "manual",
}
CODE = {"code": "jsCode", "function": "functionCode", "functionItem": "functionCode"}


def build(
    imp: N8nImporter, node: dict[str, Any], kind: str, tr: Translation, parent: str | None
) -> Block:
    name, ntype = node["name"], node.get("type", "")
    params: dict[str, Any] = node.get("parameters") or {}

    def conv(value: Any) -> Any:
        return tr.convert(value, lambda s: s[1:] if s.startswith("=") else None)

    then = imp.go(imp.children(name))

    def block(status: Status, note: str, body: list[str]) -> Block:
        return Block(name, ntype, status, note, body)

    if kind in TRIGGERS or kind.endswith("Trigger"):
        entry = {"node": name, "kind": TRIGGERS.get(kind, "webhook"), "source": ntype}
        if kind == "webhook":
            entry |= {"method": params.get("httpMethod", "GET"), "path": params.get("path", "")}
        elif entry["kind"] == "schedule":
            entry["rule"] = params.get("rule") or params.get("triggerTimes") or params
        elif entry["kind"] == "webhook":
            entry["event"] = {k: v for k, v in params.items() if k not in ("options",)}
        imp.module.triggers.append(entry)
        body = [f"data[{name!r}] = input  # the trigger's event is the run's input", then]
        if kind in TRIGGERS:
            return block("mapped", f"{entry['kind']} trigger, listed in TRIGGERS", body)
        if kind == "errorTrigger":
            return block(
                "approximated",
                "runs when another workflow fails: start this workflow from your error handler"
                " with the failure as input",
                body,
            )
        return block(
            "approximated",
            f"{kind}: subscribe to the provider's events yourself and start this workflow with"
            " each event as input (listed in TRIGGERS)",
            body,
        )

    if kind in ("if", "filter"):
        test, failed = condition(params, conv)
        lines = [
            f"data[{name!r}] = item",
            f"if {test}:",
            "    " + imp.branch(imp.children(name, 0)),
        ]
        if kind == "if":
            lines += ["else:", "    " + imp.branch(imp.children(name, 1))]
        note = "condition as Python"
        if failed:
            lines.insert(
                0, f"{TODO}: conditions not translated (read as False): {'; '.join(failed)}"
            )
            return block("approximated", note + f"; {len(failed)} condition(s) left as TODO", lines)
        return block("mapped", note, lines)

    if kind == "switch":
        return _switch(imp, name, ntype, params, conv)

    if kind == "set":
        values: dict[str, Any] = {}
        for group in (params.get("values") or {}).values():
            values |= {str(v.get("name")): v.get("value") for v in group if isinstance(v, dict)}
        for a in (params.get("assignments") or {}).get("assignments") or []:
            values[str(a.get("name"))] = a.get("value")
        for f in (params.get("fields") or {}).get("values") or []:
            values[str(f.get("name"))] = next(
                (v for k, v in f.items() if k.endswith("Value")), None
            )
        keep_only = params.get("keepOnlySet") or params.get("include") == "none"
        rendered = render(conv(values), 0)
        expr = rendered if keep_only else f"(item if isinstance(item, dict) else {{}}) | {rendered}"
        lines = [f"data[{name!r}] = {expr}", then]
        dotted = [k for k in values if "." in k]
        if dotted:
            return block(
                "approximated", f"dotted names are set as flat keys: {', '.join(dotted)}", lines
            )
        return block("mapped", "fields set as a dict", lines)

    if kind == "merge":
        sources = list(dict.fromkeys(imp.parents[name]))
        merged = ", ".join(f"**(data.get({s!r}) or {{}})" for s in sources)
        lines = [f"data[{name!r}] = {{{merged}}}", then]
        mode = params.get("mode", "append")
        return block(
            "approximated",
            f"mode {mode!r}: the inputs' answers are combined key by key (n8n merges item lists)",
            lines,
        )

    if kind == "noOp":
        return block("mapped", "passes its input on", [f"data[{name!r}] = item", then])

    if kind in CODE:
        source = str(params.get(CODE[kind]) or "")
        lines = [
            f"{TODO}: port this {kind} node's JavaScript to Python; its input is passed on"
            " unchanged.",
            *comment(source, "#     "),
            f"data[{name!r}] = item",
            then,
        ]
        return block(
            "unmapped",
            "JavaScript is not translated: a commented stub holds the original code",
            lines,
        )

    if kind == "respondToWebhook":
        if params.get("responseBody") is None:
            lines = [f"data[{name!r}] = {{'response': item}}", then]
        else:
            answer = render(conv(params["responseBody"]), 0)
            lines = [f"data[{name!r}] = {{'response': {answer}}}", then]
        note = "the response is kept in the run's output; your webhook handler sends it"
        return block("approximated", note, lines)

    if kind == "httpRequest":
        request = conv(n8n_request(params))
        return http_block(name, ntype, request, [then])

    if kind in DEFAULTS:
        default_resource, ops = DEFAULTS[kind]
        resource = params.get("resource", default_resource)
        operation = params.get("operation", ops.get(resource, ""))
        found = SERVICES.get((kind, resource, operation))
        if found is not None:
            toolkit, mapper = found
            call = mapper(conv(params))
            imp.module.need(toolkit, f"node {name!r}")
            lines = imp.call(name, call.tool, call.args)
            if call.differs:
                return block("approximated", f"{call.tool}: {call.differs}", lines)
            return block("mapped", call.tool, lines)
        why = f"no built-in {kind} tool for {resource}.{operation}"
    else:
        why = f"no built-in toolkit for {kind}"
    lines = [
        f"{TODO}: {why}. The node's parameters:",
        *comment(json.dumps(params, indent=2, ensure_ascii=False), "#     "),
        f"data[{name!r}] = item",
        then,
    ]
    return block(
        "unmapped", why + "; a TODO keeps its parameters, and its input is passed on", lines
    )


def _switch(imp: N8nImporter, name: str, ntype: str, params: dict[str, Any], conv: Any) -> Block:
    rules = (params.get("rules") or {}).get("rules") or []
    lines = [f"data[{name!r}] = item"]
    if rules and "value1" in params:
        subject = conv(params["value1"])
        subject_src = subject.src if isinstance(subject, Code) else repr(subject)
        for i, rule in enumerate(rules):
            value = conv(rule.get("value2"))
            value_src = value.src if isinstance(value, Code) else repr(value)
            lines += [
                f"{'if' if i == 0 else 'elif'} text({subject_src}) == text({value_src}):",
                "    " + imp.branch(imp.children(name, int(rule.get("output", i)))),
            ]
        fallback = params.get("fallbackOutput")
        if isinstance(fallback, int) and fallback >= 0:
            lines += ["else:", "    " + imp.branch(imp.children(name, fallback))]
        return Block(name, ntype, "mapped", "rules as if/elif", lines)
    lines += [
        f"{TODO}: the switch rules were not translated; every event takes output 0. Rules:",
        *comment(json.dumps(params, indent=2, ensure_ascii=False), "#     "),
        imp.go(imp.children(name, 0)),
    ]
    return Block(
        name,
        ntype,
        "approximated",
        "rules not translated: every event takes output 0 (TODO)",
        lines,
    )
