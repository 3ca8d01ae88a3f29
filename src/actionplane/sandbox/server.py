"""Serving a sandbox with uvicorn: in the foreground (the CLI) or on a background thread (tests).

One process, one event loop: the state lives in memory, and handlers are atomic on the loop, so
any number of client processes can hit one sandbox at once.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from actionplane.sandbox.app import SandboxApp, create_app


class _QuietDrops(logging.Filter):
    """A ``reset`` fault ends a response on purpose; uvicorn would log it as an app error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


def _config(app: SandboxApp, host: str, port: int, log_level: str) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        # Benchmarks use the sandbox as the upstream: keep connections for a while.
        timeout_keep_alive=30,
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8790,
    seed: int = 0,
    access_token_ttl_s: float = 3600.0,
    log_level: str = "warning",
) -> None:
    """Run a sandbox in the foreground until interrupted."""
    app = create_app(seed=seed, access_token_ttl_s=access_token_ttl_s)
    uvicorn.Server(_config(app, host, port, log_level)).run()


class BackgroundSandbox:
    """A sandbox served on a free port by a daemon thread. ``url`` is set once it listens."""

    def __init__(
        self, seed: int = 0, access_token_ttl_s: float = 3600.0, host: str = "127.0.0.1"
    ) -> None:
        self.app = create_app(seed=seed, access_token_ttl_s=access_token_ttl_s)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self._server = uvicorn.Server(_config(self.app, host, port, "warning"))
        self._thread = threading.Thread(target=self._run, name="actionplane-sandbox", daemon=True)

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self, timeout_s: float = 10.0) -> BackgroundSandbox:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
