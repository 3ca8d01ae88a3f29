"""The catalog: every loaded toolkit and tool, by slug and version, with filters and search."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from actionplane.catalog.models import Tool, Toolkit
from actionplane.catalog.overrides import apply_tool_override
from actionplane.catalog.search import SearchIndex, closest_slugs
from actionplane.errors import ConfigurationError, ToolNotFoundError

LATEST = "latest"


def _semver_key(version: str) -> tuple[int, int, int, int, str]:
    core, _, pre = version.partition("-")
    major, minor, patch = (int(part) for part in core.split("."))
    # A release sorts after its own pre-releases.
    return (major, minor, patch, 0 if pre else 1, pre)


@dataclass(frozen=True)
class ToolFilter:
    """Conditions a listed tool must meet; unset fields match everything."""

    toolkit: str | None = None
    tags: tuple[str, ...] = ()
    read_only: bool | None = None
    destructive: bool | None = None
    idempotent: bool | None = None

    def matches(self, tool: Tool) -> bool:
        behavior = tool.behavior
        return (
            (self.toolkit is None or tool.toolkit == self.toolkit)
            and all(tag in tool.tags for tag in self.tags)
            and (self.read_only is None or behavior.read_only == self.read_only)
            and (self.destructive is None or behavior.destructive == self.destructive)
            and (self.idempotent is None or behavior.idempotent == self.idempotent)
        )


class Catalog:
    """Toolkits by (slug, version). Later toolkits of the same slug and version replace earlier."""

    def __init__(
        self,
        toolkits: Iterable[Toolkit],
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._toolkits: dict[str, dict[str, Toolkit]] = {}
        for toolkit in toolkits:
            self._toolkits.setdefault(toolkit.slug, {})[toolkit.version] = toolkit
        self._tools: dict[str, dict[str, Tool]] = {}
        self._toolkit_of: dict[str, str] = {}
        for slug, versions in self._toolkits.items():
            for version, toolkit in versions.items():
                for tool in toolkit.tools:
                    owner = self._toolkit_of.setdefault(tool.slug, slug)
                    if owner != slug:
                        raise ConfigurationError(
                            f"tool {tool.slug} is defined by toolkits {owner!r} and {slug!r}"
                        )
                    self._tools.setdefault(tool.slug, {})[version] = tool
        for slug, override in (overrides or {}).items():
            if slug not in self._tools:
                raise ToolNotFoundError(slug, closest_slugs(slug, list(self._tools)))
            for version, tool in self._tools[slug].items():
                self._tools[slug][version] = apply_tool_override(tool, override)

    def toolkits(self) -> builtins.list[Toolkit]:
        """The latest version of every toolkit, by slug."""
        return [self.toolkit(slug) for slug in sorted(self._toolkits)]

    def toolkit(self, slug: str, version: str = LATEST) -> Toolkit:
        """A toolkit at an exact version, or its newest with ``latest``."""
        versions = self._toolkits.get(slug)
        if not versions:
            raise ConfigurationError(
                f"unknown toolkit {slug!r}; known: {', '.join(sorted(self._toolkits))}"
            )
        if version == LATEST:
            return versions[max(versions, key=_semver_key)]
        if version not in versions:
            raise ConfigurationError(
                f"toolkit {slug!r} has no version {version}; it has {', '.join(sorted(versions))}"
            )
        return versions[version]

    def description(self, slug: str) -> str | None:
        """The newest version's description of a tool, or None for an unknown slug."""
        return self.get(slug).description if slug in self._tools else None

    def versions(self, slug: str) -> builtins.list[str]:
        """Every version of a tool, oldest first."""
        return sorted(self._tools.get(slug, {}), key=_semver_key)

    def get(self, slug: str, version: str = LATEST) -> Tool:
        """A tool at a pinned version, or its newest when ``version`` is ``latest``."""
        versions = self._tools.get(slug)
        if not versions:
            raise ToolNotFoundError(slug, closest_slugs(slug, list(self._tools)))
        if version == LATEST:
            return versions[max(versions, key=_semver_key)]
        if version not in versions:
            raise ToolNotFoundError(slug, [f"{slug}@{v}" for v in self.versions(slug)], version)
        return versions[version]

    def list(self, where: ToolFilter = ToolFilter()) -> builtins.list[Tool]:
        """The newest version of every tool that matches, ordered by slug."""
        return [tool for tool in self._latest_tools if where.matches(tool)]

    def search(
        self, query: str, limit: int = 10, where: ToolFilter = ToolFilter()
    ) -> builtins.list[Tool]:
        """The tools that best match a keyword query, best first."""
        hits = self._index.search(query, limit=len(self._latest_tools))
        return [tool for tool, _ in hits if where.matches(tool)][:limit]

    @cached_property
    def _latest_tools(self) -> builtins.list[Tool]:
        return [self.get(slug) for slug in sorted(self._tools)]

    @cached_property
    def _index(self) -> SearchIndex:
        return SearchIndex(self._latest_tools)

    def __len__(self) -> int:
        return len(self._tools)
