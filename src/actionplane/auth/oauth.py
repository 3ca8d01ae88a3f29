"""An OAuth 2.0 client: authorization code with PKCE (S256), code exchange, refresh, revocation.

Written on httpx rather than Authlib: the surface is four small requests, every provider's
token response needs its own reading anyway (Slack nests the user, Salesforce adds an instance
URL), and strict typing stays intact. Secrets never appear in a ``repr`` or an error.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from actionplane.catalog.models import OAuth2Scheme
from actionplane.errors import ConnectionError_, ProviderError


@dataclass(frozen=True, repr=False)
class AuthorizationRequest:
    """Where to send the user, and what the callback must be checked against."""

    url: str
    state: str
    code_verifier: str
    redirect_uri: str

    def __repr__(self) -> str:
        return f"AuthorizationRequest(url={self.url.split('?')[0]!r}, <redacted>)"


@dataclass(frozen=True, repr=False)
class OAuthToken:
    """A token response. ``expires_at`` is epoch seconds, ``None`` when the provider gave none."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scopes: tuple[str, ...] = ()
    token_type: str = "bearer"
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"OAuthToken(expires_at={self.expires_at!r}, scopes={self.scopes!r}, <redacted>)"

    @classmethod
    def from_response(cls, data: Mapping[str, Any], now: float | None = None) -> OAuthToken:
        """Read a token endpoint's JSON; Slack's user tokens nest under ``authed_user``."""
        source = data
        if "access_token" not in data and isinstance(data.get("authed_user"), dict):
            source = data["authed_user"]
        if not source.get("access_token"):
            raise ProviderError("the token endpoint answered without an access_token")
        expires_in = source.get("expires_in")
        moment = time.time() if now is None else now
        scope = source.get("scope") or ""
        known = {"access_token", "refresh_token", "expires_in", "scope", "token_type"}
        return cls(
            access_token=str(source["access_token"]),
            refresh_token=source.get("refresh_token"),
            expires_at=moment + float(expires_in) if expires_in is not None else None,
            scopes=tuple(str(scope).replace(",", " ").split()),
            token_type=str(source.get("token_type") or "bearer"),
            extra={k: v for k, v in data.items() if k not in known},
        )


class _NoAuth(httpx.Auth):
    """Client credentials go in the form (or nowhere, for public clients)."""


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


class OAuthClient:
    """One OAuth app (client id and secret) on one toolkit's authorization server."""

    def __init__(
        self,
        scheme: OAuth2Scheme,
        client_id: str,
        client_secret: str | None,
        http: httpx.AsyncClient,
    ) -> None:
        self.scheme = scheme
        self.client_id = client_id
        self._secret = client_secret
        self._http = http

    def authorization_request(
        self, redirect_uri: str, scopes: tuple[str, ...] | None = None, **params: str
    ) -> AuthorizationRequest:
        """The authorize URL with a fresh ``state`` and PKCE challenge; extra ``params`` (such
        as ``login_hint``) are added as given."""
        state = secrets.token_urlsafe(24)
        verifier, challenge = pkce_pair()
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": self.scheme.scope_separator.join(
                self.scheme.scopes if scopes is None else scopes
            ),
            **self.scheme.authorize_params,
            **params,
        }
        if self.scheme.pkce:
            query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
        joiner = "&" if "?" in self.scheme.authorize_url else "?"
        url = self.scheme.authorize_url + joiner + urlencode(query)
        return AuthorizationRequest(url, state, verifier, redirect_uri)

    async def exchange(self, request: AuthorizationRequest, code: str, state: str) -> OAuthToken:
        """Trade the callback's code for tokens, after checking its ``state``."""
        if not secrets.compare_digest(state, request.state):
            raise ConnectionError_("the OAuth callback's state does not match")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.redirect_uri,
        }
        if self.scheme.pkce:
            form["code_verifier"] = request.code_verifier
        return await self._token(form)

    async def refresh(self, refresh_token: str) -> OAuthToken:
        """A new token from a refresh token. The provider may rotate the refresh token: keep the
        returned one (or the old one when it returns none)."""
        token = await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})
        if token.refresh_token is None:
            token = OAuthToken(
                token.access_token,
                refresh_token,
                token.expires_at,
                token.scopes,
                token.token_type,
                token.extra,
            )
        return token

    async def revoke(self, token: str) -> None:
        """Revoke a token at the provider (RFC 7009), when it has a revocation endpoint."""
        if not self.scheme.revoke_url:
            return
        response = await self._http.post(
            self.scheme.revoke_url, data=self._client_form({"token": token}), auth=self._auth()
        )
        if response.status_code >= 400:
            raise ProviderError(f"token revocation failed with HTTP {response.status_code}")

    def _auth(self) -> httpx.Auth:
        if self.scheme.token_auth_method == "client_secret_basic" and self._secret is not None:
            return httpx.BasicAuth(self.client_id, self._secret)
        return _NoAuth()

    def _client_form(self, form: dict[str, str]) -> dict[str, str]:
        if self.scheme.token_auth_method != "client_secret_basic" or self._secret is None:
            form = {**form, "client_id": self.client_id}
        if self.scheme.token_auth_method == "client_secret_post" and self._secret is not None:
            form = {**form, "client_secret": self._secret}
        return form

    async def _token(self, form: dict[str, str]) -> OAuthToken:
        response = await self._http.post(
            self.scheme.token_url,
            data=self._client_form(form),
            auth=self._auth(),
            headers={"Accept": "application/json"},
        )
        try:
            data = response.json()
        except ValueError:
            data = {}
        if (
            response.status_code >= 400
            or not isinstance(data, dict)
            or ("error" in data and not data.get("ok"))
        ):
            error = (
                data.get("error", "unknown_error") if isinstance(data, dict) else "unknown_error"
            )
            if error == "invalid_grant":
                raise ConnectionError_(
                    "the authorization server refused the grant (invalid_grant)",
                    agent_message="The user's connection must be reconnected.",
                    details={"error": error},
                )
            raise ProviderError(
                f"the token endpoint answered HTTP {response.status_code} ({error})",
                details={"error": error, "status_code": response.status_code},
            )
        return OAuthToken.from_response(data)
