"""The error tree of actionplane, split by who is at fault.

::

    ActionplaneError                      base of everything raised on purpose
    ├── CallerError                       the caller's input is wrong: fix the call
    │   ├── ToolNotFoundError             unknown tool slug or version (carries close matches)
    │   ├── ToolValidationError           arguments do not match the tool's input schema
    │   ├── IdempotencyMismatchError      a key reused with different arguments (HTTP 422)
    │   ├── IdempotencyConflictError      a key whose first call is still running (HTTP 409)
    │   └── ConfigurationError            a toolkit file, an env variable or a setting is wrong
    ├── ConnectionError_                  the end user's connection is missing or unusable
    │   └── ConnectionNotFoundError       no connection for (project, user, toolkit)
    ├── ProviderError                     the upstream API refused or failed
    └── PlaneError                        actionplane itself failed (storage, a bug)

Every error has two texts: ``agent_message`` (safe to show a model: what to do next) and the
exception text for the developer. Neither ever contains a secret. Retry facts (``retryable``,
``retry_after_s``) live on the error so callers never parse messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ActionplaneError(Exception):
    """Base of every error actionplane raises on purpose."""

    category: str = "plane"
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        agent_message: str | None = None,
        retry_after_s: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.agent_message = agent_message or message
        self.retry_after_s = retry_after_s
        self.details: dict[str, Any] = details or {}


class CallerError(ActionplaneError):
    """The caller's input is wrong; repeating the same call cannot succeed."""

    category = "invalid_request"


class ToolNotFoundError(CallerError):
    """No tool with this slug (or not at this version). ``suggestions`` holds the closest slugs."""

    category = "tool_not_found"

    def __init__(self, slug: str, suggestions: Sequence[str], version: str | None = None) -> None:
        what = f"{slug}@{version}" if version else slug
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"Unknown tool {what!r}.{hint}",
            details={"slug": slug, "version": version, "suggestions": list(suggestions)},
        )
        self.slug = slug
        self.suggestions = list(suggestions)


class ToolValidationError(CallerError):
    """Arguments do not satisfy the tool's input schema. ``problems`` lists each field's fault."""

    category = "validation"

    def __init__(self, slug: str, problems: Sequence[dict[str, Any]]) -> None:
        lines = [f"- {p['field']}: {p['message']}" for p in problems]
        text = f"Invalid arguments for {slug}:\n" + "\n".join(lines)
        super().__init__(text, details={"tool": slug, "problems": list(problems)})
        self.problems = list(problems)


class IdempotencyMismatchError(CallerError):
    """The idempotency key was first used with different arguments; nothing was sent."""

    category = "idempotency_mismatch"


class IdempotencyConflictError(CallerError):
    """The first call with this idempotency key is still running; try again shortly."""

    category = "idempotency_conflict"
    retryable = True


class ConfigurationError(CallerError):
    """A toolkit definition, an environment variable or a setting is invalid."""

    category = "configuration"


class ConnectionError_(ActionplaneError):
    """The end user's connection for this toolkit is missing or cannot be used."""

    category = "auth_required"


class ConnectionNotFoundError(ConnectionError_):
    """No usable connection for this (project, user, toolkit)."""


class ProviderError(ActionplaneError):
    """The upstream provider refused or failed the request."""

    category = "provider"


class PlaneError(ActionplaneError):
    """actionplane itself failed: storage unavailable, or a bug."""

    category = "plane"
