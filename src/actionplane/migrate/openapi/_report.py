"""What an OpenAPI import produced: the toolkit document, and an account of every operation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import yaml


@dataclass(frozen=True)
class ImportOptions:
    """What to import. ``tags`` keeps operations with any of these tags (case-insensitive);
    ``path_prefix`` keeps paths that start with it; ``base_url`` replaces the server URL."""

    toolkit: str
    tags: tuple[str, ...] = ()
    path_prefix: str | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class ImportedTool:
    """One tool made from one operation; ``notes`` say what was renamed or left out."""

    slug: str
    method: str
    path: str
    operation_id: str | None
    arguments: int
    scopes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SkippedOperation:
    """An operation in the selection that did not become a tool, and why."""

    method: str
    path: str
    operation_id: str | None
    reason: str


@dataclass
class OpenApiImport:
    """The toolkit document (ready for ``to_yaml``) and the report of the import."""

    toolkit: dict[str, Any]
    source_version: str
    operations: int
    tools: list[ImportedTool]
    skipped: list[SkippedOperation]
    filtered_out: int
    warnings: list[str]
    seconds: float = 0.0

    def to_yaml(self) -> str:
        """The toolkit as YAML the catalog loads as it is."""
        kind = "a Swagger" if self.source_version.startswith("2") else "an OpenAPI"
        header = (
            f"# Imported by `actionplane import openapi` from {kind} {self.source_version} "
            f"description: {len(self.tools)} tools.\n"
        )
        body: str = yaml.dump(
            self.toolkit,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
            default_flow_style=False,
        )
        return header + body

    def as_json(self) -> dict[str, Any]:
        """The report for machines (``--json``)."""
        return {
            "toolkit": self.toolkit["slug"],
            "source_version": self.source_version,
            "operations": self.operations,
            "imported": len(self.tools),
            "skipped": len(self.skipped),
            "filtered_out": self.filtered_out,
            "seconds": round(self.seconds, 3),
            "warnings": list(self.warnings),
            "tools": [asdict(t) for t in self.tools],
            "skipped_operations": [asdict(s) for s in self.skipped],
        }


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML without anchors (shared schemas are written out), small leaves on one line."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _small(value: Any) -> bool:
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return False
    scalar = all(isinstance(i, str | int | float | bool) or i is None for i in items)
    return scalar and len(items) <= 8 and sum(len(str(i)) for i in items) <= 60


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=_small(data))


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_small(data))


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
