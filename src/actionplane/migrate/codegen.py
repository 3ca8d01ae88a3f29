"""Assembling the generated module: one guarded block per node, in the order the source ran
them, inside a saga ``@workflow`` so every tool call is a durable, idempotent step."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from actionplane.migrate.expr import render
from actionplane.migrate.report import TODO, ImportResult, NodeReport, Status

# Characters that ruff reports as ambiguous (RUF001 in strings, RUF003 in comments): the
# typographic quotes, dashes and primes that exports carry in node names.
_AMBIGUOUS = set("\u2018\u2019\u201a\u201b\u2010\u2011\u2012\u2013\u2032\u00b4\u00d7")


def identifier(name: str, fallback: str = "node") -> str:
    """A snake_case Python identifier for a node or workflow name."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower() or fallback
    if slug[0].isdigit() or keyword.iskeyword(slug):
        slug = f"{fallback}_{slug}"
    return slug


def ascii_text(text: str) -> str:
    """Non-ASCII characters as escapes: look-alike quotes never reach generated code."""
    return text.encode("ascii", "backslashreplace").decode("ascii")


def comment(text: str, prefix: str = "# ") -> list[str]:
    return [(prefix + ascii_text(line)).rstrip() for line in text.splitlines() or [""]]


@dataclass
class Block:
    """The code for one node. ``body`` runs when the node is reached (``name in go``)."""

    name: str
    type: str
    status: Status
    note: str
    body: list[str] = field(default_factory=list)
    guarded: bool = True


@dataclass
class Module:
    source: str
    title: str
    description: str = ""
    triggers: list[dict[str, Any]] = field(default_factory=list)
    connections: dict[str, str] = field(default_factory=dict)
    foreign_credentials: list[str] = field(default_factory=list)
    start: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    step_names: set[str] = field(default_factory=set)

    def step_name(self, node: str) -> str:
        """A unique saga step name for a node (the step's idempotency key derives from it)."""
        base = identifier(node, "step")
        name, n = base, 2
        while name in self.step_names:
            name, n = f"{base}_{n}", n + 1
        self.step_names.add(name)
        return name

    def need(self, toolkit: str, why: str) -> None:
        seen = self.connections.get(toolkit)
        self.connections[toolkit] = why if not seen else f"{seen}; {why}"

    def result(self) -> ImportResult:
        reports = [NodeReport(b.name, b.type, b.status, b.note) for b in self.blocks]
        return ImportResult(
            self.source, self.title, self._code(), reports, sorted(self.connections)
        )

    def _code(self) -> str:
        fn = identifier(self.title, "workflow")
        body: list[str] = []
        for block in self.blocks:
            body.append("")
            body.append(f"    # {block.name} ({block.type}): {block.status}")
            body.extend(comment(block.note, "    #   "))
            if block.guarded:
                body.append(f"    if {block.name!r} in go:")
                body.extend(_indent(block.body, "        "))
            else:
                body.extend(_indent(block.body, "    "))
        text = "\n".join(body)
        helpers = [h for h in ("pick", "slack_channel", "text") if f"{h}(" in text]
        todos = text.count(TODO)
        head = [
            '"""'
            + f"Imported from the {self.source} workflow {self.title!r} by `actionplane import"
            f" {self.source}`.",
            "",
            *(
                line.replace('"""', "'''")
                for line in ascii_text(self.description).replace(chr(92), "/").splitlines()
            ),
            "Each node's answer is kept in ``data`` under the node's name; ``go`` holds the",
            "nodes the run reached. Where the source passes lists of items, this code reads the",
            "first item (``pick``).",
            f"Open TODOs: {todos} (search for `TODO(actionplane import)`).",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import Any",
            "",
        ]
        if helpers:
            head.append(f"from actionplane.migrate.runtime import {', '.join(helpers)}")
        head += ["from actionplane.saga import RunContext, workflow", ""]
        head.append("# The toolkits the end user running this workflow must have connected.")
        head.append(f"REQUIRED_CONNECTIONS: dict[str, str] = {render(self.connections, 0)}")
        if self.foreign_credentials:
            head.append("# Credentials with no built-in toolkit (their nodes are TODOs):")
            head.extend(comment("\n".join(self.foreign_credentials), "#   "))
        head += [
            "",
            "# How the source started this workflow. Start runs from a webhook handler or a",
            "# scheduler with `plane.workflows.start(<this workflow>, event, user_id=...)`.",
            f"TRIGGERS: list[dict[str, Any]] = {render(self.triggers, 0)}",
            "",
            "",
            f"@workflow({'imported_' + fn!r})",
            f"async def {fn}(run: RunContext, input: dict[str, Any]) -> dict[str, Any]:",
            f'    """{self.title.replace(chr(34), chr(39))}: the imported steps, in order."""',
            "    data: dict[str, Any] = {}",
            f"    go: set[str] = {{{', '.join(repr(s) for s in self.start)}}}"
            if self.start
            else "    go: set[str] = set()",
        ]
        tail = ["    return data", ""]
        code = "\n".join(head) + text + "\n\n" + "\n".join(tail)
        # Long literals and node names with typographic quotes come verbatim from the export.
        codes = ["E501"] if any(len(line) > 100 for line in code.splitlines()) else []
        lines = [line.strip() for line in code.splitlines() if set(line) & _AMBIGUOUS]
        if any(not line.startswith("#") for line in lines):
            codes.append("RUF001")
        if any(line.startswith("#") for line in lines):
            codes.append("RUF003")
        if codes:
            code = f"# ruff: noqa: {', '.join(codes)}\n" + code
        return code


def tool_call(module: Module, node: str, tool: str, args: dict[str, Any], out: str) -> list[str]:
    """``data[node] = await run.step(step, TOOL, {...})`` as lines."""
    return [
        f"{out} = await run.step(",
        f"    {module.step_name(node)!r},",
        f"    {tool!r},",
        f"    {render(args, 1)},",
        ")",
    ]


def _indent(lines: list[str], pad: str) -> list[str]:
    return [pad + line if line else "" for entry in lines for line in entry.split("\n")]
