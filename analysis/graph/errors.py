"""Typed failures of Graph calls, so callers branch on *kind*, never on message text.

The hierarchy::

    GraphClientError
    ├── AuthError            msal could not get a token (bad secret, unknown client, ...)
    ├── GraphError           Graph answered with an error status (after any retries)
    │   ├── UnauthorizedError    401 even after one fresh token
    │   ├── ForbiddenError       403; ``permission`` names what the app is missing
    │   ├── NotFoundError        404
    │   └── ThrottledError       429 still coming after the retry budget
    ├── GraphConnectionError an idempotent request kept failing at the transport level
    │   └── GraphUnreachable     Graph could not be reached (refused, DNS, TLS, timeout) until we gave up
    ├── Stopped              the caller asked to stop (SIGINT/SIGTERM) before the request left
    └── UnknownOutcome       a write was sent but no answer came back: it may or may not have happened

:class:`UnknownOutcome` is deliberately *not* a :class:`GraphError`: it is the one failure where the
caller must re-read Graph's state before deciding anything, never resend blindly.

Messages hold status, Graph's error code and message and the request id — never tokens, secrets or
request bodies.
"""

from __future__ import annotations

from typing import Any


class GraphClientError(Exception):
    """Base of everything the Graph client raises on purpose."""


class AuthError(GraphClientError):
    """msal returned an error instead of a token (``error`` / ``error_description`` from Entra)."""

    def __init__(self, error: str, description: str = "", authority: str = "") -> None:
        self.error, self.description, self.authority = error, description, authority
        where = f" from {authority}" if authority else ""
        super().__init__(f"could not get a token{where}: {error}: {description}".rstrip(": "))


class GraphError(GraphClientError):
    """Graph answered with an error status.

    ``body`` is Graph's parsed error JSON (``{"error": {...}}``) or None; it never holds secrets.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        *,
        method: str = "",
        url: str = "",
        body: Any = None,
    ) -> None:
        self.status, self.code, self.message, self.request_id = status, code, message, request_id
        self.method, self.url, self.body = method, url, body
        super().__init__(self._describe())

    def _describe(self) -> str:
        target = f"{self.method} {self.url} " if self.method else ""
        rid = f" (request-id {self.request_id})" if self.request_id else ""
        return f"{target}failed with {self.status} {self.code}: {self.message}{rid}"


class UnauthorizedError(GraphError):
    """401 although the client fetched a fresh token once: the credentials or audience are wrong."""


class NotFoundError(GraphError):
    """404: the user, group, method or configuration does not exist."""


class ThrottledError(GraphError):
    """Still 429 after the retry budget (or a Retry-After longer than the client will wait)."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ForbiddenError(GraphError):
    """403. ``permission`` is the application permission Graph wants for this call (best knowledge)."""

    def __init__(self, *args: Any, permission: str | None = None, **kwargs: Any) -> None:
        self.permission = permission
        super().__init__(*args, **kwargs)

    def _describe(self) -> str:
        base = super()._describe()
        if self.permission:
            return f"{base}; grant the Graph permission {self.permission} (with admin consent) and retry"
        return base


class GraphConnectionError(GraphClientError):
    """An idempotent request failed at the transport level on every attempt."""

    def __init__(self, method: str, url: str, cause: str) -> None:
        self.method, self.url, self.cause = method, url, cause
        super().__init__(f"{method} {url}: no answer from Graph after retries ({cause})")


class GraphUnreachable(GraphConnectionError):
    """Graph could not be reached at all: nothing was sent. ``since`` is the wall-clock time (epoch
    seconds) the outage began; ``certificate`` is True when TLS verification failed (never retried:
    waiting does not make an untrusted certificate trusted)."""

    def __init__(self, method: str, url: str, cause: str, *, since: float, certificate: bool = False) -> None:
        self.since, self.certificate = since, certificate
        super().__init__(method, url, cause)

    def __str__(self) -> str:
        import time

        when = time.strftime("%H:%M:%S", time.localtime(self.since))
        if self.certificate:
            return f"Graph's TLS certificate is not trusted ({self.cause}); not retried"
        return f"Graph unreachable since {when} ({self.cause}); gave up"


class Stopped(GraphClientError):
    """The run was asked to stop (SIGINT, SIGTERM, the dashboard) while this request waited to be sent:
    it never left."""

    def __init__(self, method: str = "", url: str = "") -> None:
        super().__init__(f"{method} {url}: not sent, the run is stopping".strip())


class UnknownOutcome(GraphClientError):
    """A non-idempotent request (POST/PATCH) may have reached Graph but no answer came back.

    Resending could apply the write twice, so the client never does: re-read the target's state
    to learn whether the write happened (the executor's resume logic does exactly that).
    ``client_request_id`` is the id sent in the ``client-request-id`` header, for the journal.
    """

    def __init__(self, method: str, url: str, cause: str, client_request_id: str = "") -> None:
        self.method, self.url, self.cause, self.client_request_id = method, url, cause, client_request_id
        super().__init__(
            f"{method} {url}: the connection failed after the request was sent ({cause}); "
            "whether Graph applied it is unknown - re-read before retrying"
        )
