"""Typed, frozen models of a toolkit and its tools, as loaded from YAML.

The YAML is first checked against ``toolkit.schema.json`` (the published contract, with errors a
human can read); these models are what the rest of the plane works with.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

JsonSchema = dict[str, Any]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OAuth2Scheme(_Frozen):
    """OAuth 2.0 authorization code grant (with PKCE when ``pkce``)."""

    type: Literal["oauth2"] = "oauth2"
    authorize_url: str
    token_url: str
    revoke_url: str | None = None
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    pkce: bool = True
    token_auth_method: Literal["client_secret_basic", "client_secret_post", "none"] = (
        "client_secret_basic"
    )
    authorize_params: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=lambda: {"Authorization": "Bearer {token}"})


class BearerScheme(_Frozen):
    """A static bearer token (personal access token, bot token)."""

    type: Literal["bearer"] = "bearer"
    headers: dict[str, str] = Field(default_factory=lambda: {"Authorization": "Bearer {token}"})


class ApiKeyScheme(_Frozen):
    """An API key sent in a header or the query string."""

    type: Literal["api_key"] = "api_key"
    location: Literal["header", "query"] = "header"
    name: str = "Authorization"
    template: str = "{api_key}"


class BasicScheme(_Frozen):
    """HTTP basic auth from a username (or email) and a password (or API token)."""

    type: Literal["basic"] = "basic"


AuthScheme = OAuth2Scheme | BearerScheme | ApiKeyScheme | BasicScheme

RateLimitStyle = Literal["github", "retry_after", "ietf", "salesforce", "google", "none"]
OutcomeCategory = Literal[
    "rate_limited", "transient", "unknown", "permanent", "auth_expired", "auth_required"
]


class ErrorRule(_Frozen):
    """Maps a provider response to an outcome category. Unset conditions match anything.

    ``field`` is a dotted path into the JSON body; ``values`` are the values of that field that
    match (any value when empty); ``message_field`` names where the provider's message lives.
    """

    status: tuple[int, ...] = ()
    field: str | None = None
    values: tuple[Any, ...] = ()
    category: OutcomeCategory
    message_field: str | None = None


class Behavior(_Frozen):
    """What a call does to the world; sets retry and approval defaults (MCP annotations)."""

    read_only: bool = False
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = True


class HttpMapping(_Frozen):
    """How a tool's arguments become an HTTP request.

    Arguments named in ``path`` (``{name}``) go into the path; names in ``query`` into the query
    string; ``headers`` maps a header to the argument that fills it. With ``body_template`` the
    body is that structure with ``$name`` strings replaced by arguments (keys of absent arguments
    dropped); otherwise the remaining arguments form the body (``json`` or ``form``), or the query
    string for methods without a body. ``hook`` names a function in ``catalog.hooks`` that
    rewrites the arguments first.
    """

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    query: tuple[str, ...] = ()
    headers: dict[str, str] = Field(default_factory=dict)
    body: Literal["json", "form", "none"] = "json"
    body_template: Any = None
    static_query: dict[str, str] = Field(default_factory=dict)
    hook: str | None = None


class ArgumentMapping(_Frozen):
    """Another tool called with arguments taken from this call's input and result.

    Each value is a literal, or a string ``$input.path`` / ``$result.path`` read from this call.
    """

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolExample(_Frozen):
    """A worked example: arguments an LLM could send, and what they do."""

    description: str = ""
    arguments: dict[str, Any]


class Timeouts(_Frozen):
    """Seconds allowed to connect, to read a response, and for the whole attempt."""

    connect_s: float = 5.0
    read_s: float = 30.0
    total_s: float = 60.0


class Tool(_Frozen):
    """One action an agent can take. ``toolkit`` and ``version`` are those of its toolkit."""

    slug: str
    name: str
    description: str
    toolkit: str
    version: str
    tags: tuple[str, ...] = ()
    behavior: Behavior = Behavior()
    input_schema: JsonSchema
    output_schema: JsonSchema = Field(default_factory=lambda: {"type": "object"})
    http: HttpMapping
    examples: tuple[ToolExample, ...] = ()
    compensation: ArgumentMapping | None = None
    lookup: ArgumentMapping | None = None
    timeouts: Timeouts | None = None


class Toolkit(_Frozen):
    """A provider: where it lives, how to authenticate, how it signals errors, and its tools."""

    slug: str
    name: str
    version: str
    description: str
    base_url: str
    auth: tuple[AuthScheme, ...]
    rate_limit_style: RateLimitStyle = "none"
    idempotency_header: str | None = None
    default_headers: dict[str, str] = Field(default_factory=dict)
    errors: tuple[ErrorRule, ...] = ()
    timeouts: Timeouts = Timeouts()
    tools: tuple[Tool, ...]
    source: str = "builtin"
