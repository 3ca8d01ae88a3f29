"""HubSpot CRM v3/v4 stand-in: contacts, companies and deals, search, associations.

Errors are ``{"status": "error", "message", "category", "correlationId"}``; the rate limit is
429 with ``category: RATE_LIMITS``.
"""

from __future__ import annotations

from typing import Any

from actionplane.sandbox.http import Call, Invalid, NotFound, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Provider, iso, page
from actionplane.sandbox.state import Record

OBJECTS = ("contacts", "companies", "deals")


class HubSpot(Provider):
    slug = "hubspot"

    def register(self) -> None:
        r = self.route
        r("POST", "/crm/v3/objects/{type}/search")(self.search)
        r("POST", "/crm/v3/objects/{type}")(self.create)
        r("GET", "/crm/v3/objects/{type}")(self.list)
        r("GET", "/crm/v3/objects/{type}/{id}")(self.get)
        r("PATCH", "/crm/v3/objects/{type}/{id}")(self.update)
        r("DELETE", "/crm/v3/objects/{type}/{id}")(self.delete)
        assoc = "/crm/v4/objects/{type}/{id}/associations"
        r("PUT", assoc + "/default/{to_type}/{to_id}")(self.associate)
        r("DELETE", assoc + "/{to_type}/{to_id}")(self.dissociate)
        for kind in OBJECTS:
            self.default(kind)(lambda c, key, scope: self._record(c, key, {}))

    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status,
            {
                "status": "error",
                "message": message,
                "category": code,
                "correlationId": "00000000-0000-4000-8000-000000000000",
            },
        )

    def not_found(self, what: str) -> Reply:
        return self.error(404, "OBJECT_NOT_FOUND", "resource not found")

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(400, "VALIDATION_ERROR", problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(
            401, "INVALID_AUTHENTICATION", "Authentication credentials not found or expired."
        )

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = self.error(429, "RATE_LIMITS", "You have reached your secondly limit.")
        reply.body["errorType"] = "RATE_LIMIT"
        reply.headers["Retry-After"] = str(max(1, round((retry_after or 1) + 0.499)))
        return reply

    def _record(self, call: Call, rid: str, properties: dict[str, Any]) -> Record:
        props = {k: v for k, v in properties.items() if v is not None}
        return {
            "id": rid,
            "properties": {
                **props,
                "hs_object_id": rid,
                "createdate": iso(call.now),
                "lastmodifieddate": iso(call.now),
            },
            "createdAt": iso(call.now),
            "updatedAt": iso(call.now),
            "archived": False,
            "associations": {},
        }

    def view(self, r: Record, call: Call | None = None) -> dict[str, Any]:
        out = {k: r[k] for k in ("id", "properties", "createdAt", "updatedAt", "archived")}
        wanted = call.arg("properties") if call else None
        if wanted:
            names = wanted if isinstance(wanted, list) else str(wanted).split(",")
            out["properties"] = {n: r["properties"].get(n) for n in names} | {
                "hs_object_id": r["id"]
            }
        return out

    def _type(self, call: Call) -> str:
        kind = call.params["type"]
        if kind not in OBJECTS:
            raise NotFound(kind)
        return kind

    def create(self, call: Call) -> Reply:
        kind, properties = self._type(call), (call.body or {}).get("properties") or {}
        rid = str(100 + call.store.count("hubspot:id"))
        record = self._record(call, rid, properties)
        call.store.put(self.slug, kind, (), rid, record)
        call.effect(f"{kind}.create", rid)
        return Reply(201, self.view(record))

    def _find(self, call: Call, kind: str) -> Record:
        prop, key = call.arg("idProperty"), call.params["id"]
        if not prop:
            return call.require(kind, key)
        for record in call.store.all(self.slug, kind):
            if record["properties"].get(prop) == key:
                return record
        if call.seed_into is not None:
            rid = str(100 + call.seed_into.count("hubspot:id"))
            record = self._record(call, rid, {prop: key})
            call.seed_into.put(self.slug, kind, (), rid, record)
            return record
        raise NotFound(f"{kind} {key}")

    def get(self, call: Call) -> Reply:
        return Reply(200, self.view(self._find(call, self._type(call)), call))

    def list(self, call: Call) -> Reply:
        found = call.store.all(self.slug, self._type(call))
        return Reply(200, {"results": [self.view(r, call) for r in page(found, call, "limit", 10)]})

    def update(self, call: Call) -> Reply:
        kind = self._type(call)
        record = self._find(call, kind)
        changes = {
            k: v for k, v in ((call.body or {}).get("properties") or {}).items() if v is not None
        }
        record["properties"].update(changes, lastmodifieddate=iso(call.now))
        record["updatedAt"] = iso(call.now)
        call.effect(f"{kind}.update", record["id"])
        return Reply(200, self.view(record))

    def delete(self, call: Call) -> Reply:
        kind = self._type(call)
        record = self._find(call, kind)
        call.store.remove(self.slug, kind, (), record["id"])
        call.effect(f"{kind}.delete", record["id"])
        return Reply(204)

    def search(self, call: Call) -> Reply:
        kind, body = self._type(call), call.body or {}
        text = str(body.get("query") or "").lower()
        found = []
        for record in call.store.all(self.slug, kind):
            props = record["properties"]
            if text and not any(text in str(v).lower() for v in props.values()):
                continue
            groups = body.get("filterGroups") or []
            if groups and not any(
                all(_passes(props, f) for f in g.get("filters", [])) for g in groups
            ):
                continue
            found.append(record)
        shown = page(found, call, "limit", 10)
        return Reply(200, {"total": len(found), "results": [self.view(r, call) for r in shown]})

    def associate(self, call: Call) -> Reply:
        kind = self._type(call)
        source = call.require(kind, call.params["id"])
        to_type, to_id = call.params["to_type"], call.params["to_id"]
        call.require(to_type, to_id)
        targets = source["associations"].setdefault(to_type, [])
        if to_id not in targets:
            targets.append(to_id)
        call.effect("associations.create", f"{source['id']}->{to_id}")
        return Reply(
            200,
            {
                "status": "COMPLETE",
                "results": [
                    {
                        "from": {"id": source["id"]},
                        "to": {"id": to_id},
                        "associationSpec": {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": 1,
                        },
                    }
                ],
            },
        )

    def dissociate(self, call: Call) -> Reply:
        kind = self._type(call)
        source = call.require(kind, call.params["id"])
        to_id = call.params["to_id"]
        targets = source["associations"].get(call.params["to_type"], [])
        if to_id in targets:
            targets.remove(to_id)
        call.effect("associations.delete", f"{source['id']}->{to_id}")
        return Reply(204)


def _passes(props: dict[str, Any], rule: dict[str, Any]) -> bool:
    value, wanted, op = (
        props.get(rule.get("propertyName", "")),
        rule.get("value"),
        rule.get("operator", "EQ"),
    )
    if op == "EQ":
        return str(value) == str(wanted)
    if op == "NEQ":
        return str(value) != str(wanted)
    if op == "HAS_PROPERTY":
        return value is not None
    if op == "CONTAINS_TOKEN":
        token = str(wanted or "").strip("*").lower()
        return value is not None and token in str(value).lower()
    return True
