"""Testing helpers: a sandbox in-process, and its control API as plain functions.

::

    from actionplane.testing import start_sandbox

    with start_sandbox(seed=7) as sandbox:          # a free port, a background thread
        os.environ.update(sandbox.environ())        # ACTIONPLANE_SANDBOX_URL
        plane = AsyncPlane(database_url=...)
        await sandbox.connect(plane, "alice")       # real OAuth flow, ACTIVE connections
        sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=2)
        ... run tool calls ...
        assert len(sandbox.ledger("github")) == 1

``SandboxClient`` drives a sandbox in another process (``actionplane sandbox``) the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from actionplane.catalog.overrides import SANDBOX_URL_VARIABLE

if TYPE_CHECKING:
    from actionplane.auth.connections import Connection
    from actionplane.plane import AsyncPlane


class SandboxClient:
    """The control API of a running sandbox, as methods. Every call is one HTTP request."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=10)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, "/_sandbox" + path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    def environ(self) -> dict[str, str]:
        """The environment that points every built-in toolkit at this sandbox."""
        return {SANDBOX_URL_VARIABLE: self.url}

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/health")
        return result

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (see ``actionplane.sandbox.faults.FaultRule``); returns it with id."""
        result: dict[str, Any] = self._call("POST", "/faults", rule)
        return result

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/faults")
        return result

    def remove_fault(self, rule_id: str) -> None:
        self._call("DELETE", f"/faults/{rule_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def ledger(self, toolkit: str | None = None) -> list[dict[str, Any]]:
        """Side effects applied, oldest first."""
        result: list[dict[str, Any]] = self._call("GET", "/ledger" + _query(toolkit))
        return result

    def requests(self, toolkit: str | None = None) -> list[dict[str, Any]]:
        """Requests received, oldest first."""
        result: list[dict[str, Any]] = self._call("GET", "/requests" + _query(toolkit))
        return result

    def reset(self, auth: bool = False) -> None:
        """Empty state, ledger, request log, faults and limits (and credentials with ``auth``)."""
        self._call("POST", "/reset", {"auth": auth})

    def credential(self, toolkit: str, user: str, **values: str) -> dict[str, Any]:
        """Have the sandbox accept (or issue) a static credential for ``user``."""
        result: dict[str, Any] = self._call(
            "POST", "/credentials", {"toolkit": toolkit, "user": user, **values}
        )
        return result

    def set_limit(self, toolkit: str, limit: int, window_s: float) -> None:
        """At most ``limit`` requests per ``window_s`` to ``toolkit``; then its 429 answer."""
        self._call("POST", "/limits", {"toolkit": toolkit, "limit": limit, "window_s": window_s})

    def clear_limits(self) -> None:
        self._call("DELETE", "/limits")

    def grants(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/grants")
        return result

    def revoke_grants(self, toolkit: str | None = None, user: str | None = None) -> int:
        result: int = self._call("POST", "/grants/revoke", {"toolkit": toolkit, "user": user})[
            "revoked"
        ]
        return result

    def expire_tokens(self, toolkit: str | None = None, user: str | None = None) -> int:
        """Expire live access tokens now (refresh tokens stay usable)."""
        result: int = self._call("POST", "/tokens/expire", {"toolkit": toolkit, "user": user})[
            "expired"
        ]
        return result

    def configure(self, access_token_ttl_s: float, toolkit: str | None = None) -> None:
        """The lifetime of access tokens issued from now on (for one toolkit, or all)."""
        self._call(
            "POST", "/config", {"access_token_ttl_s": access_token_ttl_s, "toolkit": toolkit}
        )

    async def connect(
        self,
        plane: AsyncPlane,
        user: str,
        toolkits: Iterable[str] | None = None,
        oauth: bool = True,
    ) -> list[Connection]:
        """ACTIVE connections of ``user`` in ``plane`` to these sandbox toolkits (default all
        built-in ones), through the sandbox's OAuth flow where the toolkit uses OAuth."""
        from actionplane.sandbox.connect import connect_user

        store = await plane._connection_store()
        slugs = list(toolkits) if toolkits is not None else None
        kits = [k for k in plane.catalog.toolkits() if slugs is None or k.slug in slugs]
        return await connect_user(store, plane.project_id, kits, self.url, user, oauth)

    def close(self) -> None:
        self._http.close()


class RunningSandbox(SandboxClient):
    """A sandbox served by this process on a background thread; stop it when done."""

    def __init__(self, seed: int = 0, access_token_ttl_s: float = 3600.0) -> None:
        from actionplane.sandbox.server import BackgroundSandbox

        self._server = BackgroundSandbox(seed=seed, access_token_ttl_s=access_token_ttl_s).start()
        super().__init__(self._server.url)

    def stop(self) -> None:
        self.close()
        self._server.stop()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(seed: int = 0, access_token_ttl_s: float = 3600.0) -> RunningSandbox:
    """Start a sandbox on a free loopback port, in this process. Use it as a context manager,
    or call ``stop()``."""
    return RunningSandbox(seed=seed, access_token_ttl_s=access_token_ttl_s)


def _query(toolkit: str | None) -> str:
    return f"?toolkit={toolkit}" if toolkit else ""
