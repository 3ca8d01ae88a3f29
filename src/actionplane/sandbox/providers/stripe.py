"""Stripe API stand-in: customers, payment intents, refunds, subscriptions, charges.

``Idempotency-Key`` is honoured on POST as Stripe does: the first answer is stored with the
request's parameters; the same key with the same parameters returns it again (with
``Idempotent-Replayed: true``) and applies nothing; the same key with other parameters answers
400 ``idempotency_error``. Keys are scoped per user (Stripe: per account).
"""

from __future__ import annotations

import json
from typing import Any

from actionplane.sandbox.http import Call, Invalid, NotFound, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Handler, Provider, page
from actionplane.sandbox.state import Record


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _meta(call: Call) -> dict[str, Any]:
    value = call.arg("metadata")
    return dict(value) if isinstance(value, dict) else {}


class Stripe(Provider):
    slug = "stripe"

    def register(self) -> None:
        self._replies: dict[tuple[str, str], tuple[str, Reply]] = {}
        r = self.route
        r("POST", "/v1/customers")(self.create_customer)
        r("GET", "/v1/customers")(lambda c: self.listing(c, "customers", ("email",)))
        r("GET", "/v1/customers/{id}")(lambda c: Reply(200, c.require("customers", c.params["id"])))
        r("POST", "/v1/customers/{id}")(self.update_customer)
        r("DELETE", "/v1/customers/{id}")(self.delete_customer)
        r("POST", "/v1/payment_intents")(self.create_intent)
        r("GET", "/v1/payment_intents")(lambda c: self.listing(c, "payment_intents", ("customer",)))
        r("GET", "/v1/payment_intents/{id}")(
            lambda c: Reply(200, c.require("payment_intents", c.params["id"]))
        )
        r("POST", "/v1/payment_intents/{id}/confirm")(self.confirm_intent)
        r("POST", "/v1/payment_intents/{id}/cancel")(self.cancel_intent)
        r("POST", "/v1/refunds")(self.create_refund)
        r("GET", "/v1/refunds")(lambda c: self.listing(c, "refunds", ("payment_intent", "charge")))
        r("POST", "/v1/subscriptions")(self.create_subscription)
        r("GET", "/v1/subscriptions")(
            lambda c: self.listing(c, "subscriptions", ("customer", "status"))
        )
        r("DELETE", "/v1/subscriptions/{id}")(self.cancel_subscription)
        r("GET", "/v1/charges")(
            lambda c: self.listing(c, "charges", ("customer", "payment_intent"))
        )
        self.default("customers")(lambda c, key, scope: self._customer(c, key, {}))
        self.default("payment_intents")(
            lambda c, key, scope: self._intent(
                c, key, {"amount": "2000", "currency": "usd"}, "requires_payment_method"
            )
        )
        self.default("subscriptions")(
            lambda c, key, scope: self._subscription(c, key, "cus_sandbox", [])
        )

    # -- Stripe's request semantics ----------------------------------------------------------------
    def handle(self, call: Call, handler: Handler) -> Reply:
        key = call.idempotency_key
        if call.method != "POST" or not key:
            return handler(call)
        fingerprint = json.dumps([call.path, call.body], sort_keys=True, default=str)
        stored = self._replies.get((call.user, key))
        if stored is not None:
            if stored[0] != fingerprint:
                return self.error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same "
                    f"parameters they were first used with. Try using a key other "
                    f"than '{key}' if you meant to execute a different request.",
                )
            replay = stored[1]
            return Reply(
                replay.status, replay.body, {**replay.headers, "Idempotent-Replayed": "true"}
            )
        try:
            reply = handler(call)
        except NotFound as missing:
            reply = self.not_found(missing.what)
        except Invalid as problem:
            reply = self.invalid(problem)
        reply.headers["Idempotency-Key"] = key
        self._replies[(call.user, key)] = (fingerprint, reply)
        return reply

    def error(self, status: int, code: str, message: str) -> Reply:
        kind = "idempotency_error" if code == "idempotency_error" else "invalid_request_error"
        if status == 429:
            kind = "rate_limit_error"
        elif status >= 500:
            kind = "api_error"
        body: dict[str, Any] = {"type": kind, "message": message}
        if code not in ("idempotency_error", "api_error"):
            body["code"] = code
        return Reply(status, {"error": body}, {"Request-Id": "req_sandbox"})

    def not_found(self, what: str) -> Reply:
        table, _, key = what.partition(" ")
        return self.error(404, "resource_missing", f"No such {table.rstrip('s')}: '{key}'")

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(401, "api_key_invalid", "Invalid API Key provided: sk_test_****")

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = self.error(429, "rate_limit", "Request rate limit exceeded. Please retry later.")
        if retry_after is not None:
            reply.headers["Retry-After"] = str(max(1, round(retry_after + 0.499)))
        return reply

    def failure(self, status: int) -> Reply:
        return self.error(status, "api_error", "An unknown error occurred on Stripe's servers.")

    # -- objects -----------------------------------------------------------------------------------
    def new_id(self, call: Call, prefix: str) -> str:
        return f"{prefix}_{call.store.ident('stripe:' + prefix, 14)}"

    def listing(self, call: Call, table: str, filters: tuple[str, ...]) -> Reply:
        found = [
            r
            for r in reversed(call.store.all(self.slug, table))
            if all(call.arg(f) in (None, "", r.get(f)) for f in filters)
        ]
        data = page(found, call, "limit", 10)
        return Reply(
            200,
            {
                "object": "list",
                "url": "/v1/" + table,
                "has_more": len(found) > len(data),
                "data": data,
            },
        )

    def _customer(self, call: Call, cid: str, fields: dict[str, Any]) -> Record:
        return {
            "id": cid,
            "object": "customer",
            "created": int(call.now),
            "livemode": False,
            "email": fields.get("email"),
            "name": fields.get("name"),
            "address": fields.get("address"),
            "metadata": dict(fields.get("metadata") or {}),
            "description": fields.get("description"),
            "phone": fields.get("phone"),
        }

    def create_customer(self, call: Call) -> Reply:
        cid = self.new_id(call, "cus")
        call.store.put(self.slug, "customers", (), cid, self._customer(call, cid, call.body or {}))
        call.effect("customers.create", cid)
        return Reply(200, call.store.get(self.slug, "customers", (), cid))

    def update_customer(self, call: Call) -> Reply:
        customer = call.require("customers", call.params["id"])
        for field, value in (call.body or {}).items():
            if field == "metadata" and isinstance(value, dict):
                customer["metadata"].update(value)
            elif field in customer and field not in ("id", "object", "created"):
                customer[field] = value
        call.effect("customers.update", customer["id"])
        return Reply(200, customer)

    def delete_customer(self, call: Call) -> Reply:
        cid = call.require("customers", call.params["id"])["id"]
        call.store.remove(self.slug, "customers", (), cid)
        call.effect("customers.delete", cid)
        return Reply(200, {"id": cid, "object": "customer", "deleted": True})

    def _intent(self, call: Call, pid: str, fields: dict[str, Any], status: str) -> Record:
        return {
            "id": pid,
            "object": "payment_intent",
            "amount": _int(fields.get("amount")),
            "currency": str(fields.get("currency", "usd")).lower(),
            "status": status,
            "customer": fields.get("customer"),
            "payment_method": fields.get("payment_method"),
            "metadata": dict(fields.get("metadata") or {}),
            "created": int(call.now),
            "client_secret": f"{pid}_secret_sandbox",
            "amount_received": 0,
            "latest_charge": None,
            "cancellation_reason": None,
            "livemode": False,
        }

    def create_intent(self, call: Call) -> Reply:
        if _int(call.arg("amount")) < 1 or not call.arg("currency"):
            raise Invalid("amount and currency are required", "parameter_missing")
        if call.arg("customer"):
            call.require("customers", call.arg("customer"))
        pid = self.new_id(call, "pi")
        status = (
            "requires_payment_method" if not call.arg("payment_method") else "requires_confirmation"
        )
        intent = self._intent(call, pid, call.body or {}, status)
        call.store.put(self.slug, "payment_intents", (), pid, intent)
        call.effect("payment_intents.create", pid)
        if str(call.arg("confirm", "false")).lower() == "true":
            self._succeed(call, intent)
        return Reply(200, intent)

    def _charge(self, call: Call, intent: Record) -> Record:
        charge_id = self.new_id(call, "ch")
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "currency": intent["currency"],
            "customer": intent["customer"],
            "payment_intent": intent["id"],
            "paid": True,
            "refunded": False,
            "amount_refunded": 0,
            "status": "succeeded",
            "created": int(call.now),
        }
        return call.store.put(self.slug, "charges", (), charge_id, charge)

    def _succeed(self, call: Call, intent: Record) -> None:
        charge = self._charge(call, intent)
        intent.update(
            status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"]
        )

    def confirm_intent(self, call: Call) -> Reply:
        intent = call.require("payment_intents", call.params["id"])
        if intent["status"] in ("succeeded", "canceled"):
            raise Invalid(
                f"This PaymentIntent's status is {intent['status']}.",
                "payment_intent_unexpected_state",
            )
        intent["payment_method"] = (
            call.arg("payment_method") or intent["payment_method"] or "pm_card_visa"
        )
        self._succeed(call, intent)
        call.effect("payment_intents.confirm", intent["id"])
        return Reply(200, intent)

    def cancel_intent(self, call: Call) -> Reply:
        intent = call.require("payment_intents", call.params["id"])
        if intent["status"] in ("succeeded", "canceled"):
            raise Invalid(
                f"This PaymentIntent's status is {intent['status']}.",
                "payment_intent_unexpected_state",
            )
        intent.update(status="canceled", cancellation_reason=call.arg("cancellation_reason"))
        call.effect("payment_intents.cancel", intent["id"])
        return Reply(200, intent)

    def create_refund(self, call: Call) -> Reply:
        intent = call.require("payment_intents", call.need("payment_intent"))
        charge = next(
            (
                c
                for c in call.store.all(self.slug, "charges")
                if c["payment_intent"] == intent["id"]
            ),
            None,
        )
        if charge is None and call.seed_into is not None:
            # The example refunds this intent: seed a paid charge for it (the intent itself is
            # left as it is, for the examples that confirm or cancel it).
            charge = self._charge(call, intent)
            call.seed_into.put(self.slug, "charges", (), charge["id"], dict(charge))
        if charge is None or charge["status"] != "succeeded":
            raise Invalid(
                "This PaymentIntent does not have a successful charge to refund.",
                "charge_not_refundable",
            )
        amount = _int(call.arg("amount"), charge["amount"] - charge["amount_refunded"])
        if amount < 1 or amount > charge["amount"] - charge["amount_refunded"]:
            raise Invalid(
                "Refund amount is greater than the unrefunded amount.", "amount_too_large"
            )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        rid = self.new_id(call, "re")
        refund = {
            "id": rid,
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "reason": call.arg("reason"),
            "metadata": _meta(call),
            "created": int(call.now),
        }
        call.store.put(self.slug, "refunds", (), rid, refund)
        call.effect("refunds.create", rid)
        return Reply(200, refund)

    def _subscription(self, call: Call, sid: str, customer: str, items: list[Any]) -> Record:
        return {
            "id": sid,
            "object": "subscription",
            "customer": customer,
            "status": "active",
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{i}",
                        "price": {"id": it.get("price")},
                        "quantity": _int(it.get("quantity"), 1),
                    }
                    for i, it in enumerate(items)
                ],
            },
            "created": int(call.now),
            "canceled_at": None,
            "metadata": _meta(call),
            "collection_method": call.arg("collection_method", "charge_automatically"),
        }

    def create_subscription(self, call: Call) -> Reply:
        customer = call.require("customers", call.need("customer"))["id"]
        items = call.arg("items") or []
        if not items:
            raise Invalid("Missing required param: items.", "parameter_missing")
        sid = self.new_id(call, "sub")
        record = self._subscription(call, sid, customer, list(items))
        if call.arg("trial_period_days"):
            record["status"] = "trialing"
        call.store.put(self.slug, "subscriptions", (), sid, record)
        call.effect("subscriptions.create", sid)
        return Reply(200, record)

    def cancel_subscription(self, call: Call) -> Reply:
        sub = call.require("subscriptions", call.params["id"])
        if sub["status"] == "canceled":
            raise Invalid("This subscription is already canceled.", "resource_missing", 404)
        sub.update(status="canceled", canceled_at=int(call.now))
        call.effect("subscriptions.cancel", sub["id"])
        return Reply(200, sub)
