"""What an import produced: one entry per node of the export, and the generated code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["mapped", "approximated", "unmapped"]
TODO = "# TODO(actionplane import)"


@dataclass(frozen=True)
class NodeReport:
    """How one node of the export was carried over. ``note`` says what differs (approximated)
    or why it was not carried over (unmapped); a mapped node's note names the tool or construct."""

    name: str
    type: str
    status: Status
    note: str

    def as_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class ImportResult:
    """The generated Python module and the report that accounts for every node."""

    source: str
    title: str
    code: str
    nodes: list[NodeReport] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = {"mapped": 0, "approximated": 0, "unmapped": 0}
        for node in self.nodes:
            counted[node.status] += 1
        return counted
