"""Security schemes to toolkit auth entries, scopes per operation, and credential parameters.

- ``oauth2`` with an authorization code flow -> ``oauth2`` (authorization and token URLs, made
  absolute against the base URL); its scopes are those the imported operations ask for (the first
  alternative of each operation's requirement that names the scheme). A ``bearer`` entry follows,
  for an access token obtained elsewhere. Implicit, password and client-credentials flows have no
  toolkit equivalent and are reported;
- ``apiKey`` in a header or the query -> ``api_key``; in a cookie -> reported;
- ``http`` bearer -> ``bearer``, basic -> ``basic``; other HTTP schemes and OpenID Connect ->
  reported;
- no usable scheme -> ``bearer``, reported (GitHub's description declares none).

Parameters that carry the credential are not arguments: the connection supplies them. They are
the ``apiKey`` parameters, an ``Authorization`` header, and a ``token`` / ``access_token``
parameter described as a token (Slack's style); such a header is sent from the credential too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from actionplane.migrate.openapi._model import Operation, Spec

_TOKEN_NAMES = ("token", "access_token")


@dataclass
class AuthPlan:
    """The toolkit's ``auth`` list, what could not be carried over, and each tool's scopes."""

    schemes: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    credential_parameters: set[tuple[str, str]] = field(default_factory=set)
    scopes: dict[int, list[str]] = field(default_factory=dict)


def requirements(operation: Operation, spec: Spec) -> list[dict[str, list[str]]]:
    """The operation's security alternatives (its own, else the description's)."""
    chosen = operation.security if operation.security is not None else spec.security
    return [r for r in chosen or [] if isinstance(r, dict)]


def carries_credential(parameter: dict[str, Any], api_keys: set[tuple[str, str]]) -> bool:
    """Whether the connection, not the model, supplies this parameter."""
    where = str(parameter.get("in", ""))
    name = str(parameter.get("name", "")).lower()
    if (where, name) in api_keys or (where == "header" and name == "authorization"):
        return True
    described = "token" in str(parameter.get("description", "")).lower()
    return name in _TOKEN_NAMES and where in ("header", "query", "formData") and described


def _token_headers(spec: Spec, operations: list[Operation]) -> dict[str, str]:
    names = {
        str(p["name"])
        for op in operations
        for p in op.parameters
        if p.get("in") == "header"
        and carries_credential(p, set())
        and p["name"].lower() != "authorization"
    }
    headers = {"Authorization": "Bearer {token}"}
    headers.update(dict.fromkeys(sorted(names), "{token}"))
    return headers


def _operation_scopes(operation: Operation, spec: Spec) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for requirement in requirements(operation, spec):
        for name, scopes in requirement.items():
            if spec.security_schemes.get(name, {}).get("type") == "oauth2" and name not in found:
                found[name] = [str(s) for s in scopes or [] if s != "none"]
    return found


def plan_auth(spec: Spec, operations: list[Operation], base_url: str) -> AuthPlan:
    """The auth entries for a toolkit of ``operations`` (in the description's order)."""
    used = {name for op in operations for r in requirements(op, spec) for name in r}
    names = [n for n in spec.security_schemes if n in used] or list(spec.security_schemes)
    plan = AuthPlan(schemes=[])
    headers = _token_headers(spec, operations)
    per_scheme: dict[str, list[str]] = {}
    for index, op in enumerate(operations):
        scopes = _operation_scopes(op, spec)
        plan.scopes[index] = [s for values in scopes.values() for s in values]
        for name, values in scopes.items():
            kept = per_scheme.setdefault(name, [])
            kept += [s for s in values if s not in kept]
    for name in names:
        scheme = spec.security_schemes[name]
        kind = scheme.get("type")
        if kind == "oauth2":
            _oauth2(plan, name, scheme, per_scheme.get(name, []), base_url, headers)
        elif kind == "apiKey":
            where = scheme.get("in")
            if where in ("header", "query") and scheme.get("name"):
                plan.schemes.append({"type": "api_key", "location": where, "name": scheme["name"]})
                plan.credential_parameters.add((str(where), str(scheme["name"]).lower()))
            else:
                plan.warnings.append(
                    f"security scheme {name}: an API key in {where} is not supported"
                )
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            plan.schemes.append({"type": "bearer", **_custom(headers)})
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            plan.schemes.append({"type": "basic"})
        else:
            detail = scheme.get("scheme", kind)
            plan.warnings.append(f"security scheme {name} ({detail}) is not supported")
    if any(s["type"] == "oauth2" for s in plan.schemes) and not any(
        s["type"] == "bearer" for s in plan.schemes
    ):
        plan.schemes.append({"type": "bearer", **_custom(headers)})
    if not plan.schemes:
        plan.schemes.append({"type": "bearer", **_custom(headers)})
        plan.warnings.append(
            "no usable security scheme in the description: connections send a bearer token"
        )
    deduplicated: list[dict[str, Any]] = []
    for scheme in plan.schemes:
        if scheme not in deduplicated:
            deduplicated.append(scheme)
    plan.schemes = deduplicated
    return plan


def _custom(headers: dict[str, str]) -> dict[str, Any]:
    """``headers`` only when they differ from the toolkit default (a bearer Authorization)."""
    return {"headers": headers} if set(headers) != {"Authorization"} else {}


def _oauth2(
    plan: AuthPlan,
    name: str,
    scheme: dict[str, Any],
    scopes: list[str],
    base_url: str,
    headers: dict[str, str],
) -> None:
    flows = scheme.get("flows") or {}
    flow = flows.get("authorizationCode")
    if not isinstance(flow, dict) or not flow.get("authorizationUrl") or not flow.get("tokenUrl"):
        kinds = ", ".join(flows) or "no"
        plan.warnings.append(
            f"security scheme {name}: OAuth 2.0 with {kinds} flow, not the authorization code "
            "flow connections use; connect with a bearer token instead"
        )
        return
    base = base_url.rstrip("/") + "/"
    entry: dict[str, Any] = {
        "type": "oauth2",
        "authorize_url": urljoin(base, str(flow["authorizationUrl"])),
        "token_url": urljoin(base, str(flow["tokenUrl"])),
    }
    if scopes:
        entry["scopes"] = scopes
    entry.update(_custom(headers))
    plan.schemes.append(entry)
