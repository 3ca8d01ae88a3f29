"""What Google APIs (Gmail, Drive) share: their error envelope and rate-limit answer."""

from __future__ import annotations

from actionplane.sandbox.http import Invalid, Reply
from actionplane.sandbox.limits import Limit
from actionplane.sandbox.providers.base import Provider

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GoogleProvider(Provider):
    rate_limit_statuses = (403, 429)

    def error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status,
            {
                "error": {
                    "code": status,
                    "message": message,
                    "status": _STATUS.get(status, "UNKNOWN"),
                    "errors": [{"message": message, "domain": "global", "reason": code}],
                }
            },
        )

    def not_found(self, what: str) -> Reply:
        return self.error(404, "notFound", f"Requested entity was not found: {what}")

    def invalid(self, problem: Invalid) -> Reply:
        return self.error(400, "invalidArgument", problem.message)

    def unauthorized(self, verdict: str) -> Reply:
        reply = self.error(401, "authError", "Request had invalid authentication credentials.")
        reply.headers["WWW-Authenticate"] = (
            'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        )
        return reply

    def rate_limited(self, retry_after: float | None, limit: Limit | None, status: int) -> Reply:
        reply = self.error(
            status,
            "userRateLimitExceeded" if status == 403 else "rateLimitExceeded",
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.",
        )
        if retry_after is not None:
            reply.headers["Retry-After"] = str(max(1, round(retry_after + 0.499)))
        return reply
