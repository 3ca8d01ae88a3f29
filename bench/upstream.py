"""A tiny, fast stand-in for the GitHub issues API, served by uvicorn in its own process.

Run it alone with ``python -m bench.upstream --port 8123`` or start it from a benchmark with
``start_upstream()``. It answers::

    POST /repos/{owner}/{repo}/issues            201 {"id", "number", "title", "state", ...}
    GET  /repos/{owner}/{repo}/issues/{number}   200 the same shape
    GET  /_stats?since=T0&until=T1               the counters below, as JSON; with since and
                                                 until, also ``ok_between``: 2xx answered in
                                                 [T0, T1) (epoch seconds)
    POST /_reset?limit=L&quota_headers=0|1       zero the counters; set (or lift, limit=0) a limit

**Rate-limited mode** (``limit`` L > 0). A fixed window: each wall-clock second ``[k, k+1)``
admits at most L requests (GitHub's model: a quota that resets at ``x-ratelimit-reset``). The
request after the last one gets ``429`` with an integer ``Retry-After`` (seconds to the next
window, rounded up, so at least 1) and opens a *penalty window* that lasts until the time that
``Retry-After`` named. Every request arriving inside a penalty window is counted in
``in_penalty`` and refused with ``429`` and the remaining time; it does not extend the window (a
harsher provider would). Every ``429`` also carries ``x-ratelimit-limit``,
``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset`` (epoch seconds); with ``quota_headers=1``
successes carry them too, so a client can see the quota run out before it is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_JSON = (b"content-type", b"application/json")


@dataclass
class Counters:
    requests: int = 0
    ok: int = 0
    limited: int = 0
    in_penalty: int = 0
    not_found: int = 0
    penalty_windows: int = 0


@dataclass
class RateLimitedUpstream:
    """The ASGI app. One process, one event loop: no locks needed."""

    limit: int = 0
    quota_headers: bool = False
    counters: Counters = field(default_factory=Counters)
    _window: int = -1
    _used: int = 0
    _penalty_until: float = 0.0
    _issue_ids: int = 0
    _ok_times: list[float] = field(default_factory=list)

    def reset(self, limit: int, quota_headers: bool) -> None:
        self.limit, self.quota_headers = limit, quota_headers
        self.counters = Counters()
        self._window, self._used, self._penalty_until = -1, 0, 0.0
        self._ok_times = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, headers, payload = self.handle(scope["method"], scope["path"], scope, body)
        raw = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [_JSON, (b"content-length", str(len(raw)).encode()), *headers],
            }
        )
        await send({"type": "http.response.body", "body": raw})

    def handle(
        self, method: str, path: str, scope: Scope, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], Any]:
        query = parse_qs(scope.get("query_string", b"").decode())
        if path == "/_stats":
            stats: dict[str, Any] = self.counters.__dict__ | {"limit": self.limit}
            if "since" in query and "until" in query:
                since, until = float(query["since"][0]), float(query["until"][0])
                stats["ok_between"] = sum(since <= t < until for t in self._ok_times)
            return 200, [], stats
        if path == "/_reset" and method == "POST":
            self.reset(int(query.get("limit", ["0"])[0]), query.get("quota_headers") == ["1"])
            return 200, [], {"reset": True}
        self.counters.requests += 1
        headers: list[tuple[bytes, bytes]] = []
        if self.limit > 0:
            refused = self._admit(time.time(), headers)
            if refused is not None:
                return 429, headers, {"message": refused}
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "repos" and parts[3] == "issues" and method == "POST":
            self._issue_ids += 1
            title = json.loads(body).get("title", "") if body else ""
            self._succeeded()
            return 201, headers, _issue(parts[1], parts[2], self._issue_ids, title)
        if len(parts) == 5 and parts[0] == "repos" and parts[3] == "issues" and method == "GET":
            self._succeeded()
            return 200, headers, _issue(parts[1], parts[2], int(parts[4]), "An issue")
        self.counters.not_found += 1
        return 404, headers, {"message": "Not Found"}

    def _succeeded(self) -> None:
        self.counters.ok += 1
        if self.limit > 0:
            self._ok_times.append(time.time())

    def _admit(self, now: float, headers: list[tuple[bytes, bytes]]) -> str | None:
        """None when the request may proceed; else why it is refused (headers filled in)."""
        window = math.floor(now)
        reset = window + 1
        if window != self._window:
            self._window, self._used = window, 0
        if now < self._penalty_until:
            self.counters.in_penalty += 1
            self.counters.limited += 1
            wait = max(1, math.ceil(self._penalty_until - now))
            headers += _limit_headers(self.limit, 0, reset, wait)
            return "You have exceeded a rate limit and are still inside its Retry-After."
        if self._used >= self.limit:
            wait = max(1, math.ceil(reset - now))
            self._penalty_until = now + wait
            self.counters.penalty_windows += 1
            self.counters.limited += 1
            headers += _limit_headers(self.limit, 0, reset, wait)
            return "API rate limit exceeded."
        self._used += 1
        if self.quota_headers:
            headers += _limit_headers(self.limit, self.limit - self._used, reset, None)
        return None


def _limit_headers(
    limit: int, remaining: int, reset: int, retry_after: int | None
) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-ratelimit-limit", str(limit).encode()),
        (b"x-ratelimit-remaining", str(remaining).encode()),
        (b"x-ratelimit-reset", str(reset).encode()),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    return headers


def _issue(owner: str, repo: str, number: int, title: str) -> dict[str, Any]:
    return {
        "id": number,
        "number": number,
        "title": title,
        "state": "open",
        "html_url": f"https://github.com/{owner}/{repo}/issues/{number}",
    }


class UpstreamProcess:
    """A running upstream process: its URL, and its counters over HTTP."""

    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process = process
        self.url = url

    def stats(self, since: float | None = None, until: float | None = None) -> dict[str, int]:
        params = {} if since is None or until is None else {"since": since, "until": until}
        data: dict[str, int] = httpx.get(f"{self.url}/_stats", params=params).json()
        return data

    def reset(self, limit: int = 0, quota_headers: bool = False) -> None:
        params = {"limit": str(limit), "quota_headers": "1" if quota_headers else "0"}
        httpx.post(f"{self.url}/_reset", params=params).raise_for_status()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def start_upstream(limit: int = 0, quota_headers: bool = False) -> Iterator[UpstreamProcess]:
    """Run the upstream in a child process (its own GIL) on a free loopback port."""
    port = _free_port()
    command = [sys.executable, "-m", "bench.upstream", "--port", str(port), "--limit", str(limit)]
    if quota_headers:
        command.append("--quota-headers")
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(command, cwd=root, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{url}/_stats", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the upstream did not start") from None
                time.sleep(0.05)
        yield UpstreamProcess(process, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.upstream", description=__doc__)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--limit", type=int, default=0, help="requests per second; 0: none")
    parser.add_argument("--quota-headers", action="store_true", help="x-ratelimit-* on 2xx too")
    args = parser.parse_args(argv)
    import uvicorn

    app = RateLimitedUpstream(limit=args.limit, quota_headers=args.quota_headers)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
