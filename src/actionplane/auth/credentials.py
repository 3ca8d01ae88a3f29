"""Secrets of one connection, and how a toolkit's auth scheme places them on a request."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from actionplane.catalog.models import (
    ApiKeyScheme,
    AuthScheme,
    BasicScheme,
    BearerScheme,
    OAuth2Scheme,
)
from actionplane.errors import ConfigurationError


@dataclass(frozen=True, repr=False)
class Credentials:
    """The secret material of one connection. ``repr`` never shows a secret."""

    auth_type: str
    token: str | None = None
    api_key: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(auth_type={self.auth_type!r}, <redacted>)"

    def secrets(self) -> list[str]:
        """Every secret string, for redaction."""
        return [s for s in (self.token, self.api_key, self.password) if s]


@dataclass
class Placement:
    """Headers and query parameters that carry a credential."""

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def scheme_for(schemes: tuple[AuthScheme, ...], auth_type: str) -> AuthScheme:
    """The toolkit's scheme of this type; OAuth and bearer tokens share placement rules."""
    for scheme in schemes:
        if scheme.type == auth_type:
            return scheme
    if auth_type in ("oauth2", "bearer"):
        for scheme in schemes:
            if isinstance(scheme, OAuth2Scheme | BearerScheme):
                return scheme
    known = ", ".join(s.type for s in schemes)
    raise ConfigurationError(f"this toolkit accepts {known}, not {auth_type}")


def place(scheme: AuthScheme, credentials: Credentials) -> Placement:
    """Where the credential goes on the request, per the toolkit's scheme."""
    placement = Placement()
    if isinstance(scheme, OAuth2Scheme | BearerScheme):
        if not credentials.token:
            raise ConfigurationError("this connection has no token")
        for name, template in scheme.headers.items():
            placement.headers[name] = template.replace("{token}", credentials.token)
    elif isinstance(scheme, ApiKeyScheme):
        secret = credentials.api_key or credentials.token
        if not secret:
            raise ConfigurationError("this connection has no API key")
        value = scheme.template.replace("{api_key}", secret)
        target = placement.headers if scheme.location == "header" else placement.query
        target[scheme.name] = value
    elif isinstance(scheme, BasicScheme):
        if not credentials.username or credentials.password is None:
            raise ConfigurationError("this connection needs a username and a password")
        raw = f"{credentials.username}:{credentials.password}".encode()
        placement.headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
    return placement
