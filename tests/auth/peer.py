"""oidc-provider 9.x on loopback (tests/auth/oidc/server.mjs), and a browser to drive it."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.peers import ensure_npm_file, free_port

OIDC_PROVIDER = "oidc-provider@9.13.3"
SERVER = Path(__file__).parent / "oidc" / "server.mjs"
TEMPLATE = Path(__file__).parent / "oidcapp.yaml.tmpl"
CLIENT_ID = "actionplane-test"
CLIENT_SECRET = "oidc-test-client-secret-4f2a"
REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"


def ensure_oidc_provider() -> Path:
    """The entry file of oidc-provider in .peers/, installed from npm on first use."""
    return ensure_npm_file(OIDC_PROVIDER, "oidc-provider/lib/index.js")


@dataclass
class OidcServer:
    url: str
    lines: list[str]

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(self.url + "/control/stats", timeout=5).json()
        return result

    def revoke(self, account: str) -> int:
        answer = httpx.post(self.url + "/control/revoke", params={"account": account}, timeout=5)
        answer.raise_for_status()
        revoked: int = answer.json()["revoked"]
        return revoked

    def toolkit_file(self, folder: Path) -> Path:
        path = folder / "oidcapp.yaml"
        path.write_text(TEMPLATE.read_text().replace("{{OIDC}}", self.url))
        return path

    def environ(self, folder: Path) -> dict[str, str]:
        """Settings that declare the toolkit and its OAuth app from the environment."""
        return {
            "ACTIONPLANE_TOOLKITS_PATH": str(self.toolkit_file(folder)),
            "ACTIONPLANE_OIDCAPP_CLIENT_ID": CLIENT_ID,
            "ACTIONPLANE_OIDCAPP_CLIENT_SECRET": CLIENT_SECRET,
        }


@contextmanager
def oidc_server(access_token_ttl_s: int = 2) -> Iterator[OidcServer]:
    entry = ensure_oidc_provider()
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PROVIDER_MODULE": entry.as_uri(),
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": REDIRECT_URI,
        "ACCESS_TOKEN_TTL": str(access_token_ttl_s),
    }
    process = subprocess.Popen(
        ["node", str(SERVER)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    lines: list[str] = []
    ready = threading.Event()

    def watch() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "oidc listening" in line:
                ready.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    deadline = time.monotonic() + 30
    while not ready.is_set() and process.poll() is None and time.monotonic() < deadline:
        ready.wait(0.1)
    if not ready.is_set():
        process.kill()
        process.wait()
        raise RuntimeError("oidc-provider did not start:\n" + "".join(lines[-20:]))
    try:
        yield OidcServer(f"http://127.0.0.1:{port}", lines)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        watcher.join(5)
        if process.stdout is not None:
            process.stdout.close()


async def browse(browser: httpx.AsyncClient, authorize_url: str) -> tuple[str, str]:
    """Follow the authorization server's redirects as a browser would (``browser`` keeps the
    cookie jar); return (code, state) from the redirect to ``REDIRECT_URI``."""
    url = httpx.URL(authorize_url)
    for _ in range(12):
        answer = await browser.get(url)
        location = answer.headers.get("location")
        assert answer.status_code in (302, 303) and location, (answer.status_code, answer.text)
        if location.startswith(REDIRECT_URI):
            params = httpx.URL(location).params
            assert "error" not in params, params
            return params["code"], params["state"]
        url = url.join(location)
    raise AssertionError("too many redirects")
