"""What every provider stand-in is: a route table, generic operations on named tables, and hooks.

A provider module subclasses ``Provider``, adds its routes in ``register`` (method + path
pattern -> a handler, usually a few lines over ``create``/``update``/``remove``/``require``),
shapes records into the real provider's payloads, and overrides the hooks where the real
provider behaves in its own way (errors, rate-limit answers, headers, idempotency).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actionplane.sandbox.http import Call, Invalid, NotFound, Reply, compile_pattern
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.state import Record, Scope, Store

Handler = Callable[[Call], Reply]
Factory = Callable[[Call, str, Scope], Record]
View = Callable[[Record], Any]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str]


def iso(moment: float) -> str:
    """ISO 8601 in UTC, as most providers print times."""
    import datetime as dt

    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Provider:
    """A provider stand-in. Subclasses set ``slug`` and add routes in ``register``."""

    slug = ""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.defaults: dict[str, Factory] = {}
        self.register()

    # -- routing -------------------------------------------------------------------------------
    def register(self) -> None:
        """Add routes and default-record factories."""

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            self.routes.append(Route(method, pattern, handler, compile_pattern(pattern)))
            return handler

        return add

    def default(self, table: str) -> Callable[[Factory], Factory]:
        """Register how to make a record of ``table`` that an example refers to."""

        def add(factory: Factory) -> Factory:
            self.defaults[table] = factory
            return factory

        return add

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route in self.routes:
            if route.method == method:
                found = route.regex.match(path)
                if found:
                    return route.handler, found.groupdict()
        return None

    def materialize(self, call: Call, table: str, key: str, scope: Scope) -> Record:
        """Create the missing ``table`` record ``key`` while seeding from an example."""
        factory = self.defaults.get(table)
        if factory is None:
            raise NotFound(f"{table} {key}")
        record = factory(call, key, scope)
        call.store.put(self.slug, table, scope, key, record)
        if call.seed_into is not None:
            call.seed_into.put(self.slug, table, scope, key, dict(record))
        return record

    # -- hooks ---------------------------------------------------------------------------------
    def seed(self, store: Store, now: float) -> None:
        """Records every sandbox starts with (after each reset too)."""

    def handle(self, call: Call, handler: Handler) -> Reply:
        """Run a handler; providers with request-level semantics (Stripe idempotency) wrap it."""
        return handler(call)

    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(status, {"error": code, "message": message})

    def not_found(self, what: str) -> Reply:
        return self.error(404, "not_found", f"{what} not found")

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(problem.status, problem.code, problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        return self.error(401, "unauthorized", f"authentication failed: {verdict}")

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        """The provider's answer to a request over its rate limit (``limit`` is the configured
        limit that was hit, ``None`` for an injected fault)."""
        reply = self.error(status, "rate_limited", "rate limit exceeded")
        if retry_after is not None:
            reply.headers["Retry-After"] = str(max(1, round(retry_after + 0.499)))
        return reply

    rate_limit_statuses: tuple[int, ...] = (429,)

    def failure(self, status: int) -> Reply:
        """The provider's answer for an injected status fault (5xx and others)."""
        return self.error(status, "sandbox_fault", f"injected fault: HTTP {status}")

    def decorate(self, reply: Reply, user: str | None, limit: Limit | None, now: float) -> None:
        """Headers the provider adds to every answer (GitHub's ``x-ratelimit-*``)."""

    def token_extras(self, user: str, base_url: str) -> dict[str, Any]:
        """Provider-specific fields of an OAuth token response."""
        return {}


# -- generic operations on named tables --------------------------------------------------------


def create(
    call: Call,
    table: str,
    key: object,
    record: Record,
    scope: Scope = (),
    view: View | None = None,
    status: int = 201,
    operation: str | None = None,
) -> Reply:
    """Store a new record, record the side effect, answer with its view."""
    call.store.put(call.toolkit, table, scope, str(key), record)
    call.effect(operation or f"{table}.create", key)
    return Reply(status, view(record) if view else record)


def update(
    call: Call,
    table: str,
    key: object,
    changes: Record,
    scope: Scope = (),
    view: View | None = None,
    status: int = 200,
    operation: str | None = None,
) -> Reply:
    """Merge ``changes`` (``None`` values ignored) into an existing record."""
    record = call.require(table, key, scope)
    record.update({k: v for k, v in changes.items() if v is not None})
    call.effect(operation or f"{table}.update", key)
    return Reply(status, view(record) if view else record)


def remove(
    call: Call,
    table: str,
    key: object,
    scope: Scope = (),
    status: int = 204,
    body: Any = None,
    operation: str | None = None,
) -> Reply:
    """Delete an existing record."""
    call.require(table, key, scope)
    call.store.remove(call.toolkit, table, scope, str(key))
    call.effect(operation or f"{table}.delete", key)
    return Reply(status, body)


def fetch(
    call: Call, table: str, key: object, scope: Scope = (), view: View | None = None
) -> Reply:
    record = call.require(table, key, scope)
    return Reply(200, view(record) if view else record)


def page(records: list[Record], call: Call, size_arg: str, default: int = 30) -> list[Record]:
    """The first page of records, honouring the provider's page-size argument."""
    try:
        size = int(call.arg(size_arg, default) or default)
    except (TypeError, ValueError):
        size = default
    return records[: max(1, size)]
