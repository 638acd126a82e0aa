"""Graph's error body, built in one place so every route answers in exactly the same shape.

Real Graph answers every failure with ``{"error": {"code", "message", "innerError": {"date",
"request-id", "client-request-id"}}}`` (reference/graph-api.md §2.1); clients branch on ``code`` and
status, never on ``message``. Handlers raise :class:`GraphError`; the dispatcher turns it into that body
with the request's ids, so a handler never has to know them.

The codes below are Graph's where Microsoft documents or shows them. Where the reference marks a code
[UNCERTAIN] (authentication-method validation failures), the choice is named here once so it is easy to
change: those use the auth-methods workload's camelCase family (``badRequest``, ``itemNotFound``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# Directory workload (users, groups, policies, domains).
BAD_REQUEST = "Request_BadRequest"
UNSUPPORTED_QUERY = "Request_UnsupportedQuery"
NOT_FOUND = "Request_ResourceNotFound"
DENIED = "Authorization_RequestDenied"
# Graph's router, for a path it does not know.
SEGMENT_NOT_FOUND = "BadRequest"
# Authentication-methods workload [UNCERTAIN in the reference; chosen once here].
METHOD_BAD_REQUEST = "badRequest"
METHOD_NOT_FOUND = "itemNotFound"
CONFLICT = "conflict"
# Cross-cutting.
INVALID_TOKEN = "InvalidAuthenticationToken"
TOO_MANY = "TooManyRequests"
UNAVAILABLE = "serviceNotAvailable"
FAILED_DEPENDENCY = "FailedDependency"

INSUFFICIENT = "Insufficient privileges to complete the operation."
METHOD_NOT_ALLOWED = "Specified HTTP method is not allowed for the request target."


class GraphError(Exception):
    """A Graph failure a handler raises; becomes a Graph error body with the request's ids."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        inner: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.inner = dict(inner or {})


def graph_date(now: datetime | None = None) -> str:
    """``innerError.date`` as Graph writes it: ISO 8601 seconds, no timezone suffix."""
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S")


def error_body(
    code: str,
    message: str,
    request_id: str,
    client_request_id: str,
    inner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``{"error": ...}`` document for one failure."""
    inner_error: dict[str, Any] = {
        "date": graph_date(),
        "request-id": request_id,
        "client-request-id": client_request_id,
    }
    inner_error.update(inner or {})
    return {"error": {"code": code, "message": message, "innerError": inner_error}}


def not_found(ref: str) -> GraphError:
    """The directory's 404 for an id or name that does not resolve (Graph's own wording)."""
    return GraphError(
        404,
        NOT_FOUND,
        f"Resource '{ref}' does not exist or one of its queried reference-property objects are not present.",
    )


def bad_request(message: str) -> GraphError:
    return GraphError(400, BAD_REQUEST, message)


def method_error(message: str, status: int = 400) -> GraphError:
    """An authentication-method rule violation (phone format, one per type, device limit...)."""
    return GraphError(status, METHOD_BAD_REQUEST, message)


def method_not_found(ref: str) -> GraphError:
    return GraphError(
        404, METHOD_NOT_FOUND, f"The authentication method '{ref}' was not found for this user."
    )


def method_not_allowed() -> GraphError:
    return GraphError(405, BAD_REQUEST, METHOD_NOT_ALLOWED)
