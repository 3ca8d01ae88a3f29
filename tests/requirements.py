"""Skipping a test whose peer is missing, except under CI where that is a failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SPECS = SHARED / "specs"


def missing(reason: str) -> NoReturn:
    """Skip with ``reason``; under ``ACTIONPLANE_TEST_REQUIRE_ALL=1`` (CI) fail instead."""
    if os.environ.get("ACTIONPLANE_TEST_REQUIRE_ALL") == "1":
        pytest.fail(f"required by CI but missing: {reason}")
    pytest.skip(reason)


def require_node() -> str:
    npm = shutil.which("npm")
    if not shutil.which("node") or not npm:
        missing("Node.js and npm are not installed")
    return npm


def require_specs() -> Path:
    if not SPECS.is_dir():
        missing(f"{SPECS} is absent (the providers' OpenAPI descriptions)")
    return SPECS
