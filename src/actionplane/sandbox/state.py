"""The sandbox's data: records per (toolkit, table, scope, key), in insertion order.

A scope is the parent a record lives under (GitHub ``(owner, repo)`` for issues); a key is unique
within it. Identifiers are derived from the seed and a counter, never from the clock or a random
source, so the same seed and the same calls give the same ids.
"""

from __future__ import annotations

import copy
import hashlib
import string
from typing import Any

Record = dict[str, Any]
Scope = tuple[str, ...]

_ALPHABET = string.digits + string.ascii_letters


class Store:
    """In-memory records. Every method is synchronous: one request's changes are atomic."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._tables: dict[tuple[str, str], dict[Scope, dict[str, Record]]] = {}
        self._counters: dict[str, int] = {}

    def put(self, toolkit: str, table: str, scope: Scope, key: str, record: Record) -> Record:
        """Insert or replace a record; returns it."""
        self._tables.setdefault((toolkit, table), {}).setdefault(scope, {})[key] = record
        return record

    def get(self, toolkit: str, table: str, scope: Scope, key: str) -> Record | None:
        return self._tables.get((toolkit, table), {}).get(scope, {}).get(key)

    def all(self, toolkit: str, table: str, scope: Scope | None = ()) -> list[Record]:
        """Records of one scope, oldest first; every scope's with ``scope=None``."""
        scopes = self._tables.get((toolkit, table), {})
        if scope is None:
            return [r for records in scopes.values() for r in records.values()]
        return list(scopes.get(scope, {}).values())

    def remove(self, toolkit: str, table: str, scope: Scope, key: str) -> Record | None:
        return self._tables.get((toolkit, table), {}).get(scope, {}).pop(key, None)

    def count(self, name: str) -> int:
        """The next value of a named counter, from 1."""
        value = self._counters.get(name, 0) + 1
        self._counters[name] = value
        return value

    def bump(self, name: str, at_least: int) -> None:
        """Make the counter's next value greater than ``at_least`` (after seeding a number)."""
        self._counters[name] = max(self._counters.get(name, 0), at_least)

    def ident(self, name: str, length: int = 14, alphabet: str = _ALPHABET) -> str:
        """A provider-looking id, the same for the same seed and counter value."""
        number = self.count("ident:" + name)
        digest = hashlib.blake2b(f"{self.seed}:{name}:{number}".encode(), digest_size=32).digest()
        value = int.from_bytes(digest, "big")
        out = []
        for _ in range(length):
            value, index = divmod(value, len(alphabet))
            out.append(alphabet[index])
        return "".join(out)

    def uuid(self, name: str) -> str:
        """A deterministic UUID-shaped id (Notion, Linear)."""
        raw = self.ident(name, 32, "0123456789abcdef")
        return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:32]}"

    def snapshot(self) -> Store:
        """A deep copy, used to run an example's handler while seeding without keeping its
        changes."""
        copied = Store(self.seed)
        copied._tables = copy.deepcopy(self._tables)
        copied._counters = dict(self._counters)
        return copied

    def clear(self) -> None:
        self._tables.clear()
        self._counters.clear()
