"""Zapier "Export Zaps" JSON -> Python saga workflows (one per Zap, in one module).

Steps run parent before child; a step's fields ``{{5__COL$A}}`` read step 5's answer. Filters and
paths become ``if`` statements; Slack messages map to ``SLACK_POST_MESSAGE``."""

from __future__ import annotations

import json
import re
from typing import Any

from actionplane.migrate.codegen import Block, Module, comment, tool_call
from actionplane.migrate.expr import Translation, pick_src
from actionplane.migrate.n8n_services import slack_channel
from actionplane.migrate.report import TODO, ImportResult, Status

_REF = re.compile(r"^(\d+)__(.+)$")
_MATCH = {
    "icontains": "{b}.lower() in {a}.lower()",
    "contains": "{b} in {a}",
    "exact": "{a} == {b}",
    "iexact": "{a}.lower() == {b}.lower()",
    "igreater": "float({a} or 0) > float({b} or 0)",
    "iless": "float({a} or 0) < float({b} or 0)",
    "is_true": "{a}.lower() == 'true'",
    "exists": "{a} != ''",
    "not_exists": "{a} == ''",
    "startswith": "{a}.startswith({b})",
    "endswith": "{a}.endswith({b})",
}
# A "stop" criterion as a direct test rather than ``not (...)``.
_NEGATED = {
    "icontains": "{b}.lower() not in {a}.lower()",
    "contains": "{b} not in {a}",
    "exact": "{a} != {b}",
    "iexact": "{a}.lower() != {b}.lower()",
    "exists": "{a} == ''",
    "not_exists": "{a} != ''",
}


def ref(expr: str) -> str | None:
    match = _REF.match(expr.strip())
    if match is None:
        return None
    path: list[str | int] = list(str(match[2]).split("__"))
    return pick_src(f"data.get({match[1]!r})", path)


def _criteria(node: dict[str, Any]) -> tuple[str, list[str]]:
    groups: dict[Any, list[str]] = {}
    failed: list[str] = []
    for c in node["params"].get("filter_criteria") or []:
        field = ref(str(c.get("key")))
        pattern = _MATCH.get(str(c.get("match")))
        if field is None or pattern is None:
            failed.append(f"{c.get('key')} {c.get('match')} {c.get('value')!r}")
            continue
        match, value = str(c.get("match")), str(c.get("value", ""))
        b = repr(value)
        if match in ("igreater", "iless"):
            try:
                b = repr(float(value or 0))
            except ValueError:
                pass
            else:
                pattern = pattern.replace("float({b} or 0)", "{b}")
        stop = c.get("action") == "stop"
        if stop and match in _NEGATED:
            pattern, stop = _NEGATED[match], False
        test = pattern.format(a=f"text({field})", b=b)
        groups.setdefault(c.get("group"), []).append(f"not ({test})" if stop else test)
    ors = [_join(" and ", tests) for tests in groups.values()]
    return (_join(" or ", ors) if ors else "False"), failed


def _join(joiner: str, tests: list[str]) -> str:
    """``tests`` joined, each in parentheses only when there is more than one."""
    return tests[0] if len(tests) == 1 else joiner.join(f"({t})" for t in tests)


def _zap(mod: Module, zap: dict[str, Any]) -> None:
    nodes = {str(k): v for k, v in zap["nodes"].items()}
    kids: dict[str | None, list[str]] = {}
    for key, node in nodes.items():
        parent = node.get("parent_id")
        kids.setdefault(None if parent is None else str(parent), []).append(key)
    order: list[str] = []
    stack = list(reversed(kids.get(None, [])))
    while stack:
        key = stack.pop()
        order.append(key)
        stack += reversed(kids.get(key, []))
    for key in order:
        node = nodes[key]
        after = kids.get(key, [])
        then = f"go.update({after!r})" if after else "# the flow ends here"
        api, action, kind = (
            node.get("selected_api", ""),
            node.get("action", ""),
            node.get("type_of"),
        )
        ntype = f"{api}.{action}"
        title = f"{key}"
        status: Status
        note: str
        tr = Translation(ref)
        params = tr.convert(node.get("params") or {}, lambda s: s if "{{" in s else None)
        if node.get("parent_id") is None:
            mod.start.append(key)
            trigger = "schedule" if api == "ScheduleAPI" else "webhook"
            mod.triggers.append(
                {
                    "node": key,
                    "zap": zap.get("title"),
                    "kind": trigger,
                    "source": ntype,
                    "params": node.get("params"),
                }
            )
            body = [f"data[{key!r}] = input  # the trigger's event is the run's input", then]
            status, note = (
                ("mapped", "schedule trigger, listed in TRIGGERS")
                if trigger == "schedule"
                else (
                    "approximated",
                    f"{api} {action}: subscribe to the provider's events and start this"
                    " workflow with each one",
                )
            )
            mod.blocks.append(Block(title, ntype, status, note, body))
            continue
        if kind == "filter":
            test, failed = _criteria(node)
            body = [
                f"data[{key!r}] = {{'passed': {test}}}",
                f"if data[{key!r}]['passed']:",
                f"    {then if after else 'pass'}",
            ]
            status = "approximated" if failed else "mapped"
            note = "filter as Python" + (
                f"; untranslated criteria read as False: {failed}" if failed else ""
            )
            if failed:
                body.insert(0, f"{TODO}: criteria not translated: {'; '.join(failed)}")
        elif api == "BranchingAPI":
            body, status, note = (
                [f"data[{key!r}] = {{}}", then],
                "mapped",
                "paths: each path's filter decides",
            )
        elif api == "SlackAPI" and action in ("channel_message", "direct_message"):
            channel = params.get("channel")
            if action == "channel_message":
                channel = slack_channel(channel)
            args = {"channel": channel, "text": params.get("text", "")}
            mod.need("slack", f"zap step {key}")
            body = [
                *tool_call(
                    mod, f"{zap.get('title')} {key}", "SLACK_POST_MESSAGE", args, f"data[{key!r}]"
                ),
                then,
            ]
            dropped = sorted(set(params) - {"channel", "text"})
            status, note = (
                (
                    "approximated",
                    f"SLACK_POST_MESSAGE; options not carried over: {', '.join(dropped)}",
                )
                if dropped
                else ("mapped", "SLACK_POST_MESSAGE")
            )
        else:
            why = f"no built-in toolkit for Zapier app {api}"
            body = [
                f"{TODO}: {why} ({action}). Fields:",
                *comment(json.dumps(node.get("params"), indent=2, ensure_ascii=False), "#     "),
                f"data[{key!r}] = {{}}",
                then,
            ]
            status, note = "unmapped", why + "; a TODO keeps its fields"
        if tr.untranslated:
            body.insert(0, f"{TODO}: fields kept as text: {'; '.join(tr.untranslated)}")
        if node.get("paused"):
            note += " (the step was paused in Zapier)"
        mod.blocks.append(Block(title, ntype, status, note, body))


def import_zapier(document: Any, source_name: str = "zaps") -> ImportResult:
    """Import a Zapier export ({"zaps": [...]}); several Zaps become one workflow, one after
    another, each started by its own trigger entry."""
    if not isinstance(document, dict) or not isinstance(document.get("zaps"), list):
        raise ValueError("not a Zapier export: expected an object with a 'zaps' list")
    zaps = document["zaps"]
    title = str(zaps[0].get("title")) if len(zaps) == 1 else source_name
    mod = Module("zapier", title)
    for zap in zaps:
        _zap(mod, zap)
    return mod.result()


__all__ = ["import_zapier"]
