"""Who may call the sandbox: the credentials it issued or registered, and their state.

The sandbox accepts exactly two kinds of credential, so that a test sees the same 401s a real
provider gives:

- access tokens issued by its OAuth server for that toolkit (checked for expiry and revocation);
- static credentials registered through ``POST /_sandbox/credentials`` (a bearer token or
  personal access token, an API key, or a basic username + password), or generated there.

A credential is looked for where providers put it: ``Authorization`` (``Bearer``/``token``
prefixes, ``Basic``, or a raw key as Linear uses), ``X-Api-Key``, Slack's ``token`` header or
form field, and ``access_token``/``key``/``api_key`` query parameters.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["ok", "missing", "invalid", "expired", "revoked"]


@dataclass
class Grant:
    """One user's consent to one client on one toolkit; tokens hang off it."""

    id: str
    toolkit: str
    user: str
    client_id: str
    scopes: tuple[str, ...]
    created_at: float
    revoked: bool = False
    reason: str | None = None
    refreshes: int = 0


@dataclass
class AccessToken:
    value: str
    grant: Grant
    expires_at: float


@dataclass
class RefreshToken:
    value: str
    grant: Grant
    used: bool = False


@dataclass
class Static:
    toolkit: str
    user: str
    auth_type: str
    values: dict[str, str] = field(default_factory=dict)


def _candidates(headers: Mapping[str, str], query: Mapping[str, str], body: Any) -> Iterator[str]:
    auth = headers.get("authorization", "").strip()
    if auth:
        scheme, _, rest = auth.partition(" ")
        if scheme.lower() in ("bearer", "token") and rest:
            yield rest.strip()
        elif scheme.lower() == "basic" and rest:
            try:
                user, _, password = base64.b64decode(rest).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user, password = "", ""
            yield f"{user}:{password}"
            yield user
        else:
            yield auth
    for name in ("x-api-key", "token"):
        if headers.get(name):
            yield headers[name]
    for name in ("access_token", "key", "api_key", "token"):
        if query.get(name):
            yield query[name]
    if isinstance(body, dict) and isinstance(body.get("token"), str):
        yield body["token"]


class Accounts:
    """Issued tokens, grants and registered static credentials, across resets."""

    def __init__(self) -> None:
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.statics: dict[tuple[str, str], Static] = {}

    def register_static(
        self, toolkit: str, user: str, auth_type: str, values: Mapping[str, str | None]
    ) -> Static:
        """Accept a static credential, generating the values not given."""
        given = {k: v for k, v in values.items() if v}
        if auth_type == "basic":
            given.setdefault("username", f"{user}@example.com")
            given.setdefault("password", "sbx_" + secrets.token_urlsafe(18))
            secret = f"{given['username']}:{given['password']}"
        else:
            name = "api_key" if auth_type == "api_key" else "token"
            prefix = "sk_test_" if toolkit == "stripe" else f"sbx_{toolkit}_"
            given.setdefault(name, prefix + secrets.token_urlsafe(18))
            secret = given[name]
        static = Static(toolkit, user, auth_type, given)
        self.statics[(toolkit, secret)] = static
        return static

    def check(
        self,
        toolkit: str,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: Any,
        now: float,
    ) -> tuple[Verdict, str | None]:
        """The verdict on a request's credential and, when ``ok``, the user it acts for."""
        seen = False
        verdict: Verdict = "invalid"
        for candidate in _candidates(headers, query, body):
            seen = True
            token = self.access.get(candidate)
            if token is not None and token.grant.toolkit == toolkit:
                if token.grant.revoked:
                    verdict = "revoked"
                elif token.expires_at <= now:
                    verdict = "expired"
                else:
                    return "ok", token.grant.user
                continue
            static = self.statics.get((toolkit, candidate))
            if static is not None:
                return "ok", static.user
        return (verdict if seen else "missing"), None

    def revoke_grant(self, grant: Grant, reason: str) -> None:
        grant.revoked, grant.reason = True, reason

    def expire(self, toolkit: str | None, user: str | None, now: float) -> int:
        """Expire matching live access tokens now; returns how many."""
        hit = 0
        for token in self.access.values():
            g = token.grant
            if (
                (toolkit in (None, g.toolkit))
                and (user in (None, g.user))
                and token.expires_at > now
            ):
                token.expires_at = now
                hit += 1
        return hit

    def public_grants(self) -> list[dict[str, Any]]:
        return [
            {
                "id": g.id,
                "toolkit": g.toolkit,
                "user": g.user,
                "client_id": g.client_id,
                "scopes": list(g.scopes),
                "revoked": g.revoked,
                "reason": g.reason,
                "refreshes": g.refreshes,
            }
            for g in self.grants.values()
        ]

    def clear(self) -> None:
        self.grants.clear()
        self.access.clear()
        self.refresh.clear()
        self.statics.clear()
