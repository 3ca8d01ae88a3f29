"""Reading documents and following ``$ref``: local pointers, and other local files.

A reference is known by a canonical key, ``<file>#<pointer>`` (the root document's file is the
empty string), so the schema converter can tell when it meets a reference it is already inside
(a cycle). Remote references (``https://...``) are never fetched: the import runs offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAX_HOPS = 32


class SpecError(ValueError):
    """The description cannot be imported; the message says why, for the person importing it."""


class UnresolvedRefError(SpecError):
    """A ``$ref`` that points nowhere this import can read."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML without timestamps: ``version: 2023-09-12`` stays the string it is in JSON."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_document(path: Path) -> dict[str, Any]:
    """The JSON or YAML document at ``path``, or ``SpecError`` saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read {path}: {exc}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:
            document = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise SpecError(f"{path} is neither JSON nor YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise SpecError(f"{path} does not hold an object (an OpenAPI description is one)")
    return document


class Resolver:
    """Follows references from the root document ``document`` (read from folder ``base``)."""

    def __init__(self, document: dict[str, Any], base: Path | None = None) -> None:
        self._documents: dict[str, Any] = {"": document}
        self._base = base

    def lookup(self, ref: str, doc: str = "") -> tuple[str, Any, str]:
        """``(key, target, target's document)`` of ``ref`` written in document ``doc``."""
        file, hash_, pointer = ref.partition("#")
        if file.startswith(("http://", "https://", "//")):
            raise UnresolvedRefError(f"remote reference {ref} (only local files are read)")
        if not file:
            target_doc = doc
        elif not hash_ and "/" not in file and "." not in file:
            # Swagger 2.0 allowed a bare definition name: "$ref": "Pet".
            target_doc, pointer = doc, f"/definitions/{file}"
        else:
            target_doc = self._load(file, doc)
        node = self._walk(self._documents[target_doc], pointer, ref)
        return f"{target_doc}#{pointer}", node, target_doc

    def resolve(self, node: Any, doc: str = "") -> Any:
        """``node`` with its chain of ``$ref`` followed (its own keywords beside ``$ref`` lost)."""
        return self.resolve_in(node, doc)[0]

    def resolve_in(self, node: Any, doc: str = "") -> tuple[Any, str]:
        """``resolve`` and the document the result lives in."""
        for _ in range(_MAX_HOPS):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node, doc
            _, node, doc = self.lookup(node["$ref"], doc)
        raise UnresolvedRefError("a chain of more than 32 references (a reference loop?)")

    def _load(self, file: str, doc: str) -> str:
        folder = Path(doc).parent if doc else self._base
        if folder is None:
            raise UnresolvedRefError(f"reference to the file {file}, but the description has none")
        path = (folder / unquote(file)).resolve()
        key = str(path)
        if key not in self._documents:
            if not path.is_file():
                raise UnresolvedRefError(f"referenced file {file} does not exist ({path})")
            self._documents[key] = read_document(path)
        return key

    @staticmethod
    def _walk(node: Any, pointer: str, ref: str) -> Any:
        if pointer in ("", "/"):
            return node
        for raw in pointer.lstrip("/").split("/"):
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise UnresolvedRefError(f"reference {ref} points nowhere (no {part!r})")
        return node
