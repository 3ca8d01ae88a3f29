"""Webhook triggers: verify a delivery's signature in its provider's style, derive a delivery id,
and map it to a run id, so a redelivered webhook is the same run (starting is idempotent).

Styles: ``stripe`` (``Stripe-Signature: t=..,v1=..`` over ``t.body``), ``github``
(``X-Hub-Signature-256: sha256=..`` over the body), ``slack`` (``X-Slack-Signature: v0=..``
over ``v0:ts:body``), and ``hmac`` (``X-Actionplane-Signature: t=..,v1=..`` over ``t.body``).
Timestamped styles reject deliveries outside ``tolerance_s``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from actionplane.errors import CallerError
from actionplane.saga.model import Workflow

STYLES = ("stripe", "github", "slack", "hmac")


class SignatureError(CallerError):
    """The delivery is not signed by the trigger's secret (or is too old)."""


@dataclass(frozen=True)
class Trigger:
    """A named webhook that starts ``workflow`` for ``user_id`` in ``project_id``."""

    name: str
    workflow: Workflow
    secret: str
    user_id: str
    project_id: str = "default"
    style: str = "hmac"
    tolerance_s: float = 300.0


def _digest(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _pairs(header: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        found.setdefault(key, []).append(value)
    return found


def _fresh(trigger: Trigger, timestamp: str, now: float) -> None:
    try:
        age = abs(now - float(timestamp))
    except ValueError as error:
        raise SignatureError("the signature's timestamp is not a number") from error
    if age > trigger.tolerance_s:
        raise SignatureError(f"the delivery is {age:.0f}s old (limit {trigger.tolerance_s:.0f}s)")


def verify(
    trigger: Trigger, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> None:
    """Raise ``SignatureError`` unless ``body`` is signed by the trigger's secret."""
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    if trigger.style == "github":
        sent = lower.get("x-hub-signature-256", "").removeprefix("sha256=")
        expected = [_digest(trigger.secret, body)]
    elif trigger.style == "slack":
        timestamp = lower.get("x-slack-request-timestamp", "")
        _fresh(trigger, timestamp, now)
        sent = lower.get("x-slack-signature", "").removeprefix("v0=")
        expected = [_digest(trigger.secret, b"v0:" + timestamp.encode() + b":" + body)]
    elif trigger.style in ("stripe", "hmac"):
        name = "stripe-signature" if trigger.style == "stripe" else "x-actionplane-signature"
        parts = _pairs(lower.get(name, ""))
        timestamp = (parts.get("t") or [""])[0]
        _fresh(trigger, timestamp, now)
        expected = [_digest(trigger.secret, timestamp.encode() + b"." + body)]
        sent = next((s for s in parts.get("v1", []) if s in expected), "")
    else:
        raise CallerError(f"unknown signature style {trigger.style!r}; use one of {STYLES}")
    if not sent or not any(hmac.compare_digest(sent, e) for e in expected):
        raise SignatureError("the signature does not match")


def delivery_id(trigger: Trigger, headers: Mapping[str, str], payload: Any) -> str:
    """The provider's id for this delivery (the same on a redelivery)."""
    lower = {k.lower(): v for k, v in headers.items()}
    given = lower.get("x-github-delivery") or lower.get("x-delivery-id")
    if not given and isinstance(payload, Mapping):
        given = payload.get("event_id") or payload.get("id")  # Slack events, Stripe events
    if given:
        return str(given)
    canonical = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()


def run_id_for(trigger: Trigger, delivery: str) -> str:
    """One run per (trigger, delivery): a redelivery starts nothing new."""
    seed = f"{trigger.project_id}:{trigger.name}:{delivery}".encode()
    return "run_trg_" + hashlib.sha256(seed).hexdigest()[:24]
