"""The sandbox's ASGI application: provider paths, OAuth endpoints and the control API.

Every request under ``/<toolkit>/...`` or ``/oauth/<toolkit>/...`` is logged, then checked against
the fault rules, then served. ``/_sandbox/...`` is the control API (never logged, never faulted).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from actionplane.sandbox.control import control_app
from actionplane.sandbox.core import Sandbox
from actionplane.sandbox.faults import FaultRule
from actionplane.sandbox.http import Invalid, Reply, parse_body
from actionplane.sandbox.ledger import RequestEntry
from actionplane.sandbox.oauth import OAuthServer

HANG_CAP_S = 600.0


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _send(send: Send, reply: Reply) -> None:
    content = reply.encode()
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    if content or reply.raw is not None:
        headers.append((b"content-type", reply.content_type.encode()))
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _hang(receive: Receive, rule: FaultRule) -> None:
    """Answer nothing until the client goes away (or ``latency_ms`` / a cap passes)."""
    limit = rule.latency_ms / 1000 if rule.latency_ms else HANG_CAP_S

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(), timeout=limit)


async def _drop(send: Send) -> None:
    """Break the connection: promise a body and end without it. The server then closes the
    socket, and the client sees the peer close mid-response (an ambiguous outcome)."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
    )


class SandboxApp:
    """ASGI entry point over one ``Sandbox``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.oauth = OAuthServer(sandbox)
        self.control = control_app(sandbox)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith("/_sandbox"):
            await self.control(scope, receive, send)
            return
        await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        sandbox = self.sandbox
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        method: str = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        parts = path.split("/", 3)
        is_oauth = len(parts) == 4 and parts[1] == "oauth"
        if is_oauth:
            toolkit, rest = parts[2], "/" + parts[3]
            full = rest
        else:
            _, toolkit, *tail = path.split("/", 2)
            rest = "/" + (tail[0] if tail else "")
            full = sandbox.catalog.full_path(toolkit, rest)
        tools = [] if is_oauth else sandbox.catalog.tools_for(toolkit, method, full)
        entry = RequestEntry(
            time.time(), toolkit or None, method, path, tool=next(iter(tools), None)
        )
        sandbox.evidence.requests.append(entry)
        body_bytes = await _read_body(receive)

        rule = sandbox.faults.pick(toolkit, tools, method, [rest, full, path])
        if rule is not None:
            entry.fault = rule.kind
            if rule.kind == "hang":
                await _hang(receive, rule)
                return
            if rule.kind == "reset":
                await _drop(send)
                return
            if rule.kind == "latency":
                await asyncio.sleep((rule.latency_ms or 0) / 1000)
            if rule.kind == "status":
                reply = self._fault_reply(toolkit, rule, rule.status or 503)
                entry.status = reply.status
                await _send(send, reply)
                return

        bad: Invalid | None = None
        try:
            body = parse_body(body_bytes, headers.get("content-type", ""))
        except Invalid as problem:
            body, bad = None, problem
        if bad is not None:
            reply = Reply(400, {"error": "invalid_request", "message": bad.message})
        elif is_oauth:
            self.oauth.public_url = f"http://{headers.get('host', '127.0.0.1')}"
            params: dict[str, Any] = {**query, **(body if isinstance(body, dict) else {})}
            reply = self.oauth.handle(toolkit, parts[3], method, params, headers)
        else:
            reply = sandbox.call_provider(toolkit, method, full, query, headers, body)

        if rule is not None and rule.kind == "applied_then_fail":
            if rule.then == "hang":
                await _hang(receive, rule)
                return
            if rule.then == "reset":
                await _drop(send)
                return
            reply = self._fault_reply(toolkit, rule, rule.status or 500)
        entry.status = reply.status
        await _send(send, reply)

    def _fault_reply(self, toolkit: str, rule: FaultRule, status: int) -> Reply:
        provider = self.sandbox.providers.get(toolkit)
        if provider is None:
            reply = Reply(status, {"error": "sandbox_fault"})
        elif status in provider.rate_limit_statuses and rule.kind == "status":
            reply = provider.rate_limited(rule.retry_after, None, status)
        else:
            reply = provider.failure(status)
        if rule.retry_after is not None:
            reply.headers["Retry-After"] = _seconds(rule.retry_after)
        reply.headers.update(rule.headers)
        if rule.body is not None:
            reply.body, reply.raw = rule.body, None
        return reply


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def create_app(seed: int = 0, access_token_ttl_s: float = 3600.0) -> SandboxApp:
    """A fresh sandbox application (state seeded from ``seed``)."""
    return SandboxApp(Sandbox(seed=seed, access_token_ttl_s=access_token_ttl_s))
