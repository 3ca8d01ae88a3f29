"""Ranked keyword search over tool slugs, names, descriptions and tags (BM25).

The index is built once per catalog; a query touches only the postings of its own terms, so it
stays fast on catalogs of tens of thousands of tools.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from actionplane.catalog.models import Tool

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "or",
        "by",
        "with",
        "is",
        "it",
        "this",
        "that",
        "be",
        "from",
        "as",
        "at",
    ]
)
# A word in the slug or name says more about a tool than the same word in its description.
_FIELD_WEIGHTS = (("slug", 3.0), ("name", 2.0), ("tags", 1.5), ("description", 1.0))
_K1 = 1.2
_B = 0.75


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, stop words removed, with a naive plural fold."""
    words = _TOKEN.findall(text.lower().replace("_", " "))
    return [_fold(w) for w in words if w not in _STOP]


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class SearchIndex:
    """BM25 over weighted fields of each tool."""

    def __init__(self, tools: Iterable[Tool]) -> None:
        self._tools: list[Tool] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        lengths: list[float] = []
        for doc_id, tool in enumerate(tools):
            self._tools.append(tool)
            weighted: defaultdict[str, float] = defaultdict(float)
            fields = {
                "slug": tool.slug,
                "name": tool.name,
                "tags": " ".join(tool.tags),
                "description": tool.description,
            }
            for field, weight in _FIELD_WEIGHTS:
                for token in tokens(fields[field]):
                    weighted[token] += weight
            lengths.append(sum(weighted.values()))
            for token, frequency in weighted.items():
                self._postings[token].append((doc_id, frequency))
        self._lengths = lengths
        self._average = (sum(lengths) / len(lengths)) if lengths else 1.0

    def search(self, query: str, limit: int = 10) -> list[tuple[Tool, float]]:
        """The best ``limit`` tools for ``query``, best first, with their scores."""
        count = len(self._tools)
        scores: dict[int, float] = defaultdict(float)
        for term in set(tokens(query)):
            postings = self._postings.get(term, [])
            if not postings:
                continue
            idf = math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc_id, frequency in postings:
                norm = _K1 * (1 - _B + _B * self._lengths[doc_id] / self._average)
                scores[doc_id] += idf * frequency * (_K1 + 1) / (frequency + norm)
        best = sorted(scores.items(), key=lambda item: (-item[1], self._tools[item[0]].slug))
        return [(self._tools[doc_id], score) for doc_id, score in best[:limit]]


def closest_slugs(slug: str, candidates: Sequence[str], limit: int = 3) -> list[str]:
    """Slugs that look most like ``slug``: shared words first, then spelling."""
    import difflib

    wanted = set(tokens(slug))
    scored = []
    for candidate in candidates:
        overlap = len(wanted & set(tokens(candidate)))
        ratio = difflib.SequenceMatcher(None, slug.upper(), candidate).ratio()
        scored.append((overlap + ratio, candidate))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [candidate for score, candidate in scored[:limit] if score >= 0.6]
