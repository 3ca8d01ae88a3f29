"""Jira Cloud REST v3 stand-in: issues, comments, transitions, assignment, JQL search, projects.

Errors use Jira's ``{"errorMessages": [...], "errors": {...}}``; a rate limit is a 429 with
``Retry-After``. JQL understands ``project = KEY`` and ``statusCategory != Done``; the rest of a
query is accepted and ignored.
"""

from __future__ import annotations

import re
from typing import Any

from actionplane.sandbox.http import Call, Invalid, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Provider, iso, page
from actionplane.sandbox.state import Record, Store

SITE = "https://sandbox.atlassian.net"
TRANSITIONS = {"11": "To Do", "21": "In Progress", "31": "Done", "41": "Closed"}
_DONE = ("Done", "Closed")


def _doc(text: Any) -> Any:
    if text is None or isinstance(text, dict):
        return text
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": str(text)}]}],
    }


class Jira(Provider):
    slug = "jira"

    def register(self) -> None:
        r = self.route
        r("POST", "/rest/api/3/issue")(self.create_issue)
        r("GET", "/rest/api/3/issue/{key}")(lambda c: Reply(200, self.view(self.issue(c))))
        r("PUT", "/rest/api/3/issue/{key}")(self.edit_issue)
        r("DELETE", "/rest/api/3/issue/{key}")(self.delete_issue)
        r("POST", "/rest/api/3/search/jql")(self.search)
        r("POST", "/rest/api/3/issue/{key}/comment")(self.add_comment)
        r("GET", "/rest/api/3/issue/{key}/comment")(self.list_comments)
        r("DELETE", "/rest/api/3/issue/{key}/comment/{comment_id}")(self.delete_comment)
        r("GET", "/rest/api/3/issue/{key}/transitions")(self.transitions)
        r("POST", "/rest/api/3/issue/{key}/transitions")(self.transition)
        r("PUT", "/rest/api/3/issue/{key}/assignee")(self.assign)
        r("GET", "/rest/api/3/project/search")(self.projects)
        r("GET", "/rest/api/3/myself")(
            lambda c: Reply(200, {"accountId": c.user, "displayName": c.user})
        )
        self.default("issues")(
            lambda c, key, scope: self._issue(c, key, {"summary": f"Seeded {key}"})
        )
        self.default("comments")(
            lambda c, key, scope: {
                "id": key,
                "body": _doc("Seeded comment"),
                "author": c.user,
                "created": iso(c.now),
            }
        )

    def seed(self, store: Store, now: float) -> None:
        for key, name in (("PROJ", "Platform"), ("OPS", "Operations")):
            store.put(self.slug, "projects", (), key, {"key": key, "name": name})

    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(status, {"errorMessages": [message], "errors": {}})

    def not_found(self, what: str) -> Reply:
        return self.error(
            404, "not_found", "Issue does not exist or you do not have permission to see it."
        )

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(
            401, "unauthorized", "Client must be authenticated to access this resource."
        )

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = self.error(429, "rate_limited", "Rate limit exceeded.")
        reply.headers["Retry-After"] = str(max(1, round((retry_after or 1) + 0.499)))
        return reply

    # -- issues ------------------------------------------------------------------------------------
    def _issue(self, call: Call, key: str, fields: dict[str, Any]) -> Record:
        number = call.store.count("jira:id") + 10000
        return {
            "id": str(number),
            "key": key,
            "summary": fields.get("summary"),
            "description": _doc(fields.get("description")),
            "labels": list(fields.get("labels") or []),
            "issuetype": (fields.get("issuetype") or {}).get("name", "Task"),
            "priority": fields.get("priority"),
            "duedate": fields.get("duedate"),
            "assignee": fields.get("assignee"),
            "status": "To Do",
            "comments": [],
            "created": iso(call.now),
            "updated": iso(call.now),
        }

    def view(self, r: Record) -> dict[str, Any]:
        return {
            "id": r["id"],
            "key": r["key"],
            "self": f"{SITE}/rest/api/3/issue/{r['id']}",
            "fields": {
                "summary": r["summary"],
                "description": r["description"],
                "labels": r["labels"],
                "issuetype": {"name": r["issuetype"]},
                "project": {"key": r["key"].split("-")[0]},
                "priority": r["priority"],
                "duedate": r["duedate"],
                "assignee": r["assignee"],
                "status": {
                    "name": r["status"],
                    "statusCategory": {"key": "done" if r["status"] in _DONE else "new"},
                },
                "created": r["created"],
                "updated": r["updated"],
            },
        }

    def issue(self, call: Call) -> Record:
        key = call.params["key"].upper()
        if key.isdigit():
            for r in call.store.all(self.slug, "issues"):
                if r["id"] == key:
                    return r
        return call.require("issues", key)

    def create_issue(self, call: Call) -> Reply:
        fields = (call.body or {}).get("fields") or {}
        project = (fields.get("project") or {}).get("key")
        if not project or not fields.get("summary"):
            return Reply(
                400, {"errorMessages": [], "errors": {"summary": "You must specify a summary."}}
            )
        numbers = [
            int(r["key"].split("-")[1])
            for r in call.store.all(self.slug, "issues")
            if r["key"].startswith(project + "-")
        ]
        key = f"{project}-{max(numbers, default=0) + 1}"
        record = self._issue(call, key, fields)
        call.store.put(self.slug, "issues", (), key, record)
        call.effect("issues.create", key)
        return Reply(
            201, {"id": record["id"], "key": key, "self": f"{SITE}/rest/api/3/issue/{record['id']}"}
        )

    def edit_issue(self, call: Call) -> Reply:
        issue = self.issue(call)
        fields = (call.body or {}).get("fields") or {}
        for name in ("summary", "labels", "duedate", "priority"):
            if name in fields:
                issue[name] = fields[name]
        if "description" in fields:
            issue["description"] = _doc(fields["description"])
        issue["updated"] = iso(call.now)
        call.effect("issues.update", issue["key"])
        return Reply(204)

    def delete_issue(self, call: Call) -> Reply:
        issue = self.issue(call)
        call.store.remove(self.slug, "issues", (), issue["key"])
        call.effect("issues.delete", issue["key"])
        return Reply(204)

    def search(self, call: Call) -> Reply:
        jql = str(call.arg("jql", ""))
        found = list(reversed(call.store.all(self.slug, "issues")))
        project = re.search(r"project\s*=\s*\"?(\w+)", jql, re.I)
        if project:
            found = [r for r in found if r["key"].startswith(project[1].upper() + "-")]
        if re.search(r"statusCategory\s*!=\s*Done", jql, re.I):
            found = [r for r in found if r["status"] not in _DONE]
        return Reply(
            200,
            {"issues": [self.view(r) for r in page(found, call, "maxResults", 50)], "isLast": True},
        )

    # -- comments, transitions, assignment -----------------------------------------------------
    def add_comment(self, call: Call) -> Reply:
        issue = self.issue(call)
        cid = str(10000 + call.store.count("jira:comment"))
        comment = {
            "id": cid,
            "body": _doc((call.body or {}).get("body")),
            "author": call.user,
            "created": iso(call.now),
        }
        call.store.put(self.slug, "comments", (issue["key"],), cid, comment)
        call.effect("comments.create", cid)
        return Reply(201, self.comment_view(comment))

    def comment_view(self, c: Record) -> dict[str, Any]:
        return {
            "id": c["id"],
            "body": c["body"],
            "author": {"accountId": c["author"]},
            "created": c["created"],
            "updated": c["created"],
        }

    def list_comments(self, call: Call) -> Reply:
        issue = self.issue(call)
        found = call.store.all(self.slug, "comments", (issue["key"],))
        if str(call.arg("orderBy", "")).startswith("-"):
            found = list(reversed(found))
        shown = page(found, call, "maxResults", 50)
        return Reply(
            200,
            {
                "startAt": 0,
                "maxResults": len(shown),
                "total": len(found),
                "comments": [self.comment_view(c) for c in shown],
            },
        )

    def delete_comment(self, call: Call) -> Reply:
        issue = self.issue(call)
        call.require("comments", call.params["comment_id"], (issue["key"],))
        call.store.remove(self.slug, "comments", (issue["key"],), call.params["comment_id"])
        call.effect("comments.delete", call.params["comment_id"])
        return Reply(204)

    def transitions(self, call: Call) -> Reply:
        self.issue(call)
        return Reply(
            200,
            {
                "transitions": [
                    {"id": i, "name": n, "to": {"name": n}} for i, n in TRANSITIONS.items()
                ]
            },
        )

    def transition(self, call: Call) -> Reply:
        issue = self.issue(call)
        target = str(((call.body or {}).get("transition") or {}).get("id", ""))
        if target not in TRANSITIONS:
            raise Invalid(f"Transition id '{target}' is not valid for this issue.")
        issue["status"] = TRANSITIONS[target]
        call.effect("issues.transition", issue["key"])
        return Reply(204)

    def assign(self, call: Call) -> Reply:
        issue = self.issue(call)
        issue["assignee"] = {"accountId": (call.body or {}).get("accountId")}
        call.effect("issues.assign", issue["key"])
        return Reply(204)

    def projects(self, call: Call) -> Reply:
        text = str(call.arg("query") or "").lower()
        found = [
            {"id": str(10000 + i), "key": p["key"], "name": p["name"]}
            for i, p in enumerate(call.store.all(self.slug, "projects"))
            if text in p["name"].lower() or text in p["key"].lower()
        ]
        return Reply(
            200,
            {"values": page(found, call, "maxResults", 50), "total": len(found), "isLast": True},
        )
