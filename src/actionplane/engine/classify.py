"""Turning an HTTP response (or a transport exception) into one ``Outcome``.

Toolkit error rules run first (Slack's ``ok: false`` on a 200, GitHub's rate-limit 403); then
the status code decides. Foreign exceptions are translated here, once, at the boundary.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx

from actionplane.catalog.models import ErrorRule, Toolkit
from actionplane.engine.outcome import Outcome, OutcomeKind

_BY_STATUS = {
    401: OutcomeKind.AUTH_EXPIRED,
    408: OutcomeKind.TRANSIENT,
    425: OutcomeKind.TRANSIENT,
    429: OutcomeKind.RATE_LIMITED,
    503: OutcomeKind.TRANSIENT,
}


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def retry_after_from_headers(headers: httpx.Headers, style: str) -> float | None:
    """When the provider allows the next call, from ``Retry-After`` or its reset headers."""
    explicit = parse_retry_after(headers.get("retry-after"))
    if explicit is not None:
        return explicit
    if style == "github" and headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset")
        if reset and reset.isdigit():
            return max(0.0, float(reset) - time.time())
    if style == "ietf":
        reset = headers.get("ratelimit-reset")
        if reset:
            return parse_retry_after(reset)
    return None


def _read_json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _rule_matches(rule: ErrorRule, status: int, data: Any) -> bool:
    if rule.status and status not in rule.status:
        return False
    if rule.field is None:
        return True
    value = _dig(data, rule.field)
    if not rule.values:
        return value is not None
    if isinstance(value, str):
        return any(isinstance(v, str) and value.startswith(v) for v in rule.values)
    return value in rule.values


def _message(data: Any, field: str | None, fallback: str) -> str:
    if field:
        found = _dig(data, field)
        if found is not None:
            return str(found)
    if isinstance(data, dict):
        for key in ("message", "error_description", "error", "errorMessages", "detail"):
            if data.get(key):
                value = data[key]
                return value if isinstance(value, str) else json.dumps(value)[:500]
    return fallback


def classify_response(toolkit: Toolkit, response: httpx.Response) -> Outcome:
    """The outcome of an attempt that got an HTTP response."""
    status = response.status_code
    data = _read_json(response)
    retry_after = retry_after_from_headers(response.headers, toolkit.rate_limit_style)
    for rule in toolkit.errors:
        if _rule_matches(rule, status, data):
            message = _message(data, rule.message_field, f"HTTP {status}")
            code = _dig(data, rule.field) if rule.field else None
            return Outcome(
                kind=OutcomeKind(rule.category),
                status_code=status,
                data=data,
                message=message,
                retry_after_s=retry_after,
                provider_code=str(code) if code is not None else None,
            )
    if 200 <= status < 300:
        # retry_after_s on a success means "that was the last of the quota" (GitHub's
        # x-ratelimit-remaining: 0): the limiter holds further calls until the reset.
        return Outcome(
            OutcomeKind.SUCCEEDED, status_code=status, data=data, retry_after_s=retry_after
        )
    kind = _BY_STATUS.get(status)
    if kind is None:
        kind = OutcomeKind.UNKNOWN if status >= 500 else OutcomeKind.PERMANENT
    reason = response.reason_phrase or "error"
    return Outcome(
        kind=kind,
        status_code=status,
        data=data,
        message=_message(data, None, f"HTTP {status} {reason}"),
        retry_after_s=retry_after,
    )


def classify_exception(error: httpx.HTTPError) -> Outcome:
    """The outcome of an attempt that got no response."""
    name = type(error).__name__
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Outcome(OutcomeKind.TRANSIENT, message=f"could not reach the provider ({name})")
    if isinstance(error, httpx.TimeoutException):
        return Outcome(OutcomeKind.UNKNOWN, message=f"the provider did not answer in time ({name})")
    return Outcome(OutcomeKind.UNKNOWN, message=f"the connection failed mid-request ({name})")
