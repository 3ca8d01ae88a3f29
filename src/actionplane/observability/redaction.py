"""Redaction: secrets never leave the vault, whatever path a value takes to a log or a span.

Four nets, applied together: the exact secret values of the call's credentials; header names
that carry credentials; field names that look like secrets (and input-schema fields marked
``writeOnly``, ``format: password`` or ``x-secret``); and patterns configured by the deployment
(``ACTIONPLANE_REDACT_PATTERNS``, comma-separated regular expressions).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

REDACTED = "[REDACTED]"
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "token",
        "x-auth-token",
        "private-token",
    }
)
_SECRET_FIELD = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie|credential|private[_-]?key)",
    re.IGNORECASE,
)
# Token shapes worth catching even when we were not told the value (GitHub, Slack, Stripe, JWT).
_KNOWN_SHAPES = [
    r"gh[pousr]_[A-Za-z0-9]{20,}",
    r"xox[abpr]-[A-Za-z0-9-]{10,}",
    r"sk_(live|test)_[A-Za-z0-9]{10,}",
    r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
]


@lru_cache(maxsize=32)
def _shapes(extra: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled alternation per configuration: a Redactor is made for every call."""
    return re.compile("|".join(f"(?:{p})" for p in [*_KNOWN_SHAPES, *extra]))


def secret_fields(schema: Mapping[str, Any]) -> set[str]:
    """Names of input-schema properties marked secret."""
    found = set()
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, Mapping) and (
            prop.get("writeOnly") or prop.get("format") == "password" or prop.get("x-secret")
        ):
            found.add(name)
    return found


class Redactor:
    """Replaces secrets in strings and nested data. Cheap to create per call."""

    def __init__(
        self,
        secrets: Iterable[str] = (),
        fields: Iterable[str] = (),
        patterns: Iterable[str] | None = None,
    ) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        self._fields = {f.lower() for f in fields}
        configured = os.environ.get("ACTIONPLANE_REDACT_PATTERNS", "")
        extra = [p for p in configured.split(",") if p] if patterns is None else list(patterns)
        self._pattern = _shapes(tuple(extra))

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return self._pattern.sub(REDACTED, value)

    def is_secret_key(self, key: str) -> bool:
        lowered = key.lower()
        return (
            lowered in SECRET_HEADERS
            or lowered in self._fields
            or bool(_SECRET_FIELD.search(lowered))
        )

    def value(self, data: Any) -> Any:
        """A copy of ``data`` with every secret replaced."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, Mapping):
            return {
                k: REDACTED if isinstance(k, str) and self.is_secret_key(k) and v else self.value(v)
                for k, v in data.items()
            }
        if isinstance(data, list | tuple):
            return [self.value(item) for item in data]
        return data

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            k: REDACTED if k.lower() in SECRET_HEADERS else self.text(v) for k, v in headers.items()
        }

    def url(self, url: str) -> str:
        """A URL without credentials: userinfo and secret-looking query values removed."""
        url = re.sub(r"//[^/@]+@", "//", url)
        url = re.sub(
            r"([?&])([^=&]+)=([^&]*)",
            lambda m: f"{m[1]}{m[2]}={REDACTED if self.is_secret_key(m[2]) else m[3]}",
            url,
        )
        return self.text(url)
