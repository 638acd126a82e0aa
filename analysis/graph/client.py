"""A small synchronous Microsoft Graph client on httpx: paging, advanced queries, ``$batch``, retries.

Thread-safe: one :class:`GraphClient` is shared by a pool of worker threads (httpx's connection pool,
the token provider, the budgets and the counters are all safe to share).

What it does for every request (reference/graph-api.md §2-3):

* ``Authorization: Bearer`` from the token provider; on a 401 it fetches a fresh token once and resends.
* A ``client-request-id`` header (uuid4, or the caller's) and Graph's ``request-id`` in the log.
* What an answer means is decided by :func:`analysis.graph.outcomes.classify`, shared with the
  executor: ``retry`` answers (429, 503; 5xx and lost answers to idempotent requests) are resent,
  waiting ``Retry-After`` (fractional seconds allowed) when given, else a jittered exponential backoff
  with a ceiling. A 429 also pauses every other thread until its Retry-After has passed (Graph
  throttles per app and tenant, not per connection). An ``unknown`` answer (a POST or PATCH that was
  sent but got no answer, or a 504) raises :class:`~analysis.graph.errors.UnknownOutcome`: the caller
  must re-read, not resend. Pass ``idempotent=True`` for a write that is safe to repeat.
* A request that cannot reach Graph at all (refused, DNS, TLS, connect timeout) goes to the shared
  :class:`~analysis.graph.reachability.Reachability`: reported at once, retried at a capped pace, given
  up after ``give_up_after`` (:class:`~analysis.graph.errors.GraphUnreachable`); an untrusted
  certificate is never retried. Every wait ends early when the stop event is set
  (:class:`~analysis.graph.errors.Stopped`).
* Writes pass a shared :class:`~analysis.graph.ratelimit.TokenBucket` (3,000 per 150 s by default);
  an optional read budget counts Graph's resource units.
* Errors become typed exceptions (:mod:`analysis.graph.errors`); a 403 names the permission.

Logged: method, path (no query string), status, request ids, timing. Never tokens or bodies.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from analysis.graph.auth import TokenProvider
from analysis.graph.batching import send_batch
from analysis.graph.errors import (
    AuthError,
    GraphConnectionError,
    Stopped,
    UnknownOutcome,
)
from analysis.graph.outcomes import IDEMPOTENT, NO_ANSWER, Verdict, classify
from analysis.graph.ratelimit import TokenBucket, resource_units, writes_budget
from analysis.graph.reachability import Reachability
from analysis.graph.wire import (
    BatchRequest,
    BatchResponse,
    Counters,
    Page,
    Response,
    RetryPolicy,
    Sent,
    absolute_url,
    encode_query,
    json_or_none,
    parse_retry_after,
    relative_path,
    ssl_context,
    typed_error,
)

log = logging.getLogger("analysis.graph.client")
_DEFAULT = object()  # "use the default write budget"


class GraphClient:
    """Graph over httpx. ``graph_url`` is the service root (``https://graph.microsoft.com``).

    ``write_budget``: a shared :class:`TokenBucket` for writes (default 3,000 per 150 s; None = off).
    ``read_budget``: an optional bucket charged with each request's resource units.
    ``ca_file``: trust only this CA and ignore proxy/CA environment variables.
    ``close_auth``: :meth:`close` also closes the token provider (when the client owns it).
    ``reachability``: the outage policy (report, pace, give up) and the stop event every wait honours.
    """

    def __init__(
        self,
        graph_url: str,
        auth: TokenProvider,
        *,
        ca_file: str | Path | None = None,
        timeout: float = 100.0,
        retry: RetryPolicy | None = None,
        write_budget: Any = _DEFAULT,
        read_budget: TokenBucket | None = None,
        max_connections: int = 16,
        record: bool = False,
        close_auth: bool = False,
        reachability: Reachability | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        root = graph_url.rstrip("/")
        for suffix in ("/v1.0", "/beta"):
            root = root.removesuffix(suffix)
        parts = urlsplit(root)
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError(f"Graph URL must be https://host[:port], got {graph_url!r}")
        self.root = root
        self.auth = auth
        self._close_auth = close_auth
        self.retry = retry or RetryPolicy()
        self.write_budget: TokenBucket | None = writes_budget() if write_budget is _DEFAULT else write_budget
        self.read_budget = read_budget
        self.counters = Counters()
        self.history: list[Sent] | None = [] if record else None
        self._rng = rng or random.Random()
        self.reachability = reachability or Reachability()
        self._sleep = sleep or self._wait_or_stop
        self._clock = clock
        self._pause_lock = threading.Lock()
        self._paused_until = 0.0
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        http_timeout = httpx.Timeout(timeout, connect=15.0)
        if ca_file is not None:
            self._http = httpx.Client(
                verify=ssl_context(ca_file), trust_env=False, timeout=http_timeout, limits=limits
            )
        else:
            self._http = httpx.Client(timeout=http_timeout, limits=limits)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the connection pool (and the token provider's session when ``close_auth`` was set)."""
        self._http.close()
        closer = getattr(self.auth, "close", None)
        if self._close_auth and callable(closer):
            closer()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ convenience verbs
    def get(self, path: str, **kwargs: Any) -> Any:
        """GET and return the parsed body."""
        return self.request("GET", path, **kwargs).body

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        """POST (not resent after a lost answer: may raise UnknownOutcome) and return the body or None."""
        return self.request("POST", path, json=json, **kwargs).body

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, **kwargs).body

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs).body

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs).body

    # ------------------------------------------------------------------ paging
    def pages(
        self,
        path: str,
        *,
        version: str = "v1.0",
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        advanced: bool = False,
    ) -> Iterator[Page]:
        """Pages of a collection, following ``@odata.nextLink`` verbatim to the end.

        ``advanced=True`` sends ``ConsistencyLevel: eventual`` on *every* page (Graph does not carry
        headers over) and ``$count=true`` on the first (the next links already contain it).
        """
        response = self.request(
            "GET", path, version=version, params=params, headers=headers, advanced=advanced
        )
        while True:
            body = response.body or {}
            next_link = body.get("@odata.nextLink")
            count = body.get("@odata.count")
            yield Page(list(body.get("value", [])), int(count) if count is not None else None, next_link)
            if not next_link:
                return
            response = self.request("GET", next_link, headers=headers, advanced=advanced)

    def paged(self, path: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item of a collection across all pages (same options as :meth:`pages`)."""
        for page in self.pages(path, **kwargs):
            yield from page.items

    def rest_of(
        self, body: Mapping[str, Any], *, headers: Mapping[str, str] | None = None, advanced: bool = False
    ) -> list[dict[str, Any]]:
        """All items of a collection whose first page (e.g. from a batch item) is ``body``."""
        items = list(body.get("value", []))
        link = body.get("@odata.nextLink")
        if link:
            items.extend(self.paged(link, headers=headers, advanced=advanced))
        return items

    # ------------------------------------------------------------------ the core
    def request(
        self,
        method: str,
        path: str,
        *,
        version: str = "v1.0",
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        advanced: bool = False,
        idempotent: bool | None = None,
        client_request_id: str | None = None,
    ) -> Response:
        """Send one request with retries; return the response or raise a typed error.

        ``path`` is relative to ``/{version}`` (``/users``) or an absolute next link on the same host.
        """
        return self._send(
            method,
            path,
            version=version,
            params=params,
            json=json,
            headers=headers,
            advanced=advanced,
            idempotent=idempotent,
            client_request_id=client_request_id,
        )

    def _send(
        self,
        method: str,
        path: str,
        *,
        version: str = "v1.0",
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        advanced: bool = False,
        idempotent: bool | None = None,
        client_request_id: str | None = None,
        writes: int | None = None,
        read_units: int | None = None,
        batch_ids: tuple[str, ...] = (),
    ) -> Response:
        method = method.upper()
        idempotent = method in IDEMPOTENT if idempotent is None else idempotent
        url = absolute_url(self.root, path, version)
        query = {k: str(v) for k, v in (params or {}).items()}
        send_headers = dict(headers or {})
        if advanced:
            send_headers["ConsistencyLevel"] = "eventual"
            if not path.startswith("https://"):
                query.setdefault("$count", "true")
        crid = client_request_id or str(uuid.uuid4())
        send_headers["client-request-id"] = crid
        writes = (0 if method == "GET" else 1) if writes is None else writes
        shown = relative_path(self.root, url)
        units = read_units if read_units is not None else resource_units(method, shown, query)
        full_url = url + (("&" if "?" in url else "?") + encode_query(query) if query else "")
        attempt, reauthed = 0, False
        while True:
            attempt += 1
            self._charge(writes, units)
            self._wait_for_pause()
            if self.reachability.stop.is_set():
                raise Stopped(method, shown)
            try:
                token = self.auth.token()
            except AuthError as exc:
                if exc.error != "connection_error":
                    raise
                self.reachability.failed(method, shown, exc)  # waits for the next try, or raises
                continue
            send_headers["Authorization"] = f"Bearer {token}"
            started = self._clock()
            try:
                resp = self._http.request(method, full_url, json=json, headers=send_headers)
            except httpx.TransportError as exc:
                self._record(started, method, url, NO_ANSWER, crid, batch_ids, None)
                self.counters.add(requests=1, connection_errors=1, writes=writes)
                cause = f"{type(exc).__name__}: {exc}"[:200]
                if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    self.reachability.failed(method, shown, exc)  # nothing left: wait, or raise
                    continue
                if isinstance(exc, httpx.PoolTimeout):
                    verdict = Verdict.RETRY  # our own pool was busy: nothing left either
                else:
                    verdict = classify(NO_ANSWER, method, idempotent=idempotent)
                if verdict is Verdict.UNKNOWN:
                    log.warning("%s %s: no answer after sending (%s); outcome unknown", method, shown, cause)
                    raise UnknownOutcome(method, shown, cause, crid) from None
                if isinstance(exc, httpx.TimeoutException):
                    self.reachability.failed(method, shown, exc)  # no answer in time: an outage
                    continue
                if attempt >= self.retry.max_attempts:
                    raise GraphConnectionError(method, shown, cause) from None
                wait = self.retry.backoff(attempt, self._rng)
                log.info("%s %s: %s; retry %d in %.2fs", method, shown, cause, attempt, wait)
                self.counters.add(retries=1)
                self._sleep(wait)
                continue
            self.reachability.succeeded()
            status = resp.status_code
            resp_headers = {k.lower(): v for k, v in resp.headers.items()}
            retry_after = parse_retry_after(resp_headers.get("retry-after"))
            if status == 429 and retry_after is not None and retry_after <= self.retry.max_retry_after:
                self._pause(retry_after)  # first, so other threads stop as soon as possible
            self._record(started, method, url, status, crid, batch_ids, retry_after)
            self.counters.add(requests=1, writes=writes)
            request_id = resp_headers.get("request-id")
            log.debug(
                "%s %s -> %d request-id=%s client-request-id=%s %.0fms",
                method,
                shown,
                status,
                request_id,
                crid,
                (self._clock() - started) * 1000,
            )
            if status == 401 and not reauthed:
                reauthed = True
                self.counters.add(reauths=1, retries=1)
                log.info("%s %s -> 401 (request-id %s); re-authenticating once", method, shown, request_id)
                self.auth.refresh(token)
                continue
            verdict = classify(status, method, idempotent=idempotent)
            if status == 429:
                self.counters.add(throttled=1)
            elif status >= 500:
                self.counters.add(server_errors=1)
            if verdict is Verdict.UNKNOWN:
                raise UnknownOutcome(method, shown, f"{status} from Graph", crid)
            if verdict is Verdict.RETRY:
                body = json_or_none(resp)
                wait = retry_after if retry_after is not None else self.retry.backoff(attempt, self._rng)
                if attempt >= self.retry.max_attempts or wait > self.retry.max_retry_after:
                    raise typed_error(status, resp_headers, body, method, shown)
                if retry_after is not None:
                    wait = retry_after + self._rng.uniform(0, min(1.0, retry_after * 0.1))
                log.info(
                    "%s %s -> %d (request-id %s); retry %d in %.2fs",
                    method,
                    shown,
                    status,
                    request_id,
                    attempt,
                    wait,
                )
                self.counters.add(retries=1)
                self._sleep(wait)
                continue
            body = json_or_none(resp)
            if status >= 400:
                raise typed_error(status, resp_headers, body, method, shown)
            return Response(status, resp_headers, body, request_id, crid)

    # ------------------------------------------------------------------ $batch
    def batch(self, requests: Sequence[BatchRequest], *, version: str = "v1.0") -> list[BatchResponse]:
        """Send requests through JSON ``$batch`` (:func:`analysis.graph.batching.send_batch`)."""
        return send_batch(self, requests, version)

    # ------------------------------------------------------------------ helpers
    def _charge(self, writes: int, units: int) -> None:
        waited = 0.0
        if writes and self.write_budget is not None:
            waited += self.write_budget.reserve(writes)
        if units and self.read_budget is not None:
            waited = max(waited, self.read_budget.reserve(units))
        if waited:
            self.counters.add(budget_wait=waited)
            self._sleep(waited)

    def _wait_or_stop(self, seconds: float) -> None:
        """The default sleep: ends early, raising :class:`Stopped`, when the stop event is set."""
        if self.reachability.stop.wait(seconds):
            raise Stopped()

    def _pause(self, seconds: float) -> None:
        with self._pause_lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _wait_for_pause(self) -> None:
        with self._pause_lock:
            remaining = self._paused_until - self._clock()
        if remaining > 0:
            self._sleep(remaining)

    def _record(
        self,
        started: float,
        method: str,
        url: str,
        status: int,
        crid: str,
        batch_ids: tuple[str, ...],
        retry_after: float | None,
    ) -> None:
        if self.history is not None:
            sent = Sent(
                started, self._clock(), method, url.split("?", 1)[0], status, crid, batch_ids, retry_after
            )
            with self._pause_lock:
                self.history.append(sent)
