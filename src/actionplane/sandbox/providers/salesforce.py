"""Salesforce REST stand-in: sObject create/read/update/delete and a small SOQL.

Errors are Salesforce's array ``[{"errorCode", "message"}]``; over the limit the answer is 403
``REQUEST_LIMIT_EXCEEDED``; an invalid or expired token is 401 ``INVALID_SESSION_ID``. SOQL
supports ``SELECT fields FROM Object [WHERE F = 'v' [AND ...]] [LIMIT n]``.
"""

from __future__ import annotations

import re
from typing import Any

from actionplane.sandbox.http import Call, Invalid, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Factory, Provider, iso
from actionplane.sandbox.state import Record, Scope

PREFIX = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Lead": "00Q",
    "Task": "00T",
    "Case": "500",
    "User": "005",
}
REQUIRED = {
    "Contact": ("LastName",),
    "Account": ("Name",),
    "Lead": ("LastName", "Company"),
    "Opportunity": ("Name", "StageName", "CloseDate"),
    "Task": (),
}
_WHERE = re.compile(r"(\w+)\s*=\s*'([^']*)'")


def _sobject_for(record_id: str) -> str:
    for name, prefix in PREFIX.items():
        if record_id.startswith(prefix):
            return name
    return "Account"


class Salesforce(Provider):
    slug = "salesforce"
    rate_limit_statuses = (403, 429)

    def register(self) -> None:
        r = self.route
        base = "/services/data/{version}"
        r("POST", base + "/sobjects/{sobject}")(self.create)
        r("GET", base + "/sobjects/{sobject}/{id}")(self.get)
        r("PATCH", base + "/sobjects/{sobject}/{id}")(self.update)
        r("DELETE", base + "/sobjects/{sobject}/{id}")(self.delete)
        r("GET", base + "/query")(self.query)
        for sobject in PREFIX:
            self.default(sobject)(self._factory(sobject))

    def _factory(self, sobject: str) -> Factory:
        def make(call: Call, key: str, scope: Scope) -> Record:
            return self._record(call, sobject, key, {})

        return make

    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(status, [{"errorCode": code, "message": message}])

    def not_found(self, what: str) -> Reply:
        return self.error(404, "NOT_FOUND", "The requested resource does not exist")

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(400, problem.code, problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = self.error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if retry_after is not None:
            reply.headers["Retry-After"] = str(max(1, round(retry_after + 0.499)))
        return reply

    def failure(self, status: int) -> Reply:
        code = "SERVER_UNAVAILABLE" if status == 503 else "UNKNOWN_EXCEPTION"
        return self.error(status, code, "An unexpected error occurred.")

    def token_extras(self, user: str, base_url: str) -> dict[str, Any]:
        return {
            "instance_url": base_url,
            "id": f"{base_url}/id/00D000000000001/{user}",
            "issued_at": "0",
            "signature": "sandbox",
        }

    def _record(self, call: Call, sobject: str, rid: str, fields: dict[str, Any]) -> Record:
        return {
            **fields,
            "Id": rid,
            "CreatedDate": iso(call.now),
            "LastModifiedDate": iso(call.now),
            "attributes": {
                "type": sobject,
                "url": f"/services/data/v60.0/sobjects/{sobject}/{rid}",
            },
        }

    def create(self, call: Call) -> Reply:
        sobject, fields = call.params["sobject"], dict(call.body or {})
        missing = [f for f in REQUIRED.get(sobject, ()) if not fields.get(f)]
        if missing:
            raise Invalid(
                f"Required fields are missing: [{', '.join(missing)}]", "REQUIRED_FIELD_MISSING"
            )
        rid = PREFIX.get(sobject, "a00") + call.store.ident("salesforce:" + sobject, 15)
        call.store.put(self.slug, sobject, (), rid, self._record(call, sobject, rid, fields))
        call.effect(f"{sobject}.create", rid)
        return Reply(201, {"id": rid, "success": True, "errors": []})

    def get(self, call: Call) -> Reply:
        record = call.require(call.params["sobject"], call.params["id"])
        wanted = call.arg("fields")
        if wanted:
            names = [f.strip() for f in str(wanted).split(",")]
            return Reply(
                200, {"attributes": record["attributes"], **{n: record.get(n) for n in names}}
            )
        return Reply(200, record)

    def update(self, call: Call) -> Reply:
        record = call.require(call.params["sobject"], call.params["id"])
        record.update({k: v for k, v in (call.body or {}).items() if k not in ("Id", "attributes")})
        record["LastModifiedDate"] = iso(call.now)
        call.effect(f"{call.params['sobject']}.update", record["Id"])
        return Reply(204)

    def delete(self, call: Call) -> Reply:
        sobject, rid = call.params["sobject"], call.params["id"]
        call.require(sobject, rid)
        call.store.remove(self.slug, sobject, (), rid)
        call.effect(f"{sobject}.delete", rid)
        return Reply(204)

    def query(self, call: Call) -> Reply:
        soql = str(call.need("q"))
        match = re.match(r"\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(.*)$", soql, re.I | re.S)
        if not match:
            raise Invalid("unexpected token in SOQL", "MALFORMED_QUERY")
        fields = [f.strip() for f in match[1].split(",")]
        rest = match[3]
        limit = re.search(r"LIMIT\s+(\d+)", rest, re.I)
        where = rest[: limit.start()] if limit else rest
        conditions = _WHERE.findall(where)
        records = [
            r
            for r in call.store.all(self.slug, match[2])
            if all(str(r.get(f)) == v for f, v in conditions)
        ]
        if limit:
            records = records[: int(limit[1])]
        rows = [{"attributes": r["attributes"], **{f: r.get(f) for f in fields}} for r in records]
        return Reply(200, {"totalSize": len(rows), "done": True, "records": rows})
