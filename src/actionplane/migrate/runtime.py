"""Helpers that imported workflows call: reading a path out of a step's answer, turning a
value into text the way the source automation's template engines do, and finding a Slack
channel's ID from its name."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actionplane.saga import RunContext


def pick(value: Any, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...``, or None as soon as a key or index is missing.

    A list answer is read through its first item when the path names a key, as n8n does when an
    expression reads one item of a node's output."""
    current = value
    for key in path:
        if isinstance(current, list) and isinstance(key, str):
            current = current[0] if current else None
        if isinstance(current, dict):
            current = current.get(str(key)) if isinstance(key, str) else current.get(key)
        elif isinstance(current, list) and isinstance(key, int):
            current = current[key] if -len(current) <= key < len(current) else None
        else:
            return None
    return current


def text(value: Any) -> str:
    """A value as template text: empty for None, JSON for objects and lists."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


SLACK_ID = re.compile(r"^[CGDUW][A-Z0-9]{6,}$")


async def slack_channel(run: RunContext, channel: Any) -> Any:
    """A Slack channel given by name (``#general`` or ``general``) as its ID; anything else as is.

    Slack's chat.postMessage takes a channel ID; the automations these workflows come from let
    people type a channel name. The name is looked up with SLACK_LIST_CONVERSATIONS (a read, so
    it is not a step of the run); when the lookup fails or finds nothing, the name is passed on
    and Slack's answer (``channel_not_found``) says why."""
    if not isinstance(channel, str) or not channel or SLACK_ID.match(channel):
        return channel
    name = channel.removeprefix("#")
    cursor = ""
    while True:
        arguments: dict[str, Any] = {
            "types": "public_channel,private_channel",
            "exclude_archived": True,
            "limit": 1000,
        }
        if cursor:
            arguments["cursor"] = cursor
        found = await run.plane.tools.execute(
            "SLACK_LIST_CONVERSATIONS", arguments, user_id=run.user_id
        )
        if not found.successful or not isinstance(found.data, dict):
            return channel
        for item in found.data.get("channels") or []:
            if isinstance(item, dict) and item.get("name") == name and item.get("id"):
                return item["id"]
        cursor = pick(found.data, "response_metadata", "next_cursor") or ""
        if not cursor:
            return channel
