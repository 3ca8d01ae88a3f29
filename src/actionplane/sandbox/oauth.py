"""An OAuth 2.0 authorization server per toolkit, at ``/oauth/<toolkit>/...``.

- ``authorize``: authorization code with PKCE (S256 only; required unless the toolkit declares
  ``pkce: false`` for its provider), exact ``redirect_uri``
  binding, ``state`` echoed. With ``login_hint`` the user is logged in and consents at once (a
  302 to the redirect URI); without it a one-field HTML form asks who is logging in.
- ``token``: ``authorization_code`` and ``refresh_token`` grants. Refresh tokens rotate; reusing
  a rotated one answers ``invalid_grant`` and revokes the whole grant (as oidc-provider does).
  Replaying a code revokes what it issued.
- ``revoke`` (RFC 7009: unknown tokens get 200; revoking either token revokes the grant) and
  ``introspect`` (RFC 7662).

Client authentication is ``client_secret_basic`` or ``client_secret_post``; any secret is
accepted (the sandbox is not the place to test secret management), but a code only works for
the client and redirect URI it was issued to.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from actionplane.catalog.models import OAuth2Scheme
from actionplane.sandbox.accounts import AccessToken, Grant, RefreshToken
from actionplane.sandbox.core import Sandbox
from actionplane.sandbox.http import Reply

CODE_TTL_S = 120.0


@dataclass
class PendingCode:
    toolkit: str
    client_id: str
    redirect_uri: str
    challenge: str
    user: str
    scopes: tuple[str, ...]
    expires_at: float
    used: bool = False
    grant: Grant | None = None


def _error(code: str, description: str, status: int = 400) -> Reply:
    return Reply(status, {"error": code, "error_description": description})


def _redirect(uri: str, params: dict[str, str]) -> Reply:
    joiner = "&" if "?" in uri else "?"
    return Reply(302, None, {"Location": uri + joiner + urlencode(params)})


class OAuthServer:
    """The authorization endpoints of every toolkit, over the sandbox's accounts."""

    def __init__(self, sandbox: Sandbox, public_url: str = "") -> None:
        self.sandbox = sandbox
        self.public_url = public_url
        self.codes: dict[str, PendingCode] = {}

    def handle(
        self,
        toolkit: str,
        endpoint: str,
        method: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
    ) -> Reply:
        if toolkit not in self.sandbox.providers:
            return _error("invalid_request", f"no sandbox toolkit {toolkit!r}", 404)
        if endpoint == "authorize":
            return self.authorize(toolkit, params)
        if method != "POST":
            return _error("invalid_request", "use POST", 405)
        if endpoint == "token":
            return self.token(toolkit, params, headers)
        if endpoint == "revoke":
            return self.revoke(params)
        if endpoint == "introspect":
            return self.introspect(params)
        return _error("invalid_request", f"unknown endpoint {endpoint!r}", 404)

    def authorize(self, toolkit: str, q: Mapping[str, str]) -> Reply:
        redirect_uri, client_id = q.get("redirect_uri", ""), q.get("client_id", "")
        if not redirect_uri.startswith(("http://", "https://")) or not client_id:
            return _error("invalid_request", "client_id and an http(s) redirect_uri are required")
        state = {"state": q["state"]} if "state" in q else {}
        if q.get("response_type", "code") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", **state})
        pkce = bool(q.get("code_challenge")) or self._pkce_required(toolkit)
        if pkce and (q.get("code_challenge_method") != "S256" or not q.get("code_challenge")):
            return _redirect(
                redirect_uri,
                {"error": "invalid_request", "error_description": "PKCE S256 is required", **state},
            )
        user = q.get("login_hint") or q.get("login")
        if not user:
            return self._login_form(q)
        code = "code_" + secrets.token_urlsafe(24)
        self.codes[code] = PendingCode(
            toolkit=toolkit,
            client_id=client_id,
            redirect_uri=redirect_uri,
            challenge=q.get("code_challenge", ""),
            user=user,
            scopes=tuple(q.get("scope", "").replace(",", " ").split()),
            expires_at=time.time() + CODE_TTL_S,
        )
        return _redirect(redirect_uri, {"code": code, **state})

    def _pkce_required(self, toolkit: str) -> bool:
        """PKCE is required unless the toolkit declares that its provider does not do it."""
        kit = self.sandbox.catalog.toolkits.get(toolkit)
        schemes = [s for s in (kit.auth if kit else ()) if isinstance(s, OAuth2Scheme)]
        return not schemes or any(s.pkce for s in schemes)

    @staticmethod
    def _login_form(q: Mapping[str, str]) -> Reply:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in q.items()
        )
        page = (
            "<!doctype html><title>Sandbox login</title><form method=get>"
            f'{hidden}<label>Log in as <input name="login" autofocus></label>'
            "<button>Allow</button></form>"
        )
        return Reply(200, raw=page.encode(), content_type="text/html; charset=utf-8")

    def token(self, toolkit: str, form: Mapping[str, str], headers: Mapping[str, str]) -> Reply:
        client_id = form.get("client_id") or _basic_client(headers.get("authorization", ""))
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange(toolkit, client_id, form)
        if grant_type == "refresh_token":
            return self._refresh(toolkit, client_id, form)
        return _error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _exchange(self, toolkit: str, client_id: str | None, form: Mapping[str, str]) -> Reply:
        pending = self.codes.get(form.get("code", ""))
        if pending is None or pending.toolkit != toolkit:
            return _error("invalid_grant", "unknown authorization code")
        if pending.used:
            # A replayed code is a stolen code: what it issued is revoked.
            if pending.grant is not None:
                self.sandbox.accounts.revoke_grant(pending.grant, "authorization code replayed")
            return _error("invalid_grant", "authorization code already used")
        if pending.expires_at < time.time():
            return _error("invalid_grant", "authorization code expired")
        if client_id != pending.client_id or form.get("redirect_uri") != pending.redirect_uri:
            return _error("invalid_grant", "client_id or redirect_uri does not match")
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        if pending.challenge and expected != pending.challenge:
            return _error("invalid_grant", "PKCE verification failed")
        pending.used = True
        now = time.time()
        grant = Grant(
            "grant_" + secrets.token_hex(8),
            toolkit,
            pending.user,
            pending.client_id,
            pending.scopes,
            now,
        )
        self.sandbox.accounts.grants[grant.id] = grant
        pending.grant = grant
        return self._issue(grant)

    def _refresh(self, toolkit: str, client_id: str | None, form: Mapping[str, str]) -> Reply:
        accounts = self.sandbox.accounts
        token = accounts.refresh.get(form.get("refresh_token", ""))
        if token is None or token.grant.toolkit != toolkit:
            return _error("invalid_grant", "unknown refresh token")
        grant = token.grant
        if client_id and client_id != grant.client_id:
            return _error("invalid_grant", "refresh token was issued to another client")
        if grant.revoked:
            return _error("invalid_grant", "grant revoked")
        if token.used:
            accounts.revoke_grant(grant, "rotated refresh token reused")
            return _error("invalid_grant", "refresh token already used; grant revoked")
        token.used = True
        grant.refreshes += 1
        return self._issue(grant)

    def _issue(self, grant: Grant) -> Reply:
        accounts, ttl = self.sandbox.accounts, self.sandbox.token_ttl(grant.toolkit)
        access = AccessToken("sbx_at_" + secrets.token_urlsafe(24), grant, time.time() + ttl)
        refresh = RefreshToken("sbx_rt_" + secrets.token_urlsafe(24), grant)
        accounts.access[access.value] = access
        accounts.refresh[refresh.value] = refresh
        provider = self.sandbox.providers[grant.toolkit]
        body = {
            "access_token": access.value,
            "token_type": "bearer",
            "expires_in": round(ttl) if ttl >= 1 else ttl,
            "refresh_token": refresh.value,
            "scope": " ".join(grant.scopes),
            **provider.token_extras(grant.user, f"{self.public_url}/{grant.toolkit}"),
        }
        return Reply(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def revoke(self, form: Mapping[str, str]) -> Reply:
        value, accounts = form.get("token", ""), self.sandbox.accounts
        found = accounts.access.get(value) or accounts.refresh.get(value)
        if found is not None:
            accounts.revoke_grant(found.grant, "revoked by the client")
        return Reply(200, None)

    def introspect(self, form: Mapping[str, str]) -> Reply:
        value, accounts = form.get("token", ""), self.sandbox.accounts
        access = accounts.access.get(value)
        if access is not None and not access.grant.revoked and access.expires_at > time.time():
            g = access.grant
            return Reply(
                200,
                {
                    "active": True,
                    "sub": g.user,
                    "client_id": g.client_id,
                    "scope": " ".join(g.scopes),
                    "exp": int(access.expires_at),
                    "token_type": "access_token",
                },
            )
        refresh = accounts.refresh.get(value)
        if refresh is not None and not refresh.grant.revoked and not refresh.used:
            g = refresh.grant
            return Reply(
                200,
                {
                    "active": True,
                    "sub": g.user,
                    "client_id": g.client_id,
                    "token_type": "refresh_token",
                },
            )
        return Reply(200, {"active": False})


def _basic_client(header: str) -> str | None:
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(rest).decode().partition(":")[0] or None
    except ValueError:
        return None
