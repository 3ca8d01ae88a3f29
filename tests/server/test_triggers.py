"""Webhook triggers: a signed delivery starts one run (a redelivery starts none), a bad or stale
signature starts nothing; each provider's signature style is checked."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from actionplane.saga import load_workflow
from actionplane.saga.golden import GOLDEN_YAML
from actionplane.saga.triggers import SignatureError, Trigger, verify
from actionplane.server.routes_triggers import register_trigger
from tests.server.test_workflow_routes import LEAD, api, running_sandbox

__all__ = ["api", "running_sandbox"]

SECRET = "whsec_test"
LEAD_YAML = load_workflow(GOLDEN_YAML)


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_signed_delivery_starts_one_run(api: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = api
    app = client.app
    assert isinstance(app, FastAPI)
    register_trigger(app, Trigger("new-lead", LEAD_YAML, SECRET, "alice", "acme", "github"))
    body = json.dumps(LEAD).encode()
    headers = {"X-Hub-Signature-256": sign(body), "X-GitHub-Delivery": "d-1"}

    first = client.post("/v1/triggers/new-lead", content=body, headers=headers)
    assert first.status_code == 202 and first.json()["duplicate"] is False
    run_id = first.json()["run_id"]
    run = client.get(f"/v1/workflows/runs/{run_id}", headers={"Authorization": keys["acme"]})
    assert run.json()["status"] == "completed"  # driven after the answer
    assert run.json()["input"] == LEAD

    again = client.post("/v1/triggers/new-lead", content=body, headers=headers)
    assert again.status_code == 200
    assert again.json() == {
        "run_id": run_id,
        "delivery_id": "d-1",
        "duplicate": True,
        "status": "completed",
    }
    listed = client.get("/v1/workflows/runs", headers={"Authorization": keys["acme"]}).json()
    assert [r["id"] for r in listed] == [run_id]

    forged = {**headers, "X-Hub-Signature-256": sign(body, "wrong"), "X-GitHub-Delivery": "d-2"}
    refused = client.post("/v1/triggers/new-lead", content=body, headers=forged)
    assert refused.status_code == 401
    assert client.post("/v1/triggers/nope", content=body, headers=headers).status_code == 404
    assert (
        len(client.get("/v1/workflows/runs", headers={"Authorization": keys["acme"]}).json()) == 1
    )


def _trigger(style: str) -> Trigger:
    return Trigger("t", LEAD_YAML, SECRET, "alice", style=style, tolerance_s=300)


def _mac(message: bytes) -> str:
    return hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("style", ["stripe", "hmac"])
def test_timestamped_hmac_styles(style: str) -> None:
    body, now = b'{"id": "evt_1"}', time.time()
    header = "Stripe-Signature" if style == "stripe" else "X-Actionplane-Signature"
    t = str(int(now))
    good = {header: f"t={t},v1=deadbeef,v1={_mac(t.encode() + b'.' + body)}"}
    verify(_trigger(style), good, body, now=now)
    with pytest.raises(SignatureError, match="old"):
        verify(_trigger(style), good, body, now=now + 301)
    with pytest.raises(SignatureError, match="does not match"):
        verify(_trigger(style), good, body + b" ", now=now)


def test_slack_style() -> None:
    body, now = b"token=x&event_id=Ev1", time.time()
    t = str(int(now))
    good = {
        "X-Slack-Request-Timestamp": t,
        "X-Slack-Signature": "v0=" + _mac(f"v0:{t}:".encode() + body),
    }
    verify(_trigger("slack"), good, body, now=now)
    with pytest.raises(SignatureError):
        verify(
            _trigger("slack"),
            {**good, "X-Slack-Request-Timestamp": str(int(now) - 1)},
            body,
            now=now,
        )
