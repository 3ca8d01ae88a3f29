"""Fault rules: what goes wrong, for which requests, how often, reproducibly.

A rule matches by ``toolkit`` (+ ``tool``) and/or ``method`` + ``path`` (a glob such as
``/repos/*/issues``, tried against the path under the toolkit, the provider's full path and the
absolute path). It fires on every match, on the next ``count`` matches, and/or with
``probability``. Rules are tried in the order they were added; the first that fires wins.

Each rule draws from its own random stream, seeded by the sandbox seed and the rule's ordinal,
so the same seed, the same rules and the same calls give the same faults, whatever other rules
or concurrent callers do.
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

FaultKind = Literal["status", "latency", "hang", "reset", "applied_then_fail"]


@cache
def _builtin_slugs() -> tuple[str, ...]:
    from actionplane.catalog.loader import load_builtin_toolkits

    # Longest first, so GOOGLE_DRIVE_* is google_drive and not a toolkit named google.
    return tuple(sorted((t.slug for t in load_builtin_toolkits()), key=len, reverse=True))


def _toolkit_of(tool: str) -> str:
    for slug in _builtin_slugs():
        if tool.startswith(slug.upper() + "_"):
            return slug
    return tool.split("_", 1)[0].lower()


class FaultRule(BaseModel):
    """One rule, as posted to ``/_sandbox/faults``."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    toolkit: str | None = None
    tool: str | None = None
    method: str | None = None
    path: str | None = None
    kind: FaultKind = "status"
    count: int | None = Field(default=None, ge=1)
    probability: float | None = Field(default=None, ge=0.0, le=1.0)
    status: int | None = Field(default=None, ge=100, le=599)
    retry_after: float | None = Field(default=None, ge=0)
    latency_ms: float | None = Field(default=None, ge=0)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    then: Literal["status", "hang", "reset"] = "status"
    fired: int = 0
    _random: random.Random = PrivateAttr(default_factory=random.Random)

    @model_validator(mode="after")
    def _sensible(self) -> FaultRule:
        if self.tool and not self.toolkit:
            self.toolkit = _toolkit_of(self.tool)
        if self.kind == "latency" and self.latency_ms is None:
            raise ValueError("a latency fault needs latency_ms")
        if self.method:
            self.method = self.method.upper()
        return self

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def matches(
        self, toolkit: str | None, tools: Iterable[str], method: str, paths: Iterable[str]
    ) -> bool:
        if self.exhausted:
            return False
        if self.toolkit is not None and self.toolkit != toolkit:
            return False
        if self.tool is not None and self.tool not in tools:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path is None or any(fnmatch.fnmatchcase(p, self.path) for p in paths)

    def roll(self) -> bool:
        """Whether the rule fires for one matching request (counts it when it does)."""
        if self.probability is not None and self._random.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def public(self) -> dict[str, Any]:
        data = self.model_dump()
        data["remaining"] = None if self.count is None else max(0, self.count - self.fired)
        return data


class Faults:
    """The active rules of one sandbox."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rules: list[FaultRule] = []
        self._added = 0

    def add(self, rule: FaultRule) -> FaultRule:
        self._added += 1
        rule.id = rule.id or f"fault_{self._added}"
        rule._random.seed(f"{self.seed}:{self._added}")
        self._rules.append(rule)
        return rule

    def pick(
        self, toolkit: str | None, tools: Iterable[str], method: str, paths: Iterable[str]
    ) -> FaultRule | None:
        """The rule that fires for this request, if any."""
        tools, paths = list(tools), list(paths)
        for rule in self._rules:
            if rule.matches(toolkit, tools, method, paths) and rule.roll():
                return rule
        return None

    def list(self) -> list[dict[str, Any]]:
        return [r.public() for r in self._rules]

    def remove(self, rule_id: str) -> bool:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        """Drop every rule and restart the ordinals, so a cleared sandbox replays the same."""
        self._rules.clear()
        self._added = 0
