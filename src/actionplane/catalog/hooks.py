"""Named Python hooks for what a toolkit's data cannot say.

A tool's ``http.hook`` names a function here that turns the agent's arguments into the arguments
the HTTP mapping reads (for example, Gmail wants a base64url RFC 822 message, while an agent
should only have to give ``to``, ``subject`` and ``body``). Hooks are pure functions.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from actionplane.errors import ConfigurationError

Hook = Callable[[dict[str, Any]], dict[str, Any]]
HOOKS: dict[str, Hook] = {}


def hook(name: str) -> Callable[[Hook], Hook]:
    """Register a request hook under ``name``."""

    def register(function: Hook) -> Hook:
        HOOKS[name] = function
        return function

    return register


def run_hook(name: str | None, arguments: dict[str, Any]) -> dict[str, Any]:
    """Apply the named hook, or return the arguments unchanged when there is none."""
    if name is None:
        return arguments
    function = HOOKS.get(name)
    if function is None:
        raise ConfigurationError(f"unknown request hook {name!r}; known: {sorted(HOOKS)}")
    return function(dict(arguments))


@hook("gmail_raw_message")
def gmail_raw_message(arguments: dict[str, Any]) -> dict[str, Any]:
    """``to``/``cc``/``bcc``/``subject``/``body`` -> ``raw`` (base64url RFC 822), as Gmail wants.

    ``thread_id`` is kept as ``threadId``; ``user_id`` stays for the path.
    """
    message = EmailMessage()
    for field in ("to", "cc", "bcc"):
        value = arguments.pop(field, None)
        if value:
            message[field.capitalize()] = ", ".join(value) if isinstance(value, list) else value
    message["Subject"] = arguments.pop("subject", "")
    message.set_content(arguments.pop("body", ""))
    raw = base64.urlsafe_b64encode(message.as_bytes()).decode().rstrip("=")
    thread = arguments.pop("thread_id", None)
    result = {**arguments, "raw": raw}
    if thread:
        result["threadId"] = thread
    return result
