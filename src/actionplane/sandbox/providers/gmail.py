"""Gmail API stand-in: send, drafts, messages (list, get, labels, trash) and labels.

One mailbox, shared by every sandbox user (``me`` or the user's address in the path), so that
records seeded from the examples are visible to whoever calls. Sent
and drafted messages are parsed from their base64url RFC 822 ``raw``, so ``get`` shows the
headers and snippet the agent sent.
"""

from __future__ import annotations

import base64
from email import message_from_bytes
from typing import Any

from actionplane.sandbox.http import Call, Invalid, Reply
from actionplane.sandbox.providers.base import page
from actionplane.sandbox.providers.google import GoogleProvider
from actionplane.sandbox.state import Record, Scope

SYSTEM_LABELS = ("INBOX", "SENT", "DRAFT", "TRASH", "SPAM", "UNREAD", "STARRED", "IMPORTANT")
BASE = "/gmail/v1/users/{uid}"


def _parse(raw: str) -> tuple[list[dict[str, str]], str]:
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError as exc:
        raise Invalid("Invalid value for ByteString: raw") from exc
    parsed = message_from_bytes(data)
    body = parsed.get_payload(decode=True) if not parsed.is_multipart() else b""
    text = body.decode(errors="replace") if isinstance(body, bytes) else ""
    return [{"name": k, "value": str(v)} for k, v in parsed.items()], text.strip()[:100]


class Gmail(GoogleProvider):
    slug = "gmail"

    def register(self) -> None:
        r = self.route
        r("POST", BASE + "/messages/send")(self.send)
        r("GET", BASE + "/messages")(self.list_messages)
        r("GET", BASE + "/messages/{id}")(self.get_message)
        r("POST", BASE + "/messages/{id}/modify")(self.modify)
        r("POST", BASE + "/messages/{id}/trash")(lambda c: self.trash(c, True))
        r("POST", BASE + "/messages/{id}/untrash")(lambda c: self.trash(c, False))
        r("POST", BASE + "/drafts/send")(self.send_draft)
        r("POST", BASE + "/drafts")(self.create_draft)
        r("GET", BASE + "/drafts")(self.list_drafts)
        r("DELETE", BASE + "/drafts/{id}")(self.delete_draft)
        r("GET", BASE + "/labels")(self.labels)
        r("GET", BASE + "/profile")(lambda c: Reply(200, {"emailAddress": self.address(c)}))
        self.default("messages")(
            lambda c, key, scope: self._message(c, key, None, ["INBOX", "UNREAD"])
        )
        self.default("drafts")(
            lambda c, key, scope: {
                "id": key,
                "message": self._message(c, f"d{key[-12:]}", None, ["DRAFT"]),
            }
        )

    def address(self, call: Call) -> str:
        return call.user if "@" in call.user else f"{call.user}@example.com"

    def box(self, call: Call) -> Scope:
        uid = call.params["uid"]
        if uid not in ("me", self.address(call)):
            raise Invalid("Delegation denied", "forbidden", 403)
        return ()

    def _message(self, call: Call, mid: str, raw: str | None, labels: list[str]) -> Record:
        headers, snippet = (
            _parse(raw)
            if raw
            else (
                [
                    {"name": "From", "value": "ada@example.com"},
                    {"name": "Subject", "value": "Seeded"},
                ],
                "Seeded",
            )
        )
        return {
            "id": mid,
            "threadId": mid,
            "labelIds": labels,
            "snippet": snippet,
            "payload": {"mimeType": "text/plain", "headers": headers},
            "sizeEstimate": len(raw or ""),
            "internalDate": str(int(call.now * 1000)),
        }

    def _new_id(self, call: Call) -> str:
        return call.store.ident("gmail:message", 16, "0123456789abcdef")

    def send(self, call: Call) -> Reply:
        raw = call.need("raw")
        mid = self._new_id(call)
        message = self._message(call, mid, raw, ["SENT"])
        if call.arg("threadId"):
            message["threadId"] = call.arg("threadId")
        call.store.put(self.slug, "messages", self.box(call), mid, message)
        call.effect("messages.send", mid)
        return Reply(200, {k: message[k] for k in ("id", "threadId", "labelIds")})

    def list_messages(self, call: Call) -> Reply:
        found = [
            m
            for m in reversed(call.store.all(self.slug, "messages", self.box(call)))
            if "TRASH" not in m["labelIds"] or str(call.arg("includeSpamTrash")).lower() == "true"
        ]
        shown = [
            {"id": m["id"], "threadId": m["threadId"]} for m in page(found, call, "maxResults", 100)
        ]
        return Reply(200, {"messages": shown, "resultSizeEstimate": len(found)})

    def get_message(self, call: Call) -> Reply:
        return Reply(200, call.require("messages", call.params["id"], self.box(call)))

    def modify(self, call: Call) -> Reply:
        message = call.require("messages", call.params["id"], self.box(call))
        drop = set(call.arg("removeLabelIds") or [])
        labels = [label for label in message["labelIds"] if label not in drop]
        labels += [label for label in call.arg("addLabelIds") or [] if label not in labels]
        message["labelIds"] = labels
        call.effect("messages.modify", message["id"])
        return Reply(200, {k: message[k] for k in ("id", "threadId", "labelIds")})

    def trash(self, call: Call, trashed: bool) -> Reply:
        message = call.require("messages", call.params["id"], self.box(call))
        labels = [label for label in message["labelIds"] if label != "TRASH"]
        message["labelIds"] = [*labels, "TRASH"] if trashed else labels
        call.effect("messages.trash" if trashed else "messages.untrash", message["id"])
        return Reply(200, {k: message[k] for k in ("id", "threadId", "labelIds")})

    def create_draft(self, call: Call) -> Reply:
        raw = ((call.body or {}).get("message") or {}).get("raw")
        if not raw:
            raise Invalid("Missing draft message")
        did = "r-" + call.store.ident("gmail:draft", 19, "0123456789")
        draft = {"id": did, "message": self._message(call, self._new_id(call), raw, ["DRAFT"])}
        call.store.put(self.slug, "drafts", self.box(call), did, draft)
        call.effect("drafts.create", did)
        return Reply(200, self.draft_view(draft))

    def draft_view(self, draft: Record) -> dict[str, Any]:
        m = draft["message"]
        return {
            "id": draft["id"],
            "message": {"id": m["id"], "threadId": m["threadId"], "labelIds": m["labelIds"]},
        }

    def send_draft(self, call: Call) -> Reply:
        box = self.box(call)
        draft = call.require("drafts", call.need("id"), box)
        call.store.remove(self.slug, "drafts", box, draft["id"])
        message = {**draft["message"], "labelIds": ["SENT"]}
        call.store.put(self.slug, "messages", box, message["id"], message)
        call.effect("drafts.send", draft["id"])
        return Reply(200, {k: message[k] for k in ("id", "threadId", "labelIds")})

    def list_drafts(self, call: Call) -> Reply:
        drafts = call.store.all(self.slug, "drafts", self.box(call))
        shown = [self.draft_view(d) for d in page(drafts, call, "maxResults", 100)]
        return Reply(200, {"drafts": shown, "resultSizeEstimate": len(drafts)})

    def delete_draft(self, call: Call) -> Reply:
        box = self.box(call)
        draft = call.require("drafts", call.params["id"], box)
        call.store.remove(self.slug, "drafts", box, draft["id"])
        call.effect("drafts.delete", draft["id"])
        return Reply(204)

    def labels(self, call: Call) -> Reply:
        self.box(call)
        return Reply(
            200,
            {"labels": [{"id": name, "name": name, "type": "system"} for name in SYSTEM_LABELS]},
        )
