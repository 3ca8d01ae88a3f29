"""Notion API stand-in: pages, databases (query), blocks, search.

Errors are ``{"object": "error", "status", "code", "message"}`` (``object_not_found``,
``validation_error``, ``unauthorized``, ``rate_limited`` with ``Retry-After``).
"""

from __future__ import annotations

from typing import Any

from actionplane.sandbox.http import Call, Invalid, NotFound, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Provider, iso, page
from actionplane.sandbox.state import Record


def _title(properties: dict[str, Any]) -> str:
    for value in properties.values():
        if isinstance(value, dict) and isinstance(value.get("title"), list):
            return "".join(str((t.get("text") or {}).get("content", "")) for t in value["title"])
    return ""


def _listing(results: list[Any]) -> dict[str, Any]:
    return {"object": "list", "results": results, "has_more": False, "next_cursor": None}


class Notion(Provider):
    slug = "notion"

    def register(self) -> None:
        r = self.route
        r("POST", "/v1/pages")(self.create_page)
        r("GET", "/v1/pages/{id}")(
            lambda c: Reply(200, self.page_view(c.require("pages", c.params["id"])))
        )
        r("PATCH", "/v1/pages/{id}")(self.update_page)
        r("GET", "/v1/databases/{id}")(lambda c: Reply(200, c.require("databases", c.params["id"])))
        r("POST", "/v1/databases/{id}/query")(self.query)
        r("POST", "/v1/search")(self.search)
        r("GET", "/v1/blocks/{id}/children")(self.children)
        r("PATCH", "/v1/blocks/{id}/children")(self.append)
        r("DELETE", "/v1/blocks/{id}")(self.delete_block)
        self.default("pages")(lambda c, key, scope: self._page(c, key, {"workspace": True}, {}))
        self.default("databases")(lambda c, key, scope: self._database(c, key))
        self.default("blocks")(
            lambda c, key, scope: self._block(
                c, key, "seed", {"type": "paragraph", "paragraph": {"rich_text": []}}
            )
        )

    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status, {"object": "error", "status": status, "code": code, "message": message}
        )

    def not_found(self, what: str) -> Reply:
        return self.error(404, "object_not_found", f"Could not find {what}.")

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(400, "validation_error", problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(401, "unauthorized", "API token is invalid.")

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = self.error(
            429, "rate_limited", "You have been rate limited. Please try again in a few minutes."
        )
        reply.headers["Retry-After"] = str(max(1, round((retry_after or 1) + 0.499)))
        return reply

    def token_extras(self, user: str, base_url: str) -> dict[str, Any]:
        return {
            "bot_id": "b0000000-0000-4000-8000-000000000001",
            "workspace_name": "Sandbox",
            "workspace_id": "w0000000-0000-4000-8000-000000000001",
            "owner": {"type": "user", "user": {"id": user}},
        }

    def _page(
        self, call: Call, pid: str, parent: dict[str, Any], properties: dict[str, Any]
    ) -> Record:
        return {
            "object": "page",
            "id": pid,
            "created_time": iso(call.now),
            "last_edited_time": iso(call.now),
            "archived": False,
            "in_trash": False,
            "parent": parent,
            "properties": properties,
            "url": f"https://www.notion.so/{pid.replace('-', '')}",
        }

    def _database(self, call: Call, did: str) -> Record:
        return {
            "object": "database",
            "id": did,
            "title": [{"plain_text": "Tasks", "text": {"content": "Tasks"}}],
            "created_time": iso(call.now),
            "last_edited_time": iso(call.now),
            "archived": False,
            "properties": {
                "Name": {"type": "title", "title": {}},
                "Status": {"type": "select", "select": {"options": []}},
                "Due": {"type": "date", "date": {}},
            },
            "url": f"https://www.notion.so/{did.replace('-', '')}",
        }

    def _block(self, call: Call, bid: str, parent: str, content: dict[str, Any]) -> Record:
        return {
            **content,
            "object": "block",
            "id": bid,
            "parent_id": parent,
            "created_time": iso(call.now),
            "has_children": False,
            "archived": False,
        }

    def page_view(self, record: Record) -> Record:
        return dict(record)

    def create_page(self, call: Call) -> Reply:
        parent = (call.body or {}).get("parent") or {}
        if parent.get("page_id"):
            call.require("pages", parent["page_id"])
            parent = {"type": "page_id", "page_id": parent["page_id"]}
        elif parent.get("database_id"):
            call.require("databases", parent["database_id"])
            parent = {"type": "database_id", "database_id": parent["database_id"]}
        else:
            raise Invalid("body.parent should be defined.")
        pid = call.store.uuid("notion:page")
        record = self._page(call, pid, parent, (call.body or {}).get("properties") or {})
        call.store.put(self.slug, "pages", (), pid, record)
        for child in (call.body or {}).get("children") or []:
            bid = call.store.uuid("notion:block")
            call.store.put(self.slug, "blocks", (), bid, self._block(call, bid, pid, child))
        call.effect("pages.create", pid)
        return Reply(200, record)

    def update_page(self, call: Call) -> Reply:
        record = call.require("pages", call.params["id"])
        body = call.body or {}
        record["properties"].update(body.get("properties") or {})
        for flag in ("archived", "in_trash"):
            if flag in body:
                record["archived"] = record["in_trash"] = bool(body[flag])
        record["last_edited_time"] = iso(call.now)
        call.effect("pages.update", record["id"])
        return Reply(200, record)

    def query(self, call: Call) -> Reply:
        did = call.require("databases", call.params["id"])["id"]
        rows = [
            p
            for p in call.store.all(self.slug, "pages")
            if p["parent"].get("database_id") == did and not p["archived"]
        ]
        wanted = (call.body or {}).get("filter") or {}
        if "select" in wanted and "equals" in wanted["select"]:
            name = wanted.get("property")
            rows = [
                p
                for p in rows
                if ((p["properties"].get(name) or {}).get("select") or {}).get("name")
                == wanted["select"]["equals"]
            ]
        return Reply(200, _listing(page(rows, call, "page_size", 100)))

    def search(self, call: Call) -> Reply:
        body = call.body or {}
        text = str(body.get("query") or "").lower()
        kind = ((body.get("filter") or {}).get("value")) or None
        found: list[Record] = []
        if kind in (None, "page"):
            found += [
                p
                for p in call.store.all(self.slug, "pages")
                if text in _title(p["properties"]).lower()
            ]
        if kind in (None, "database"):
            found += [
                d
                for d in call.store.all(self.slug, "databases")
                if text in "".join(t.get("plain_text", "") for t in d["title"]).lower()
            ]
        return Reply(200, _listing(page(found, call, "page_size", 100)))

    def _container(self, call: Call) -> str:
        key = call.params["id"]
        for table in ("pages", "blocks"):
            if call.store.get(self.slug, table, (), key) is not None:
                return key
        if call.seeding:
            return str(call.require("pages", key)["id"])
        raise NotFound(f"block {key}")

    def children(self, call: Call) -> Reply:
        parent = self._container(call)
        blocks = [b for b in call.store.all(self.slug, "blocks") if b["parent_id"] == parent]
        return Reply(200, _listing(page(blocks, call, "page_size", 100)))

    def append(self, call: Call) -> Reply:
        parent = self._container(call)
        added = []
        for child in (call.body or {}).get("children") or []:
            bid = call.store.uuid("notion:block")
            added.append(
                call.store.put(self.slug, "blocks", (), bid, self._block(call, bid, parent, child))
            )
        if not added:
            raise Invalid("body.children should be a non-empty array.")
        call.effect("blocks.append", parent)
        return Reply(200, _listing(added))

    def delete_block(self, call: Call) -> Reply:
        block = call.require("blocks", call.params["id"])
        if block["archived"]:
            raise Invalid("Can't edit block that is archived.")
        block["archived"] = True
        call.effect("blocks.delete", block["id"])
        return Reply(200, block)
