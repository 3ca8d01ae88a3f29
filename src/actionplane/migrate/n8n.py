"""n8n workflow JSON -> a Python saga workflow.

Nodes run in the order of the connection graph (a topological order). App nodes with a built-in
tool become ``run.step`` calls (``n8n_services``); IF, Filter, Switch, Set, Merge and NoOp become
plain Python; Code / Function nodes become commented stubs holding the original JavaScript.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from actionplane.migrate.codegen import Block, Module, comment, tool_call
from actionplane.migrate.expr import Translation, access_path, pick_src
from actionplane.migrate.report import TODO, ImportResult

PREFIXES = ("n8n-nodes-base.", "@n8n/n8n-nodes-langchain.")
_NODE_REF = re.compile(
    r"""^(?:\$node\[\s*["'](?P<a>[^"']+)["']\s*\]|\$\(\s*["'](?P<b>[^"']+)["']\s*\)"""
    r"""(?:\.item|\.first\(\)|\.last\(\)|\.all\(\)\[0\])?)\.(?:json|data)(?P<rest>.*)$""",
    re.DOTALL,
)
_JSON_REF = re.compile(r"^(?:\$json|\$input\.(?:item|first\(\))\.json)(?P<rest>.*)$", re.DOTALL)


def short(node_type: str) -> str:
    for prefix in PREFIXES:
        if node_type.startswith(prefix):
            return node_type[len(prefix) :]
    return node_type


def ref(expr: str) -> str | None:
    """An n8n expression that reads an earlier answer, as ``pick(...)``; None otherwise."""
    if (match := _JSON_REF.match(expr)) is not None:
        path = access_path(match["rest"])
        return None if path is None else pick_src("item", path)
    if (match := _NODE_REF.match(expr)) is not None:
        path = access_path(match["rest"])
        return None if path is None else pick_src(f"data.get({(match['a'] or match['b'])!r})", path)
    return None


def n8n_template(value: str) -> str | None:
    return value[1:] if value.startswith("=") else None


class N8nImporter:
    def __init__(self, document: dict[str, Any], source_name: str) -> None:
        self.doc = document
        self.nodes: list[dict[str, Any]] = list(document.get("nodes") or [])
        names = {n["name"] for n in self.nodes}
        self.out: dict[str, list[list[str]]] = {}
        self.parents: dict[str, list[str]] = defaultdict(list)
        for src, kinds in (document.get("connections") or {}).items():
            if src not in names:
                continue
            branches = [
                [c["node"] for c in b or [] if c.get("node") in names]
                for b in kinds.get("main") or []
            ]
            self.out[src] = branches
            for branch in branches:
                for target in branch:
                    self.parents[target].append(src)
        title = str(document.get("name") or source_name)
        self.module = Module("n8n", title, str(document.get("description") or ""))

    def order(self) -> list[dict[str, Any]]:
        """Topological order of the connection graph; ties and cycles keep the export order."""
        pending = {n["name"]: len(set(self.parents[n["name"]])) for n in self.nodes}
        done: list[dict[str, Any]] = []
        seen: set[str] = set()
        while len(done) < len(self.nodes):
            ready = [n for n in self.nodes if n["name"] not in seen and pending[n["name"]] == 0]
            node = ready[0] if ready else next(n for n in self.nodes if n["name"] not in seen)
            seen.add(node["name"])
            done.append(node)
            for child in {c for b in self.out.get(node["name"], []) for c in b}:
                pending[child] -= 1
        return done

    def run(self) -> ImportResult:
        for node in self.order():
            kind = short(node.get("type", ""))
            if kind == "stickyNote":
                text = str(node.get("parameters", {}).get("content", ""))
                self.module.blocks.append(
                    Block(
                        node["name"],
                        node["type"],
                        "mapped",
                        "a sticky note, kept as this comment",
                        comment(text),
                        guarded=False,
                    )
                )
                continue
            if not self.parents[node["name"]]:
                self.module.start.append(node["name"])
            self.module.blocks.append(self.block(node, kind))
        return self.module.result()

    def children(self, name: str, branch: int | None = None) -> list[str]:
        branches = self.out.get(name, [])
        if branch is None:
            return sorted(
                {c for b in branches for c in b}, key=[n["name"] for n in self.nodes].index
            )
        return branches[branch] if branch < len(branches) else []

    def go(self, targets: list[str]) -> str:
        return f"go.update({targets!r})" if targets else "# the flow ends here"

    def branch(self, targets: list[str]) -> str:
        return f"go.update({targets!r})" if targets else "pass  # this branch ends the flow"

    def block(self, node: dict[str, Any], kind: str) -> Block:
        from actionplane.migrate.n8n_nodes import build

        name = node["name"]
        tr = Translation(ref)
        parent = self.parents[name][0] if self.parents[name] else None
        block = build(self, node, kind, tr, parent)
        lines = block.body
        if any(re.search(r"\bitem\b", line) for line in lines):
            lines.insert(0, f"item = data.get({parent!r}, input)" if parent else "item = input")
        if tr.untranslated:
            todo = [f"{TODO}: n8n expressions kept as text: " + "; ".join(tr.untranslated)]
            block.body = comment(todo[0].removeprefix("# ")) + lines
            if block.status == "mapped":
                block.status = "approximated"
            block.note += f"; {len(tr.untranslated)} expression(s) kept as text (TODO)"
        for cred, _ in (node.get("credentials") or {}).items():
            if block.status == "unmapped":
                self.module.foreign_credentials.append(f"{cred} (node {name!r})")
        return block

    def call(self, name: str, tool: str, args: dict[str, Any]) -> list[str]:
        return [
            *tool_call(self.module, name, tool, args, f"data[{name!r}]"),
            self.go(self.children(name)),
        ]


def import_n8n(document: Any, source_name: str = "workflow") -> ImportResult:
    """Import an n8n workflow export (the JSON n8n downloads or copies)."""
    if isinstance(document, list):  # some exports wrap one workflow in a list
        document = document[0] if document else {}
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), list):
        raise ValueError("not an n8n workflow: expected an object with a 'nodes' list")
    return N8nImporter(document, source_name).run()


__all__ = ["import_n8n"]
