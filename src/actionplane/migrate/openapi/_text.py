"""Descriptions written for people (Markdown, HTML, pages long) cut down for an LLM to read.

``plain`` strips markup and keeps the words: links keep their text, images, code blocks, tables
and admonition markers go, HTML tags go and entities are decoded, inline code keeps its
backticks (a model reads them as names). ``trim`` then keeps whole sentences up to a length.
"""

from __future__ import annotations

import html
import re

_FENCED = re.compile(r"```.*?(```|$)", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_CODE_TAG = re.compile(r"</?code>", re.I)
_BREAK_TAG = re.compile(r"<(br|/p|/li|/h\d|/div|/tr)\s*/?>", re.I)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ADMONITION = re.compile(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.I)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_LINE_MARKER = re.compile(r"^\s*(#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)", re.M)
_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$", re.M)
_SPACE = re.compile(r"\s+")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "incl.", "Inc.", "No.")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`\"'(\[])")


def plain(text: str) -> str:
    """``text`` without Markdown or HTML markup, on one line."""
    text = _FENCED.sub(" ", text)
    text = _TABLE_LINE.sub(" ", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _CODE_TAG.sub("`", text)
    text = _BREAK_TAG.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _ADMONITION.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _LINE_MARKER.sub("", text)
    # A paragraph or list item that ends without a full stop still ends a sentence.
    text = re.sub(r"(?<![.!?:;,])\n\s*\n", ". ", text.strip())
    return _SPACE.sub(" ", text).strip()


def sentences(text: str) -> list[str]:
    """The sentences of plain ``text``; abbreviations such as "e.g." do not end one."""
    protected = text
    for number, abbreviation in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbreviation, f"\x00{number}\x00")
    parts = _SENTENCE_END.split(protected)
    restored = []
    for part in parts:
        for number, abbreviation in enumerate(_ABBREVIATIONS):
            part = part.replace(f"\x00{number}\x00", abbreviation)
        if part.strip():
            restored.append(part.strip())
    return restored


def cut(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 1)]
    if " " in head[limit // 2 :]:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:-(") + "…"


def trim(text: str, limit: int) -> str:
    """The first sentences of ``text`` (as plain text) that fit in ``limit`` characters."""
    kept: list[str] = []
    length = 0
    for sentence in sentences(plain(text)):
        if length + len(sentence) + bool(kept) > limit:
            break
        kept.append(sentence)
        length += len(sentence) + bool(kept[:-1])
    if kept:
        return " ".join(kept)
    return cut(plain(text), limit)


def sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends a sentence)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."
