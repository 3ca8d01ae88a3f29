"""Real peers the tests run: installed from npm into .peers/ on first use, run on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.requirements import REPO, missing, require_node

PEERS = REPO / ".peers"
PRISM_VERSION = "5.14.2"
_install_lock = threading.Lock()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_npm_file(package: str, relative: str) -> Path:
    """``.peers/node_modules/<relative>``, installing ``package`` from npm first if needed."""
    npm = require_node()
    path = PEERS / "node_modules" / relative
    with _install_lock:
        if not path.exists():
            PEERS.mkdir(exist_ok=True)
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(PEERS), package],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0 or not path.exists():
                missing(f"npm install {package} failed: {done.stderr[-500:]}")
    return path


def ensure_npm_package(package: str, binary: str) -> Path:
    """``.peers/node_modules/.bin/<binary>``, installing ``package`` first if needed."""
    return ensure_npm_file(package, f".bin/{binary}")


# Prism 5.14.2 deserializes bracket-encoded form arrays of objects (Stripe's items[0][price]=...)
# correctly, then tries to JSON-parse the objects again and answers 415. Only arrays that
# arrived as strings need that second parse; objects keep every validation that follows.
_PRISM_BODY_JS = "@stoplight/prism-http/dist/validator/validators/body.js"
_PRISM_BUG = "typeof items === \"object\" && items['type'] === 'object') {"
_PRISM_FIX = (
    "typeof items === \"object\" && items['type'] === 'object'"
    " && deserializedValues.some(v => typeof v === 'string')) {"
)


def _patch_prism_form_arrays() -> None:
    path = PEERS / "node_modules" / _PRISM_BODY_JS
    text = path.read_text()
    if _PRISM_BUG in text:
        path.write_text(text.replace(_PRISM_BUG, _PRISM_FIX))


@contextmanager
def prism(spec: Path, startup_timeout: float = 240.0) -> Iterator[str]:
    """A Prism mock of ``spec`` on a free port; yields its base URL."""
    binary = ensure_npm_package(f"@stoplight/prism-cli@{PRISM_VERSION}", "prism")
    with _install_lock:
        _patch_prism_form_arrays()
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NODE_OPTIONS": "--max-old-space-size=4096"},
    )
    ready = threading.Event()
    lines: list[str] = []

    def watch() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Prism is listening" in line:
                ready.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    deadline = time.monotonic() + startup_timeout
    while not ready.is_set() and process.poll() is None and time.monotonic() < deadline:
        ready.wait(0.2)
    if not ready.is_set():
        process.kill()
        process.wait()
        raise RuntimeError(f"Prism did not start on {spec.name}:\n" + "".join(lines[-20:]))
    try:
        yield f"http://127.0.0.1:{port}"
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
