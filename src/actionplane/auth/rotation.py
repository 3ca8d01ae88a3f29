"""Vault key rotation: re-seal every stored secret under the newest key.

Run with ``ACTIONPLANE_ENCRYPTION_KEY=new,old``. Each row is rewritten with a compare-and-swap
on its ciphertext, so a token refreshed meanwhile (already sealed under the new key, since the
first key seals) is never overwritten with an older value. When it reports nothing left under
an old key, that key can be removed from the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.auth.apps import app_binding
from actionplane.auth.vault import Vault
from actionplane.store.tables import connections, oauth_apps, oauth_states

Progress = Callable[[str, int, int], None]


@dataclass
class RotationReport:
    """How many sealed values were re-sealed, per table, and how many were already current."""

    resealed: dict[str, int] = field(default_factory=dict)
    current: int = 0
    key_id: str = ""

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


async def rotate(
    engine: AsyncEngine, vault: Vault, progress: Progress | None = None
) -> RotationReport:
    """Re-seal every value not under ``vault``'s newest key; ``progress(table, done, total)``."""
    report = RotationReport(key_id=vault.current_key_id)
    targets: list[tuple[str, sa.Table, list[sa.Column[str]], str, Callable[..., str]]] = [
        ("connections", connections, [connections.c.id], "secret", lambda r: r.id),
        (
            "oauth_apps",
            oauth_apps,
            [oauth_apps.c.project_id, oauth_apps.c.toolkit],
            "secret",
            lambda r: app_binding(r.project_id, r.toolkit),
        ),
        (
            "oauth_states",
            oauth_states,
            [oauth_states.c.state_hash],
            "verifier",
            lambda r: r.state_hash,
        ),
    ]
    for name, table, keys, column, binding in targets:
        async with engine.connect() as db:
            rows = (await db.execute(sa.select(*keys, table.c[column]))).all()
        stale = [r for r in rows if not vault.is_current(r._mapping[column])]
        report.current += len(rows) - len(stale)
        done = 0
        for row in stale:
            old = row._mapping[column]
            new = vault.reseal(old, binding(row))
            where = [k == row._mapping[k.name] for k in keys] + [table.c[column] == old]
            async with engine.begin() as db:
                await db.execute(table.update().where(*where).values({column: new}))
            done += 1
            if progress is not None:
                progress(name, done, len(stale))
        report.resealed[name] = done
    return report
