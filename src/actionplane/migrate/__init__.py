"""Importers from n8n, Make and Zapier exports to Python saga workflows on the plane's tools.

Each import returns an ``ImportResult``: the generated module and a report with one entry per
node of the export (mapped, approximated or unmapped, with a note)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from actionplane.migrate.make import import_make
from actionplane.migrate.n8n import import_n8n
from actionplane.migrate.report import ImportResult, NodeReport
from actionplane.migrate.zapier import import_zapier

IMPORTERS: dict[str, Callable[[Any, str], ImportResult]] = {
    "n8n": import_n8n,
    "make": import_make,
    "zapier": import_zapier,
}


def import_file(source: str, path: Path) -> ImportResult:
    """Import ``path`` as a ``source`` ("n8n", "make" or "zapier") export."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return IMPORTERS[source](document, path.stem.split(".")[0])


__all__ = ["IMPORTERS", "ImportResult", "NodeReport", "import_file"]
