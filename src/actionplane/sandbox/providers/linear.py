"""Linear GraphQL stand-in: the operations the toolkit sends, routed by their root field.

The sandbox does not parse GraphQL selections: it answers with the whole object for the root
field the operation names (a superset of any selection). Errors follow Linear:
``{"errors": [{"message", "extensions": {"code", "type"}}]}``, ``AUTHENTICATION_ERROR`` for a bad
token (HTTP 401) and ``RATELIMITED`` when over the limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from actionplane.sandbox.http import Call, Invalid, NotFound, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Provider, iso
from actionplane.sandbox.state import Record, Store

TEAM_ID = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"
STATES = [
    {"id": "s-backlog", "name": "Backlog", "type": "backlog"},
    {"id": "s-todo", "name": "Todo", "type": "unstarted"},
    {"id": "s-done", "name": "Done", "type": "completed"},
]
_ROOT = re.compile(r"\{\s*(\w+)")


def _data(field: str, value: Any) -> Reply:
    return Reply(200, {"data": {field: value}})


def _nodes(items: list[Any], **extra: Any) -> dict[str, Any]:
    return {"nodes": items, "pageInfo": {"hasNextPage": False, "endCursor": None}, **extra}


class Linear(Provider):
    slug = "linear"

    def register(self) -> None:
        self.route("POST", "/graphql")(self.graphql)
        self.operations: dict[str, Callable[[Call, dict[str, Any]], Reply]] = {
            "issueCreate": self.issue_create,
            "issueUpdate": self.issue_update,
            "issue": lambda c, v: _data("issue", self.view(c, self.issue(c, v["id"]))),
            "issues": self.issues,
            "searchIssues": self.search,
            "issueArchive": lambda c, v: self.flag(c, v, "issueArchive", True),
            "issueUnarchive": lambda c, v: self.flag(c, v, "issueUnarchive", False),
            "issueDelete": self.issue_delete,
            "commentCreate": self.comment_create,
            "commentDelete": self.comment_delete,
            "teams": lambda c, v: _data(
                "teams", _nodes([self.team_view(t) for t in c.store.all(self.slug, "teams")])
            ),
            "projects": self.projects,
            "viewer": lambda c, v: _data(
                "viewer", {"id": c.user, "name": c.user, "email": f"{c.user}@example.com"}
            ),
        }
        self.default("issues")(
            lambda c, key, scope: self._issue(c, key, {"title": f"Seeded {key}"})
        )
        self.default("comments")(
            lambda c, key, scope: {
                "id": key,
                "body": "Seeded",
                "issueId": None,
                "createdAt": iso(c.now),
            }
        )

    def seed(self, store: Store, now: float) -> None:
        store.put(
            self.slug, "teams", (), TEAM_ID, {"id": TEAM_ID, "key": "ENG", "name": "Engineering"}
        )
        store.put(
            self.slug,
            "projects",
            (),
            "p-mobile",
            {
                "id": "p-mobile",
                "name": "Mobile app v2",
                "description": "The new mobile app",
                "url": "https://linear.app/sandbox/project/mobile-app-v2",
                "progress": 0.4,
                "startDate": None,
                "targetDate": None,
                "teams": _nodes([{"id": TEAM_ID, "key": "ENG"}]),
            },
        )

    def error(self, status: int, code: str, message: str) -> Reply:
        kind = {"AUTHENTICATION_ERROR": "authentication error", "RATELIMITED": "ratelimited"}
        return Reply(
            status,
            {
                "errors": [
                    {
                        "message": message,
                        "extensions": {
                            "code": code,
                            "type": kind.get(code, "invalid input"),
                            "userPresentableMessage": message,
                        },
                    }
                ],
                "data": None,
            },
        )

    def not_found(self, what: str) -> Reply:
        return self.error(400, "INVALID_INPUT", f"Entity not found: {what}")

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(400, "INVALID_INPUT", problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(401, "AUTHENTICATION_ERROR", "Authentication required, not authenticated")

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = self.error(status, "RATELIMITED", "Rate limit exceeded")
        reply.headers["Retry-After"] = str(max(1, round((retry_after or 1) + 0.499)))
        return reply

    def graphql(self, call: Call) -> Reply:
        body = call.body if isinstance(call.body, dict) else {}
        query = str(body.get("query") or "")
        root = _ROOT.search(query[query.find("{") :] if "{" in query else "")
        operation = self.operations.get(root[1]) if root else None
        if operation is None:
            raise Invalid(f"Cannot query field on type Query: {root[1] if root else '?'}")
        return operation(call, dict(body.get("variables") or {}))

    # -- issues ------------------------------------------------------------------------------------
    def _issue(self, call: Call, key: str, fields: dict[str, Any]) -> Record:
        uuid = (
            key
            if "-" in key and not re.fullmatch(r"[A-Z]+-\d+", key)
            else call.store.uuid("linear:issue")
        )
        number = (
            int(key.split("-")[1])
            if re.fullmatch(r"[A-Z]+-\d+", key)
            else call.store.count("linear:n") + 500
        )
        return {
            "id": uuid,
            "identifier": f"ENG-{number}",
            "number": number,
            "title": fields.get("title"),
            "description": fields.get("description"),
            "priority": int(fields.get("priority") or 0),
            "assigneeId": fields.get("assigneeId"),
            "stateId": "s-todo",
            "teamId": TEAM_ID,
            "createdAt": iso(call.now),
            "updatedAt": iso(call.now),
            "archivedAt": None,
        }

    def issue(self, call: Call, key: str) -> Record:
        for record in call.store.all(self.slug, "issues"):
            if key in (record["id"], record["identifier"]):
                return record
        if call.seed_into is not None:
            record = self._issue(call, key, {"title": f"Seeded {key}"})
            call.store.put(self.slug, "issues", (), record["id"], record)
            call.seed_into.put(self.slug, "issues", (), record["id"], dict(record))
            return record
        raise NotFound(f"issue {key}")

    def view(self, call: Call, r: Record) -> dict[str, Any]:
        state = next(s for s in STATES if s["id"] == r["stateId"])
        comments = [c for c in call.store.all(self.slug, "comments") if c["issueId"] == r["id"]]
        return {
            **{
                k: r[k]
                for k in (
                    "id",
                    "identifier",
                    "title",
                    "description",
                    "priority",
                    "createdAt",
                    "updatedAt",
                    "archivedAt",
                )
            },
            "url": f"https://linear.app/sandbox/issue/{r['identifier']}",
            "state": state,
            "team": {"id": TEAM_ID, "key": "ENG", "name": "Engineering"},
            "assignee": {"id": r["assigneeId"], "name": r["assigneeId"]}
            if r["assigneeId"]
            else None,
            "comments": _nodes(comments),
            "labels": _nodes([]),
        }

    def issue_create(self, call: Call, v: dict[str, Any]) -> Reply:
        data = dict(v.get("input") or {})
        call.require("teams", data.get("teamId") or "")
        if not data.get("title"):
            raise Invalid("title must not be empty")
        numbers = [r["number"] for r in call.store.all(self.slug, "issues")]
        record = self._issue(call, f"ENG-{max(numbers, default=0) + 1}", data)
        record["id"] = call.store.uuid("linear:issue")
        call.store.put(self.slug, "issues", (), record["id"], record)
        call.effect("issues.create", record["id"])
        return _data("issueCreate", {"success": True, "issue": self.view(call, record)})

    def issue_update(self, call: Call, v: dict[str, Any]) -> Reply:
        record = self.issue(call, str(v.get("id")))
        for name, value in dict(v.get("input") or {}).items():
            if name in record and name not in ("id", "identifier"):
                record[name] = value
        record["updatedAt"] = iso(call.now)
        call.effect("issues.update", record["id"])
        return _data("issueUpdate", {"success": True, "issue": self.view(call, record)})

    def issues(self, call: Call, v: dict[str, Any]) -> Reply:
        found = [
            r
            for r in call.store.all(self.slug, "issues")
            if v.get("includeArchived") or not r["archivedAt"]
        ]
        return _data(
            "issues", _nodes([self.view(call, r) for r in found[: int(v.get("first") or 50)]])
        )

    def search(self, call: Call, v: dict[str, Any]) -> Reply:
        words = str(v.get("term") or "").lower().split()
        found = [
            r
            for r in call.store.all(self.slug, "issues")
            if any(w in f"{r['title']} {r['description']}".lower() for w in words)
        ]
        shown = [self.view(call, r) for r in found[: int(v.get("first") or 50)]]
        return _data("searchIssues", _nodes(shown, totalCount=len(found)))

    def flag(self, call: Call, v: dict[str, Any], field: str, archived: bool) -> Reply:
        record = self.issue(call, str(v.get("id")))
        record["archivedAt"] = iso(call.now) if archived else None
        call.effect("issues.archive" if archived else "issues.unarchive", record["id"])
        return _data(field, {"success": True})

    def issue_delete(self, call: Call, v: dict[str, Any]) -> Reply:
        record = self.issue(call, str(v.get("id")))
        call.store.remove(self.slug, "issues", (), record["id"])
        call.effect("issues.delete", record["id"])
        return _data("issueDelete", {"success": True})

    def comment_create(self, call: Call, v: dict[str, Any]) -> Reply:
        data = dict(v.get("input") or {})
        issue = self.issue(call, str(data.get("issueId")))
        cid = call.store.uuid("linear:comment")
        comment = {
            "id": cid,
            "body": data.get("body"),
            "issueId": issue["id"],
            "createdAt": iso(call.now),
            "url": f"https://linear.app/sandbox/issue/{issue['identifier']}#comment-{cid[:8]}",
        }
        call.store.put(self.slug, "comments", (), cid, comment)
        call.effect("comments.create", cid)
        return _data("commentCreate", {"success": True, "comment": comment})

    def comment_delete(self, call: Call, v: dict[str, Any]) -> Reply:
        comment = call.require("comments", str(v.get("id")))
        call.store.remove(self.slug, "comments", (), comment["id"])
        call.effect("comments.delete", comment["id"])
        return _data("commentDelete", {"success": True})

    def team_view(self, t: Record) -> dict[str, Any]:
        return {**t, "states": _nodes(STATES), "labels": _nodes([])}

    def projects(self, call: Call, v: dict[str, Any]) -> Reply:
        wanted = str(
            (((v.get("filter") or {}).get("name") or {}).get("containsIgnoreCase")) or ""
        ).lower()
        found = [p for p in call.store.all(self.slug, "projects") if wanted in p["name"].lower()]
        return _data("projects", _nodes(found[: int(v.get("first") or 50)]))
