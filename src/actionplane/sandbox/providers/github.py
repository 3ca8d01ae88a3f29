"""GitHub REST v3 stand-in: repositories, issues, comments, labels, pull requests, search.

Every answer carries ``x-ratelimit-*`` headers (per user, hourly, or from a configured limit).
Over a configured limit the answer is GitHub's primary limit (403, ``remaining: 0`` and the reset
time); an injected 403/429 fault is the secondary limit (its message and ``retry-after``).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from actionplane.sandbox.http import Call, Invalid, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import (
    Provider,
    create,
    fetch,
    iso,
    page,
    remove,
    update,
)
from actionplane.sandbox.state import Record, Scope, Store

WEB = "https://github.com"
API = "https://api.github.com"
HOURLY = 5000


def _scope(call: Call) -> Scope:
    return (call.params["owner"].lower(), call.params["repo"].lower())


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _user(login: str) -> dict[str, Any]:
    number = int(_sha(login)[:6], 16)
    return {"login": login, "id": number, "type": "User", "html_url": f"{WEB}/{login}"}


class GitHub(Provider):
    slug = "github"
    rate_limit_statuses = (403, 429)

    def register(self) -> None:
        self._usage: dict[str, tuple[float, int]] = {}
        r = self.route
        r("GET", "/user")(lambda c: Reply(200, {**_user(c.user), "name": c.user.title()}))
        r("GET", "/user/repos")(self.list_repos)
        r("POST", "/user/repos")(self.create_repo)
        r("GET", "/repos/{owner}/{repo}")(lambda c: Reply(200, self.repo(c)))
        r("DELETE", "/repos/{owner}/{repo}")(self.delete_repo)
        r("POST", "/repos/{owner}/{repo}/issues")(self.create_issue)
        r("GET", "/repos/{owner}/{repo}/issues")(self.list_issues)
        r("GET", "/repos/{owner}/{repo}/issues/{number}")(self.get_issue)
        r("PATCH", "/repos/{owner}/{repo}/issues/{number}")(self.update_issue)
        r("POST", "/repos/{owner}/{repo}/issues/{number}/comments")(self.create_comment)
        r("GET", "/repos/{owner}/{repo}/issues/{number}/comments")(self.list_comments)
        r("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}")(self.delete_comment)
        r("POST", "/repos/{owner}/{repo}/issues/{number}/labels")(self.add_labels)
        r("DELETE", "/repos/{owner}/{repo}/issues/{number}/labels/{name}")(self.remove_label)
        r("GET", "/search/issues")(self.search_issues)
        r("POST", "/repos/{owner}/{repo}/pulls")(self.create_pull)
        r("GET", "/repos/{owner}/{repo}/pulls")(self.list_pulls)
        r("GET", "/repos/{owner}/{repo}/pulls/{number}")(self.get_pull)
        r("PATCH", "/repos/{owner}/{repo}/pulls/{number}")(self.update_pull)
        r("PUT", "/repos/{owner}/{repo}/pulls/{number}/merge")(self.merge_pull)
        self.default("repos")(lambda c, key, scope: self._repo_record(c, *key.split("/", 1)))
        self.default("issues")(lambda c, key, scope: self._issue_record(c, scope, int(key), {}))
        self.default("pulls")(lambda c, key, scope: self._pull_record(c, scope, int(key), {}))
        self.default("comments")(
            lambda c, key, scope: {
                "id": int(key),
                "body": "Seeded comment",
                "user": c.user,
                "issue": 1,
                "created_at": iso(c.now),
            }
        )
        self.default("labels")(lambda c, key, scope: {"name": key})

    def seed(self, store: Store, now: float) -> None:
        store.put(
            self.slug,
            "repos",
            (),
            "octocat/hello-world",
            {
                "owner": "octocat",
                "name": "hello-world",
                "description": "My first repository",
                "private": False,
                "default_branch": "main",
                "created_at": iso(now),
                "pushed_at": iso(now),
            },
        )

    # -- errors and headers ------------------------------------------------------------------------
    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status,
            {
                "message": message,
                "documentation_url": "https://docs.github.com/rest",
                "status": str(status),
            },
        )

    def not_found(self, what: str) -> Reply:
        return self.error(404, "not_found", "Not Found")

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(422, problem.code, "Validation Failed: " + problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(401, "unauthorized", "Bad credentials")

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        if limit is not None:
            return self.error(403, "rate_limited", "API rate limit exceeded for user ID 1.")
        reply = self.error(
            status,
            "rate_limited",
            "You have exceeded a secondary rate limit. "
            "Please wait a few minutes before you try again.",
        )
        reply.headers["Retry-After"] = str(math.ceil(retry_after if retry_after else 60))
        return reply

    def decorate(self, reply: Reply, user: str | None, limit: Limit | None, now: float) -> None:
        if limit is not None:
            total, left, reset = limit.limit, limit.remaining(), limit.reset_at()
        else:
            start, used = self._usage.get(user or "", (now, 0))
            if now - start >= 3600:
                start, used = now, 0
            used += 1
            self._usage[user or ""] = (start, used)
            total, left, reset = HOURLY, max(0, HOURLY - used), math.ceil(start + 3600)
        reply.headers.update(
            {
                "x-ratelimit-limit": str(total),
                "x-ratelimit-remaining": str(left),
                "x-ratelimit-used": str(total - left),
                "x-ratelimit-reset": str(reset),
                "x-ratelimit-resource": "core",
            }
        )

    # -- repositories ------------------------------------------------------------------------------
    def _repo_record(self, call: Call, owner: str, name: str) -> Record:
        return {
            "owner": owner,
            "name": name,
            "description": None,
            "private": False,
            "default_branch": "main",
            "created_at": iso(call.now),
            "pushed_at": iso(call.now),
        }

    def repo_view(self, record: Record) -> dict[str, Any]:
        full = f"{record['owner']}/{record['name']}"
        return {
            "id": int(_sha(full.lower())[:7], 16),
            "name": record["name"],
            "full_name": full,
            "owner": _user(record["owner"]),
            "private": record["private"],
            "description": record["description"],
            "html_url": f"{WEB}/{full}",
            "url": f"{API}/repos/{full}",
            "default_branch": record["default_branch"],
            "created_at": record["created_at"],
            "pushed_at": record["pushed_at"],
            "visibility": "private" if record["private"] else "public",
        }

    def repo(self, call: Call) -> dict[str, Any]:
        return self.repo_view(call.require("repos", "/".join(_scope(call))))

    def list_repos(self, call: Call) -> Reply:
        mine = [
            r for r in call.store.all(self.slug, "repos") if r["owner"].lower() == call.user.lower()
        ]
        return Reply(200, [self.repo_view(r) for r in page(mine, call, "per_page")])

    def create_repo(self, call: Call) -> Reply:
        name = call.need("name")
        key = f"{call.user}/{name}".lower()
        if call.store.get(self.slug, "repos", (), key):
            raise Invalid("name already exists on this account", "already_exists")
        record = {
            **self._repo_record(call, call.user, name),
            "description": call.arg("description"),
            "private": bool(call.arg("private")),
        }
        return create(call, "repos", key, record, view=self.repo_view)

    def delete_repo(self, call: Call) -> Reply:
        return remove(call, "repos", "/".join(_scope(call)))

    # -- issues ------------------------------------------------------------------------------------
    def _next_number(self, call: Call, scope: Scope) -> int:
        taken = [
            r["number"] for t in ("issues", "pulls") for r in call.store.all(self.slug, t, scope)
        ]
        return max(taken, default=0) + 1

    def _issue_record(self, call: Call, scope: Scope, number: int, body: dict[str, Any]) -> Record:
        return {
            "number": number,
            "title": body.get("title", f"Seeded issue {number}"),
            "body": body.get("body"),
            "state": "open",
            "state_reason": None,
            "labels": list(body.get("labels") or []),
            "assignees": list(body.get("assignees") or []),
            "user": call.user,
            "comments": 0,
            "scope": scope,
            "created_at": iso(call.now),
            "updated_at": iso(call.now),
            "closed_at": None,
        }

    def issue_view(self, r: Record) -> dict[str, Any]:
        full = "/".join(r["scope"])
        return {
            "id": int(_sha(f"{full}#{r['number']}")[:8], 16),
            "number": r["number"],
            "title": r["title"],
            "body": r["body"],
            "state": r["state"],
            "state_reason": r["state_reason"],
            "user": _user(r["user"]),
            "labels": [{"name": n} for n in r["labels"]],
            "assignees": [_user(a) for a in r["assignees"]],
            "comments": r["comments"],
            "html_url": f"{WEB}/{full}/issues/{r['number']}",
            "url": f"{API}/repos/{full}/issues/{r['number']}",
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
            "closed_at": r["closed_at"],
        }

    def create_issue(self, call: Call) -> Reply:
        scope = _scope(call)
        call.require("repos", "/".join(scope))
        if not call.arg("title"):
            raise Invalid("title is missing", "missing_field")
        number = self._next_number(call, scope)
        record = self._issue_record(call, scope, number, call.body or {})
        return create(call, "issues", number, record, scope, self.issue_view)

    def list_issues(self, call: Call) -> Reply:
        state = call.arg("state", "open")
        found = [
            r
            for r in reversed(call.store.all(self.slug, "issues", _scope(call)))
            if state == "all" or r["state"] == state
        ]
        if call.arg("labels"):
            wanted = set(str(call.arg("labels")).split(","))
            found = [r for r in found if wanted <= set(r["labels"])]
        return Reply(200, [self.issue_view(r) for r in page(found, call, "per_page")])

    def get_issue(self, call: Call) -> Reply:
        return fetch(call, "issues", int(call.params["number"]), _scope(call), self.issue_view)

    def update_issue(self, call: Call) -> Reply:
        body = dict(call.body or {})
        if body.get("state") == "closed":
            body["closed_at"] = iso(call.now)
            body.setdefault("state_reason", "completed")
        body["updated_at"] = iso(call.now)
        return update(
            call, "issues", int(call.params["number"]), body, _scope(call), self.issue_view
        )

    def add_labels(self, call: Call) -> Reply:
        issue = call.require("issues", int(call.params["number"]), _scope(call))
        body = call.body if isinstance(call.body, dict) else {"labels": call.body or []}
        for name in body.get("labels") or []:
            if name not in issue["labels"]:
                issue["labels"].append(name)
        call.effect("labels.add", issue["number"])
        return Reply(200, [{"name": n} for n in issue["labels"]])

    def remove_label(self, call: Call) -> Reply:
        issue = call.require("issues", int(call.params["number"]), _scope(call))
        name = call.params["name"]
        if name not in issue["labels"]:
            if call.seed_into is None:
                return self.error(404, "not_found", "Label does not exist")
            # Seeding: the example removes a label, so the seeded issue carries it.
            seeded = call.seed_into.get(self.slug, "issues", _scope(call), str(issue["number"]))
            if seeded is not None:
                seeded["labels"] = [*seeded["labels"], name]
            issue["labels"].append(name)
        issue["labels"].remove(name)
        call.effect("labels.remove", issue["number"])
        return Reply(200, [{"name": n} for n in issue["labels"]])

    def search_issues(self, call: Call) -> Reply:
        terms = str(call.arg("q", "")).split()
        found = []
        for r in call.store.all(self.slug, "issues", None):
            ok = True
            for term in terms:
                key, _, value = term.partition(":")
                if key == "repo":
                    ok &= "/".join(r["scope"]) == value.lower()
                elif key in ("is", "state") and value in ("open", "closed"):
                    ok &= r["state"] == value
                elif key == "label":
                    ok &= value in r["labels"]
                elif not value:
                    ok &= key.lower() in (r["title"] or "").lower()
            if ok:
                found.append(r)
        items = [self.issue_view(r) for r in page(found, call, "per_page")]
        return Reply(200, {"total_count": len(found), "incomplete_results": False, "items": items})

    # -- comments ------------------------------------------------------------------------------
    def comment_view(self, r: Record) -> dict[str, Any]:
        return {
            "id": r["id"],
            "body": r["body"],
            "user": _user(r["user"]),
            "created_at": r["created_at"],
            "updated_at": r["created_at"],
            "html_url": f"{WEB}/issues/{r['issue']}#issuecomment-{r['id']}",
        }

    def create_comment(self, call: Call) -> Reply:
        scope = _scope(call)
        issue = call.require("issues", int(call.params["number"]), scope)
        comment_id = 1_000_000_000 + call.store.count("github:comment")
        issue["comments"] += 1
        record = {
            "id": comment_id,
            "body": call.need("body"),
            "user": call.user,
            "issue": issue["number"],
            "created_at": iso(call.now),
        }
        return create(call, "comments", comment_id, record, scope, self.comment_view)

    def list_comments(self, call: Call) -> Reply:
        scope, number = _scope(call), int(call.params["number"])
        call.require("issues", number, scope)
        found = [c for c in call.store.all(self.slug, "comments", scope) if c["issue"] == number]
        return Reply(200, [self.comment_view(c) for c in page(found, call, "per_page")])

    def delete_comment(self, call: Call) -> Reply:
        return remove(call, "comments", int(call.params["comment_id"]), _scope(call))

    # -- pull requests ---------------------------------------------------------------------------
    def _pull_record(self, call: Call, scope: Scope, number: int, body: dict[str, Any]) -> Record:
        return {
            "number": number,
            "title": body.get("title", f"Seeded pull request {number}"),
            "body": body.get("body"),
            "state": "open",
            "merged": False,
            "head": body.get("head", f"branch-{number}"),
            "base": body.get("base", "main"),
            "user": call.user,
            "scope": scope,
            "created_at": iso(call.now),
            "head_sha": _sha(f"{scope}{number}"),
            "merge_commit_sha": None,
        }

    def pull_view(self, r: Record) -> dict[str, Any]:
        full = "/".join(r["scope"])
        return {
            "id": int(_sha(f"{full}!{r['number']}")[:8], 16),
            "number": r["number"],
            "title": r["title"],
            "body": r["body"],
            "state": r["state"],
            "merged": r["merged"],
            "user": _user(r["user"]),
            "head": {"ref": r["head"], "sha": r["head_sha"]},
            "base": {"ref": r["base"]},
            "html_url": f"{WEB}/{full}/pull/{r['number']}",
            "created_at": r["created_at"],
            "merge_commit_sha": r["merge_commit_sha"],
        }

    def create_pull(self, call: Call) -> Reply:
        scope = _scope(call)
        call.require("repos", "/".join(scope))
        for field in ("title", "head", "base"):
            call.need(field)
        number = self._next_number(call, scope)
        record = self._pull_record(call, scope, number, call.body or {})
        return create(call, "pulls", number, record, scope, self.pull_view)

    def list_pulls(self, call: Call) -> Reply:
        state, base = call.arg("state", "open"), call.arg("base")
        found = [
            r
            for r in reversed(call.store.all(self.slug, "pulls", _scope(call)))
            if (state == "all" or r["state"] == state) and base in (None, r["base"])
        ]
        return Reply(200, [self.pull_view(r) for r in page(found, call, "per_page")])

    def get_pull(self, call: Call) -> Reply:
        return fetch(call, "pulls", int(call.params["number"]), _scope(call), self.pull_view)

    def update_pull(self, call: Call) -> Reply:
        changes = {
            k: v for k, v in (call.body or {}).items() if k in ("title", "body", "state", "base")
        }
        return update(
            call, "pulls", int(call.params["number"]), changes, _scope(call), self.pull_view
        )

    def merge_pull(self, call: Call) -> Reply:
        pull = call.require("pulls", int(call.params["number"]), _scope(call))
        if pull["merged"] or pull["state"] != "open":
            return self.error(405, "not_mergeable", "Pull Request is not mergeable")
        pull.update(merged=True, state="closed", merge_commit_sha=_sha(f"merge{pull['head_sha']}"))
        call.effect("pulls.merge", pull["number"])
        return Reply(
            200,
            {
                "sha": pull["merge_commit_sha"],
                "merged": True,
                "message": "Pull Request successfully merged",
            },
        )
