"""Tool slugs and argument names.

A tool slug is ``<TOOLKIT>_<OPERATION>`` in upper snake case, from the ``operationId``
(``issues/create`` -> ``ISSUES_CREATE``, ``chat_postMessage`` -> ``CHAT_POST_MESSAGE``) or, without
one, from the method and path (``GET /pets/{id}`` -> ``GET_PETS_BY_ID``). Slugs are at most 64
characters (every LLM API's limit on a function name) and unique within the toolkit.
"""

from __future__ import annotations

import re

MAX_SLUG = 64
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_VERBS = {"get": "GET", "post": "CREATE", "put": "SET", "patch": "UPDATE", "delete": "DELETE"}
ARGUMENT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def words(text: str) -> list[str]:
    """The words of an identifier in any case convention, upper-cased."""
    return [w.upper() for w in _WORD.findall(text)]


def operation_words(method: str, path: str, operation_id: str | None) -> list[str]:
    """The words naming an operation: its id's, else a verb and the path's fixed segments."""
    if operation_id and words(operation_id):
        return words(operation_id)
    segments = [s for s in path.split("/") if s]
    fixed = [w for s in segments if not s.startswith("{") for w in words(s)]
    verb = _VERBS.get(method, method.upper())
    if method == "get" and segments and not segments[-1].startswith("{"):
        verb = "LIST"
    found = [verb, *fixed]
    if segments and segments[-1].startswith("{"):
        found += ["BY", *words(segments[-1])]
    return found


class SlugAllocator:
    """Hands out unique slugs with one prefix, each at most 64 characters."""

    def __init__(self, toolkit: str) -> None:
        self.prefix = toolkit.upper() + "_"
        self.taken: set[str] = set()

    def allocate(self, name_words: list[str]) -> str:
        """A unique slug for ``name_words``: cut at a word boundary, numbered on a clash."""
        base = self._fit(name_words or ["OPERATION"], MAX_SLUG)
        slug, number = base, 1
        while slug in self.taken:
            number += 1
            suffix = f"_{number}"
            slug = self._fit(name_words or ["OPERATION"], MAX_SLUG - len(suffix)) + suffix
        self.taken.add(slug)
        return slug

    def _fit(self, name_words: list[str], limit: int) -> str:
        slug = self.prefix + "_".join(name_words)
        if len(slug) <= limit:
            return slug
        kept = self.prefix.rstrip("_")
        for word in name_words:
            if len(kept) + 1 + len(word) > limit:
                break
            kept += "_" + word
        return kept if kept != self.prefix.rstrip("_") else slug[:limit]


def snake(name: str) -> str:
    """``name`` as a lower snake case argument name (``X-Request-Id`` -> ``x_request_id``)."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return cleaned[:64] or "value"


def valid_argument(name: str) -> bool:
    """Whether ``name`` is a property name every LLM API accepts (Anthropic is the strictest)."""
    return bool(ARGUMENT_NAME.match(name))


def human_name(name_words: list[str]) -> str:
    """``["CHAT", "POST", "MESSAGE"]`` -> ``"Chat post message"``."""
    text = " ".join(w.lower() for w in name_words)
    return text[:1].upper() + text[1:] if text else "Operation"
