"""Slack Web API stand-in: messages, reactions, conversations and users.

Slack answers HTTP 200 with ``{"ok": false, "error": ...}`` for most failures (``token_expired``,
``token_revoked``, ``invalid_auth``, ``channel_not_found``...) and HTTP 429 with ``Retry-After``
when rate limited, as the real API does. Archiving an archived channel (and the reverse) is
accepted as a no-op so that each example stands on its own.
"""

from __future__ import annotations

from typing import Any

from actionplane.sandbox.http import Call, Invalid, NotFound, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Provider, page
from actionplane.sandbox.state import Record, Store

TEAM = "T0SANDBOX1"
_AUTH_ERRORS = {"expired": "token_expired", "revoked": "token_revoked", "missing": "not_authed"}


def _ok(**fields: Any) -> Reply:
    return Reply(200, {"ok": True, **fields})


def user_id(login: str) -> str:
    return "U" + "".join(f"{ord(c) % 36:X}" for c in login)[:10].ljust(10, "0")


class Slack(Provider):
    slug = "slack"

    def register(self) -> None:
        r = self.route
        r("POST", "/api/chat.postMessage")(self.post_message)
        r("POST", "/api/chat.update")(self.update_message)
        r("POST", "/api/chat.delete")(self.delete_message)
        r("POST", "/api/reactions.add")(self.add_reaction)
        r("POST", "/api/reactions.remove")(self.remove_reaction)
        r("GET", "/api/conversations.list")(self.list_conversations)
        r("GET", "/api/conversations.history")(self.history)
        r("GET", "/api/conversations.replies")(self.replies)
        r("POST", "/api/conversations.create")(self.create_conversation)
        r("POST", "/api/conversations.archive")(lambda c: self.set_archived(c, True))
        r("POST", "/api/conversations.unarchive")(lambda c: self.set_archived(c, False))
        r("POST", "/api/conversations.invite")(self.invite)
        r("POST", "/api/conversations.kick")(self.kick)
        r("GET", "/api/users.list")(self.list_users)
        r("GET", "/api/users.info")(self.user_info)
        r("GET", "/api/users.lookupByEmail")(self.lookup_by_email)
        r("POST", "/api/auth.test")(
            lambda c: _ok(user=c.user, user_id=user_id(c.user), team_id=TEAM)
        )
        self.default("channels")(
            lambda c, key, scope: self._channel(key, f"channel-{key.lower()}", c)
        )
        self.default("messages")(
            lambda c, key, scope: {
                "ts": key,
                "text": "Seeded message",
                "user": user_id(c.user),
                "thread_ts": None,
                "reactions": {},
                "channel": scope[0],
            }
        )
        self.default("users")(
            lambda c, key, scope: {
                "id": key,
                "name": key.lower(),
                "email": f"{key.lower()}@example.com",
            }
        )

    def _channel(self, cid: str, name: str, call: Call, private: bool = False) -> Record:
        return {
            "id": cid,
            "name": name,
            "is_channel": True,
            "is_private": private,
            "is_archived": False,
            "created": int(call.now),
            "creator": user_id(call.user),
            "members": [user_id(call.user)],
        }

    def seed(self, store: Store, now: float) -> None:
        for uid, name in (("U0123456789", "jane.doe"), ("U0987654321", "john.smith")):
            store.put(
                self.slug,
                "users",
                (),
                uid,
                {"id": uid, "name": name, "email": f"{name}@example.com"},
            )
        store.put(
            self.slug,
            "channels",
            (),
            "C0123456789",
            {
                "id": "C0123456789",
                "name": "general",
                "is_channel": True,
                "is_private": False,
                "is_archived": False,
                "created": int(now),
                "creator": "U0123456789",
                "members": ["U0123456789"],
            },
        )

    # -- errors ------------------------------------------------------------------------------------
    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(200 if status < 429 else status, {"ok": False, "error": code})

    def not_found(self, what: str) -> Reply:
        table = what.split(" ", 1)[0]
        code = {
            "channels": "channel_not_found",
            "messages": "message_not_found",
            "users": "user_not_found",
        }.get(table, "unknown_method")
        return self.error(200, code, what)

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(200, problem.code, problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(200, _AUTH_ERRORS.get(verdict, "invalid_auth"), verdict)

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = Reply(429, {"ok": False, "error": "ratelimited"})
        reply.headers["Retry-After"] = str(max(1, round((retry_after or 1) + 0.499)))
        return reply

    def failure(self, status: int) -> Reply:
        code = "service_unavailable" if status == 503 else "internal_error"
        return Reply(status, {"ok": False, "error": code})

    def token_extras(self, user: str, base_url: str) -> dict[str, Any]:
        return {
            "ok": True,
            "token_type": "bot",
            "app_id": "A0SANDBOX1",
            "bot_user_id": "B0SANDBOX1",
            "team": {"id": TEAM, "name": "Sandbox"},
            "authed_user": {"id": user_id(user)},
        }

    # -- messages ----------------------------------------------------------------------------------
    def _ts(self, call: Call) -> str:
        return f"{int(call.now)}.{call.store.count('slack:ts'):06d}"

    def _message(self, call: Call, channel: str, ts: str) -> Record:
        return call.require("messages", ts, (channel,))

    def _named_channel(self, call: Call, value: str) -> Record:
        """chat.postMessage takes a channel id or its name (``#general`` or ``general``)."""
        name = value.removeprefix("#")
        for record in call.store.all(self.slug, "channels"):
            if record.get("name") == name:
                return record
        return call.require("channels", value)

    def post_message(self, call: Call) -> Reply:
        channel = self._named_channel(call, str(call.need("channel")))
        if channel["is_archived"]:
            raise Invalid("channel is archived", "is_archived")
        if not (call.arg("text") or call.arg("blocks") or call.arg("attachments")):
            raise Invalid("no text", "no_text")
        thread = call.arg("thread_ts")
        if thread:
            self._message(call, channel["id"], thread)
        ts = self._ts(call)
        message = {
            "ts": ts,
            "text": call.arg("text", ""),
            "user": user_id(call.user),
            "thread_ts": thread,
            "reactions": {},
            "channel": channel["id"],
        }
        call.store.put(self.slug, "messages", (channel["id"],), ts, message)
        call.effect("messages.create", ts)
        return _ok(channel=channel["id"], ts=ts, message=self.view(message))

    def view(self, m: Record) -> dict[str, Any]:
        out = {"type": "message", "ts": m["ts"], "text": m["text"], "user": m["user"]}
        if m["thread_ts"]:
            out["thread_ts"] = m["thread_ts"]
        if m["reactions"]:
            out["reactions"] = [
                {"name": n, "users": u, "count": len(u)} for n, u in m["reactions"].items()
            ]
        return out

    def update_message(self, call: Call) -> Reply:
        channel = call.need("channel")
        message = self._message(call, channel, call.need("ts"))
        message["text"] = call.arg("text", message["text"])
        call.effect("messages.update", message["ts"])
        return _ok(channel=channel, ts=message["ts"], text=message["text"])

    def delete_message(self, call: Call) -> Reply:
        channel, ts = call.need("channel"), call.need("ts")
        self._message(call, channel, ts)
        call.store.remove(self.slug, "messages", (channel,), ts)
        call.effect("messages.delete", ts)
        return _ok(channel=channel, ts=ts)

    def add_reaction(self, call: Call) -> Reply:
        message = self._message(call, call.need("channel"), call.need("timestamp"))
        users = message["reactions"].setdefault(call.need("name"), [])
        if user_id(call.user) in users:
            raise Invalid("already reacted", "already_reacted")
        users.append(user_id(call.user))
        call.effect("reactions.add", message["ts"])
        return _ok()

    def remove_reaction(self, call: Call) -> Reply:
        message = self._message(call, call.need("channel"), call.need("timestamp"))
        name, me = call.need("name"), user_id(call.user)
        if call.seed_into is not None:
            seeded = call.seed_into.get(self.slug, "messages", (message["channel"],), message["ts"])
            if seeded is not None:  # the example removes a reaction: seed it as anyone's
                seeded["reactions"].setdefault(name, ["*"])
            return _ok()
        users = message["reactions"].get(name, [])
        who = me if me in users else ("*" if "*" in users else None)
        if who is None:
            raise Invalid("no such reaction", "no_reaction")
        users.remove(who)
        if not users:
            del message["reactions"][name]
        call.effect("reactions.remove", message["ts"])
        return _ok()

    def history(self, call: Call) -> Reply:
        channel = call.require("channels", call.need("channel"))["id"]
        oldest = float(call.arg("oldest") or 0)
        found = [
            self.view(m)
            for m in reversed(call.store.all(self.slug, "messages", (channel,)))
            if not m["thread_ts"] and float(m["ts"]) >= oldest
        ]
        return _ok(
            messages=page(found, call, "limit", 100),
            has_more=False,
            response_metadata={"next_cursor": ""},
        )

    def replies(self, call: Call) -> Reply:
        channel, ts = call.need("channel"), call.need("ts")
        parent = self._message(call, channel, ts)
        thread = [
            m for m in call.store.all(self.slug, "messages", (channel,)) if m["thread_ts"] == ts
        ]
        return _ok(messages=[self.view(parent)] + [self.view(m) for m in thread], has_more=False)

    # -- conversations -----------------------------------------------------------------------------
    def channel_view(self, c: Record) -> dict[str, Any]:
        return {
            k: c[k]
            for k in ("id", "name", "is_channel", "is_private", "is_archived", "created", "creator")
        } | {"num_members": len(c["members"])}

    def list_conversations(self, call: Call) -> Reply:
        types = str(call.arg("types") or "public_channel").split(",")
        skip_archived = str(call.arg("exclude_archived", "false")).lower() == "true"
        found = [
            self.channel_view(c)
            for c in call.store.all(self.slug, "channels")
            if ("private_channel" if c["is_private"] else "public_channel") in types
            and not (skip_archived and c["is_archived"])
        ]
        return _ok(channels=page(found, call, "limit", 100), response_metadata={"next_cursor": ""})

    def create_conversation(self, call: Call) -> Reply:
        name = str(call.need("name"))
        if any(c["name"] == name for c in call.store.all(self.slug, "channels")):
            raise Invalid("name taken", "name_taken")
        cid = "C" + call.store.ident("slack:channel", 10, "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        private = str(call.arg("is_private", "false")).lower() == "true"
        channel = self._channel(cid, name, call, private)
        call.store.put(self.slug, "channels", (), cid, channel)
        call.effect("channels.create", cid)
        return _ok(channel=self.channel_view(channel))

    def set_archived(self, call: Call, archived: bool) -> Reply:
        channel = call.require("channels", call.need("channel"))
        if channel["is_archived"] != archived:
            channel["is_archived"] = archived
            call.effect("channels.archive" if archived else "channels.unarchive", channel["id"])
        return _ok()

    def invite(self, call: Call) -> Reply:
        channel = call.require("channels", call.need("channel"))
        for uid in str(call.need("users")).split(","):
            call.require("users", uid.strip())
            if uid.strip() not in channel["members"]:
                channel["members"].append(uid.strip())
        call.effect("channels.invite", channel["id"])
        return _ok(channel=self.channel_view(channel))

    def kick(self, call: Call) -> Reply:
        channel = call.require("channels", call.need("channel"))
        uid = call.require("users", call.need("user"))["id"]
        if uid not in channel["members"]:
            if call.seed_into is None:
                raise Invalid("user is not in the channel", "not_in_channel")
            seeded = call.seed_into.get(self.slug, "channels", (), channel["id"])
            if seeded is not None:
                seeded["members"] = [*seeded["members"], uid]
            return _ok()
        channel["members"].remove(uid)
        call.effect("channels.kick", channel["id"])
        return _ok()

    # -- users -------------------------------------------------------------------------------------
    def user_view(self, u: Record) -> dict[str, Any]:
        return {
            "id": u["id"],
            "team_id": TEAM,
            "name": u["name"],
            "deleted": False,
            "real_name": u["name"].replace(".", " ").title(),
            "profile": {"email": u["email"], "display_name": u["name"]},
        }

    def list_users(self, call: Call) -> Reply:
        users = [self.user_view(u) for u in call.store.all(self.slug, "users")]
        return _ok(members=page(users, call, "limit", 100), response_metadata={"next_cursor": ""})

    def user_info(self, call: Call) -> Reply:
        return _ok(user=self.user_view(call.require("users", call.need("user"))))

    def lookup_by_email(self, call: Call) -> Reply:
        email = str(call.need("email")).lower()
        for u in call.store.all(self.slug, "users"):
            if u["email"].lower() == email:
                return _ok(user=self.user_view(u))
        if call.seed_into is not None:
            uid = "U" + call.seed_into.ident("slack:user", 10, "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
            call.seed_into.put(
                self.slug,
                "users",
                (),
                uid,
                {"id": uid, "name": email.split("@")[0], "email": email},
            )
            return _ok()
        raise NotFound("users " + email)
