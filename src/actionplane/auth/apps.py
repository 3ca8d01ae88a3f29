"""OAuth apps (client id and secret) per project and toolkit.

A project's stored app (secret sealed by the vault) wins over the deployment's environment
(``ACTIONPLANE_<TOOLKIT>_CLIENT_ID`` / ``_CLIENT_SECRET``): a project that registered its own
app on a provider expects its users to see that app's name on the consent screen.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.auth.vault import Vault
from actionplane.errors import ConfigurationError
from actionplane.store.tables import oauth_apps


@dataclass(frozen=True, repr=False)
class OAuthApp:
    """One registered client. ``source`` is ``stored`` or ``environment``."""

    toolkit: str
    client_id: str
    client_secret: str | None
    source: str

    def __repr__(self) -> str:
        return f"OAuthApp(toolkit={self.toolkit!r}, client_id={self.client_id!r}, <redacted>)"


def app_binding(project_id: str, toolkit: str) -> str:
    """What a stored client secret is bound to in the vault."""
    return f"oauth_app:{project_id}:{toolkit}"


def env_names(toolkit: str) -> tuple[str, str]:
    prefix = f"ACTIONPLANE_{toolkit.upper()}"
    return f"{prefix}_CLIENT_ID", f"{prefix}_CLIENT_SECRET"


class OAuthApps:
    """Stored apps, sealed; the environment as the fallback."""

    def __init__(
        self, engine: AsyncEngine, vault: Vault, environ: Mapping[str, str] | None = None
    ) -> None:
        self._engine = engine
        self._vault = vault
        self._environ = environ

    async def set(
        self, project_id: str, toolkit: str, client_id: str, client_secret: str | None
    ) -> OAuthApp:
        """Store (or replace) the project's app for ``toolkit``."""
        now = time.time()
        sealed = self._vault.seal({"secret": client_secret}, app_binding(project_id, toolkit))
        async with self._engine.begin() as db:
            updated = await db.execute(
                oauth_apps.update()
                .where(oauth_apps.c.project_id == project_id, oauth_apps.c.toolkit == toolkit)
                .values(client_id=client_id, secret=sealed, updated_at=now)
            )
            if updated.rowcount == 0:
                await db.execute(
                    oauth_apps.insert().values(
                        project_id=project_id,
                        toolkit=toolkit,
                        client_id=client_id,
                        secret=sealed,
                        created_at=now,
                        updated_at=now,
                    )
                )
        return OAuthApp(toolkit, client_id, client_secret, "stored")

    async def list(self, project_id: str) -> list[OAuthApp]:
        """Stored apps of the project (secrets left out), then apps from the environment."""
        async with self._engine.connect() as db:
            rows = (
                await db.execute(
                    sa.select(oauth_apps.c.toolkit, oauth_apps.c.client_id)
                    .where(oauth_apps.c.project_id == project_id)
                    .order_by(oauth_apps.c.toolkit)
                )
            ).all()
        found = [OAuthApp(r.toolkit, r.client_id, None, "stored") for r in rows]
        stored = {a.toolkit for a in found}
        environ = os.environ if self._environ is None else self._environ
        for name, value in sorted(environ.items()):
            if name.startswith("ACTIONPLANE_") and name.endswith("_CLIENT_ID"):
                toolkit = name[len("ACTIONPLANE_") : -len("_CLIENT_ID")].lower()
                if toolkit not in stored:
                    found.append(OAuthApp(toolkit, value, None, "environment"))
        return found

    async def get(self, project_id: str, toolkit: str) -> OAuthApp:
        """The app for ``toolkit``, or a ``ConfigurationError`` that says how to add one."""
        async with self._engine.connect() as db:
            row = (
                await db.execute(
                    sa.select(oauth_apps).where(
                        oauth_apps.c.project_id == project_id, oauth_apps.c.toolkit == toolkit
                    )
                )
            ).first()
        if row is not None:
            opened = self._vault.open(row.secret, app_binding(project_id, toolkit))
            return OAuthApp(toolkit, row.client_id, opened.get("secret"), "stored")
        environ = os.environ if self._environ is None else self._environ
        id_name, secret_name = env_names(toolkit)
        if environ.get(id_name):
            return OAuthApp(toolkit, environ[id_name], environ.get(secret_name), "environment")
        raise ConfigurationError(
            f"no OAuth app for {toolkit}: set {id_name} and {secret_name}, or run "
            f"`actionplane oauth-apps set {toolkit} --client-id ... --client-secret ...`"
        )
