"""The control API under ``/_sandbox``: faults, limits, credentials, evidence, reset.

::

    GET    /_sandbox/health                  {"ok": true, "seed": N, "seed_problems": [...]}
    POST   /_sandbox/faults                  a FaultRule -> the stored rule (with its id)
    GET    /_sandbox/faults                  every rule, with "fired" and "remaining"
    DELETE /_sandbox/faults[/{id}]           every rule, or one
    GET    /_sandbox/ledger[?toolkit=]       side effects applied, in order
    GET    /_sandbox/requests[?toolkit=]     requests received, in order
    POST   /_sandbox/reset                   {"auth": false}: empty state, evidence, faults, limits
    POST   /_sandbox/credentials             {"toolkit", "user", "auth_type"?, "token"?, "api_key"?,
                                              "username"?, "password"?} -> the accepted credential
    GET    /_sandbox/grants                  OAuth grants (user, refreshes, revoked, reason)
    POST   /_sandbox/grants/revoke           {"toolkit"?, "user"?} -> {"revoked": n}
    POST   /_sandbox/tokens/expire           {"toolkit"?, "user"?} -> {"expired": n}
    POST   /_sandbox/limits                  {"toolkit", "limit", "window_s"}
    GET    /_sandbox/limits ; DELETE /_sandbox/limits
    POST   /_sandbox/config                  {"access_token_ttl_s", "toolkit"?}
    GET    /_sandbox/state/{toolkit}/{table} every record of a table (debugging)
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from actionplane.sandbox.core import Sandbox
from actionplane.sandbox.faults import FaultRule

_AUTH_TYPES = ("bearer", "api_key", "basic")


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def control_app(sandbox: Sandbox) -> Starlette:
    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {"ok": True, "seed": sandbox.seed, "seed_problems": sandbox.seed_problems}
        )

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(sandbox.faults.list())
        if request.method == "DELETE":
            sandbox.faults.clear()
            return Response(status_code=204)
        try:
            rule = sandbox.faults.add(FaultRule.model_validate(await _json(request)))
        except (ValidationError, ValueError) as error:
            return _bad(str(error))
        return JSONResponse(rule.public(), status_code=201)

    async def fault(request: Request) -> Response:
        found = sandbox.faults.remove(request.path_params["rule_id"])
        return Response(status_code=204 if found else 404)

    async def ledger(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.evidence.ledger(request.query_params.get("toolkit")))

    async def requests(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.evidence.request_log(request.query_params.get("toolkit")))

    async def reset(request: Request) -> Response:
        body = await _json(request)
        sandbox.reset(auth=bool(body.get("auth")))
        return Response(status_code=204)

    async def credentials(request: Request) -> JSONResponse:
        body = await _json(request)
        toolkit, user = body.get("toolkit"), body.get("user")
        if toolkit not in sandbox.providers or not user:
            return _bad("give a known toolkit and a user")
        auth_type = body.get("auth_type") or _static_type(sandbox, toolkit)
        if auth_type not in _AUTH_TYPES:
            return _bad(f"auth_type must be one of {', '.join(_AUTH_TYPES)}")
        values = {k: body.get(k) for k in ("token", "api_key", "username", "password")}
        static = sandbox.accounts.register_static(toolkit, user, auth_type, values)
        return JSONResponse(
            {"toolkit": toolkit, "user": user, "auth_type": auth_type, **static.values},
            status_code=201,
        )

    async def grants(request: Request) -> JSONResponse:
        return JSONResponse(sandbox.accounts.public_grants())

    async def revoke_grants(request: Request) -> JSONResponse:
        body = await _json(request)
        hit = 0
        for grant in sandbox.accounts.grants.values():
            if body.get("toolkit") in (None, grant.toolkit) and body.get("user") in (
                None,
                grant.user,
            ):
                if not grant.revoked:
                    hit += 1
                sandbox.accounts.revoke_grant(grant, "revoked through the control API")
        return JSONResponse({"revoked": hit})

    async def expire(request: Request) -> JSONResponse:
        import time

        body = await _json(request)
        count = sandbox.accounts.expire(body.get("toolkit"), body.get("user"), time.time())
        return JSONResponse({"expired": count})

    async def limits(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(sandbox.limits.list())
        if request.method == "DELETE":
            sandbox.limits.clear()
            return Response(status_code=204)
        body = await _json(request)
        try:
            toolkit, limit, window = body["toolkit"], int(body["limit"]), float(body["window_s"])
        except (KeyError, TypeError, ValueError):
            return _bad("give toolkit, limit (requests) and window_s (seconds)")
        if toolkit not in sandbox.providers or limit < 0 or window <= 0:
            return _bad("a known toolkit, limit >= 0 and window_s > 0")
        sandbox.limits.set(toolkit, limit, window)
        return JSONResponse(sandbox.limits.list(), status_code=201)

    async def config(request: Request) -> JSONResponse:
        if request.method == "POST":
            body = await _json(request)
            if "access_token_ttl_s" in body:
                ttl = float(body["access_token_ttl_s"])
                if body.get("toolkit"):
                    sandbox.ttl_by_toolkit[body["toolkit"]] = ttl
                else:
                    sandbox.access_token_ttl_s = ttl
        return JSONResponse(
            {
                "seed": sandbox.seed,
                "access_token_ttl_s": sandbox.access_token_ttl_s,
                "access_token_ttl_s_by_toolkit": sandbox.ttl_by_toolkit,
            }
        )

    async def state(request: Request) -> JSONResponse:
        toolkit, table = request.path_params["toolkit"], request.path_params["table"]
        return JSONResponse(sandbox.store.all(toolkit, table, None))

    return Starlette(
        routes=[
            Route("/_sandbox/health", health),
            Route("/_sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
            Route("/_sandbox/faults/{rule_id}", fault, methods=["DELETE"]),
            Route("/_sandbox/ledger", ledger),
            Route("/_sandbox/requests", requests),
            Route("/_sandbox/reset", reset, methods=["POST"]),
            Route("/_sandbox/credentials", credentials, methods=["POST"]),
            Route("/_sandbox/grants", grants),
            Route("/_sandbox/grants/revoke", revoke_grants, methods=["POST"]),
            Route("/_sandbox/tokens/expire", expire, methods=["POST"]),
            Route("/_sandbox/limits", limits, methods=["GET", "POST", "DELETE"]),
            Route("/_sandbox/config", config, methods=["GET", "POST"]),
            Route("/_sandbox/state/{toolkit}/{table}", state),
        ]
    )


def _static_type(sandbox: Sandbox, toolkit: str) -> str:
    """The toolkit's first non-OAuth scheme (a bearer token when it only has OAuth)."""
    kit = sandbox.catalog.toolkits.get(toolkit)
    for scheme in kit.auth if kit else ():
        if scheme.type in _AUTH_TYPES:
            return scheme.type
    return "bearer"
