"""The sandbox's whole state and the synchronous part of handling one provider request.

``Sandbox`` owns the records, the issued credentials, fault rules, rate limits and the evidence.
``call_provider`` is synchronous on purpose: rate limit, credential check and handler run without
yielding to the event loop, so concurrent requests never interleave inside one.
"""

from __future__ import annotations

import time
from typing import Any

from actionplane.catalog.loader import load_builtin_toolkits
from actionplane.catalog.models import Toolkit
from actionplane.sandbox.accounts import Accounts
from actionplane.sandbox.catalog_map import CatalogMap, ExampleRequest, split_params
from actionplane.sandbox.faults import Faults
from actionplane.sandbox.http import Call, Invalid, NotFound, Reply
from actionplane.sandbox.ledger import Effect, Evidence
from actionplane.sandbox.limits import Limits
from actionplane.sandbox.providers import all_providers
from actionplane.sandbox.providers.base import Provider
from actionplane.sandbox.state import Store

SEED_USER = "sandbox"


class Sandbox:
    """One sandbox: every provider's state, its OAuth accounts, faults, limits and evidence."""

    def __init__(
        self,
        seed: int = 0,
        access_token_ttl_s: float = 3600.0,
        toolkits: list[Toolkit] | None = None,
    ) -> None:
        self.seed = seed
        self.access_token_ttl_s = access_token_ttl_s
        self.ttl_by_toolkit: dict[str, float] = {}
        self.providers: dict[str, Provider] = {p.slug: p for p in all_providers()}
        self.catalog = CatalogMap(load_builtin_toolkits() if toolkits is None else toolkits)
        self.store = Store(seed)
        self.accounts = Accounts()
        self.faults = Faults(seed)
        self.limits = Limits()
        self.evidence = Evidence()
        self.seed_problems: list[str] = []
        self.reset()

    def token_ttl(self, toolkit: str) -> float:
        return self.ttl_by_toolkit.get(toolkit, self.access_token_ttl_s)

    def reset(self, auth: bool = False) -> None:
        """Empty state, evidence, faults and limits, then seed again. Issued credentials and
        OAuth grants survive (they are the users' accounts) unless ``auth``."""
        self.store.clear()
        self.evidence.clear()
        self.faults.clear()
        self.limits.clear()
        if auth:
            self.accounts.clear()
        now = time.time()
        for provider in self.providers.values():
            provider.seed(self.store, now)
        self.seed_problems = [
            problem for ex in self.catalog.examples() if (problem := self._seed_example(ex, now))
        ]

    def _seed_example(self, example: ExampleRequest, now: float) -> str | None:
        """Run an example against a scratch copy, keeping only the records it referred to."""
        provider = self.providers.get(example.toolkit)
        found = provider.match(example.method, example.path) if provider else None
        if provider is None or found is None:
            return f"{example.tool}: no sandbox route for {example.method} {example.path}"
        handler, params = found
        call = Call(
            provider=provider,
            method=example.method,
            path=example.path,
            params=split_params(params),
            query=example.query,
            body=example.body,
            headers=example.headers,
            user=SEED_USER,
            store=self.store.snapshot(),
            record_effect=lambda operation, resource: None,
            now=now,
            seed_into=self.store,
        )
        try:
            handler(call)
        except (NotFound, Invalid) as problem:
            return f"{example.tool}: {problem}"
        return None

    def call_provider(
        self,
        toolkit: str,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
    ) -> Reply:
        """Rate limit, authenticate and run one provider request (``path`` is the full path)."""
        provider = self.providers.get(toolkit)
        if provider is None:
            return Reply(404, {"error": "not_found", "message": f"no sandbox toolkit {toolkit!r}"})
        now = time.time()
        limit = self.limits.get(toolkit)
        if limit is not None and (wait := limit.take(now)) is not None:
            reply = provider.rate_limited(wait, limit, 429)
            provider.decorate(reply, None, limit, now)
            return reply
        verdict, user = self.accounts.check(toolkit, headers, query, body, now)
        if verdict != "ok" or user is None:
            return provider.unauthorized(verdict)
        found = provider.match(method, path)
        if found is None:
            return provider.not_found(f"{method} {path}")
        handler, params = found
        key = headers.get("idempotency-key")

        def record(operation: str, resource: str | None) -> None:
            self.evidence.effects.append(
                Effect(toolkit, operation, resource, key, time.time(), user)
            )

        call = Call(
            provider=provider,
            method=method,
            path=path,
            params=split_params(params),
            query=query,
            body=body,
            headers=headers,
            user=user,
            store=self.store,
            record_effect=record,
            now=now,
            idempotency_key=key,
        )
        try:
            reply = provider.handle(call, handler)
        except NotFound as missing:
            reply = provider.not_found(missing.what)
        except Invalid as problem:
            reply = provider.invalid(problem)
        provider.decorate(reply, user, limit, now)
        return reply
