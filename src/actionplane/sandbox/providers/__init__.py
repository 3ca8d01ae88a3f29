"""Provider stand-ins, one module per built-in toolkit."""

from __future__ import annotations

import importlib

from actionplane.sandbox.providers.base import Provider

_MODULES = {
    "github": "GitHub",
    "slack": "Slack",
    "jira": "Jira",
    "stripe": "Stripe",
    "salesforce": "Salesforce",
    "google_drive": "GoogleDrive",
    "gmail": "Gmail",
    "hubspot": "HubSpot",
    "notion": "Notion",
    "linear": "Linear",
}


def all_providers() -> list[Provider]:
    """A fresh instance of every provider (each sandbox has its own)."""
    found: list[Provider] = []
    for module, name in _MODULES.items():
        try:
            loaded = importlib.import_module(f"actionplane.sandbox.providers.{module}")
        except ModuleNotFoundError:
            continue
        found.append(getattr(loaded, name)())
    return found
