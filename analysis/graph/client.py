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

import email.utils
import logging
import random
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from analysis.graph.auth import TokenProvider
from analysis.graph.errors import (
    AuthError,
    ForbiddenError,
    GraphClientError,
    GraphConnectionError,
    GraphError,
    NotFoundError,
    Stopped,
    ThrottledError,
    UnauthorizedError,
    UnknownOutcome,
)
from analysis.graph.outcomes import IDEMPOTENT, NO_ANSWER, Verdict, classify
from analysis.graph.permissions import permission_in_message, required_permission
from analysis.graph.ratelimit import MAX_BATCH, TokenBucket, resource_units, writes_budget
from analysis.graph.reachability import Reachability

log = logging.getLogger("analysis.graph.client")
_DEFAULT = object()  # "use the default write budget"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``backoff_cap`` is the ceiling of one computed (no Retry-After) wait."""

    max_attempts: int = 8
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_retry_after: float = 300.0  # a longer Retry-After is reported (ThrottledError), not slept

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with "equal jitter": uniform in [d/2, d], d = min(cap, base * 2^(n-1))."""
        delay = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))
        return delay / 2 + rng.uniform(0, delay / 2)


@dataclass
class Counters:
    """Traffic figures for benchmarks and tests. Increment through :meth:`add` (thread-safe)."""

    requests: int = 0  # HTTP requests actually sent (every attempt, $batch envelopes count once)
    retries: int = 0  # resends: whole requests and batch items
    throttled: int = 0  # 429s seen, including per-item 429s inside $batch
    server_errors: int = 0  # 503/504 seen
    connection_errors: int = 0
    reauths: int = 0  # fresh tokens fetched after a 401
    writes: int = 0  # write requests sent (POST/PATCH/PUT/DELETE, incl. batch items)
    batch_items: int = 0
    budget_wait: float = 0.0  # seconds spent waiting for the client-side budgets
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **amounts: float) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def as_dict(self) -> dict[str, float]:
        with self._lock:
            return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


@dataclass(frozen=True)
class Sent:
    """One HTTP exchange, recorded when the client is built with ``record=True`` (tests, benchmarks)."""

    started: float  # time.monotonic() when sending began
    finished: float
    method: str
    url: str  # without the query string
    status: int  # 0 = no response
    client_request_id: str
    batch_ids: tuple[str, ...] = ()  # inner ids of a $batch envelope
    retry_after: float | None = None


@dataclass
class Response:
    """A successful Graph response. ``body`` is the parsed JSON, or None (204 / empty)."""

    status: int
    headers: dict[str, str]
    body: Any
    request_id: str | None
    client_request_id: str


@dataclass(frozen=True)
class BatchRequest:
    """One request inside ``$batch``. ``url`` is relative to the version (``/users/{id}/...``)."""

    id: str
    method: str
    url: str
    body: Any = None
    headers: Mapping[str, str] | None = None
    depends_on: Sequence[str] = ()

    def to_json(self, keep_deps: Callable[[str], bool]) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id, "method": self.method.upper(), "url": self.url}
        headers = dict(self.headers or {})
        if self.body is not None:
            headers.setdefault("Content-Type", "application/json")
            item["body"] = self.body
        if headers:
            item["headers"] = headers
        deps = [d for d in self.depends_on if keep_deps(d)]
        if deps:
            item["dependsOn"] = deps
        return item


@dataclass
class BatchResponse:
    """The final answer for one batch item (after per-item retries). Check :attr:`ok` or raise."""

    id: str
    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def request_id(self) -> str | None:
        return _request_id(self.headers, self.body)

    @property
    def verdict(self) -> Verdict:
        return classify(self.status, self.method)

    def raise_for_status(self) -> BatchResponse:
        """Raise the typed error for a failed item (424 → GraphError with code ``failedDependency``)."""
        if self.ok:
            return self
        if self.verdict is Verdict.UNKNOWN:
            raise UnknownOutcome(self.method, self.url, f"{self.status} inside $batch")
        raise _typed_error(self.status, self.headers, self.body, self.method, self.url)


@dataclass(frozen=True)
class Page:
    """One page of a collection: its items, ``@odata.count`` (first page only) and the next link."""

    items: list[dict[str, Any]]
    count: int | None
    next_link: str | None


def user_path(id_or_upn: str) -> str:
    """``/users/{key}`` with the key escaped the way Graph wants it.

    ``#`` in guest UPNs (``#EXT#``) must be percent-encoded; a UPN starting with ``$`` must use the
    ``users('$x@y')`` form (reference/graph-api.md §3.1).
    """
    if id_or_upn.startswith("$"):
        return "/users('" + quote(id_or_upn.replace("'", "''"), safe="@$") + "')"
    return "/users/" + quote(id_or_upn, safe="@")


def odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled (``O'Brien`` → ``'O''Brien'``)."""
    return "'" + value.replace("'", "''") + "'"


def ssl_context(ca_file: str | Path) -> ssl.SSLContext:
    """An SSL context that trusts only ``ca_file`` (the emulator's CA)."""
    return ssl.create_default_context(cafile=str(ca_file))


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
        self._origin = (parts.scheme, parts.netloc.lower())
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
        url = self._url(path, version)
        query = {k: str(v) for k, v in (params or {}).items()}
        send_headers = dict(headers or {})
        if advanced:
            send_headers["ConsistencyLevel"] = "eventual"
            if not path.startswith("https://"):
                query.setdefault("$count", "true")
        crid = client_request_id or str(uuid.uuid4())
        send_headers["client-request-id"] = crid
        writes = (0 if method == "GET" else 1) if writes is None else writes
        units = read_units if read_units is not None else resource_units(method, self._relative(url), query)
        shown = self._relative(url)
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
                body = _json_or_none(resp)
                wait = retry_after if retry_after is not None else self.retry.backoff(attempt, self._rng)
                if attempt >= self.retry.max_attempts or wait > self.retry.max_retry_after:
                    raise _typed_error(status, resp_headers, body, method, shown)
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
            body = _json_or_none(resp)
            if status >= 400:
                raise _typed_error(status, resp_headers, body, method, shown)
            return Response(status, resp_headers, body, request_id, crid)

    # ------------------------------------------------------------------ $batch
    def batch(self, requests: Sequence[BatchRequest], *, version: str = "v1.0") -> list[BatchResponse]:
        """Send requests through JSON ``$batch`` and return one final response per request, in order.

        Requests are packed into envelopes of at most 20, keeping every ``depends_on`` chain in one
        envelope. Items whose answer :func:`classify` calls ``retry`` (429, 503; a 5xx to a read) are
        resent in a new envelope after the longest Retry-After, together with the items that failed
        with 424 only because they depended on them; dependencies already satisfied are dropped from
        the resent items. Other item failures are returned as they are (check :attr:`BatchResponse.ok`
        or call ``raise_for_status``).
        A lost answer to an envelope holding writes raises :class:`UnknownOutcome` for the whole envelope.
        """
        seen: set[str] = set()
        for r in requests:
            key = r.id.lower()
            if key in seen:
                raise ValueError(f"duplicate batch request id {r.id!r}")
            seen.add(key)
        ids = {r.id for r in requests}
        for r in requests:
            missing = [d for d in r.depends_on if d not in ids]
            if missing:
                raise ValueError(f"batch request {r.id!r} depends on unknown ids {missing}")
        results: dict[str, BatchResponse] = {}
        for chunk in _pack(requests):
            results.update(self._batch_envelope(chunk, version))
        return [results[r.id] for r in requests]

    def _batch_envelope(self, chunk: list[BatchRequest], version: str) -> dict[str, BatchResponse]:
        final: dict[str, BatchResponse] = {}
        last: dict[str, BatchResponse] = {}  # the previous answer of each item being resent
        pending = list(chunk)
        by_id = {r.id: r for r in chunk}
        attempt = 0
        while pending:
            attempt += 1
            pending_ids = {r.id for r in pending}
            payload = {"requests": [r.to_json(pending_ids.__contains__) for r in pending]}
            writes = sum(1 for r in pending if r.method.upper() != "GET")
            units = sum(resource_units(r.method, r.url, _query_of(r.url)) for r in pending)
            all_idempotent = all(r.method.upper() in IDEMPOTENT for r in pending)
            try:
                response = self._send(
                    "POST",
                    "/$batch",
                    version=version,
                    json=payload,
                    idempotent=all_idempotent,
                    writes=writes,
                    read_units=units,
                    batch_ids=tuple(r.id for r in pending),
                )
            except GraphClientError as exc:
                if attempt == 1:
                    raise
                # A resend failed: the answers of the first envelope(s) stand. A resend whose answer was
                # lost may have applied its items (no answer: re-read); one that never left did not.
                lost = isinstance(exc, UnknownOutcome)
                for r in pending:
                    final[r.id] = (
                        BatchResponse(r.id, r.method.upper(), r.url, NO_ANSWER, {}, None)
                        if lost
                        else last[r.id]
                    )
                return final
            self.counters.add(batch_items=len(pending))
            answers: dict[str, BatchResponse] = {}
            for item in (response.body or {}).get("responses", []):
                rid = str(item.get("id"))
                if rid not in by_id:
                    continue
                req = by_id[rid]
                answers[rid] = BatchResponse(
                    rid,
                    req.method.upper(),
                    req.url,
                    int(item.get("status", 0)),
                    {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()},
                    item.get("body"),
                )
            retry: dict[str, float | None] = {}
            for req in pending:
                answer = answers.get(req.id)
                if answer is None:
                    raise GraphClientError(f"$batch answer has no response for item {req.id!r}")
                if answer.status == 429:
                    self.counters.add(throttled=1)
                elif answer.status >= 500:
                    self.counters.add(server_errors=1)
                if answer.verdict is Verdict.RETRY:
                    retry[req.id] = parse_retry_after(answer.headers.get("retry-after"))
            # 424s whose failed dependency is being retried are retried with it (transitively).
            changed = True
            while changed:
                changed = False
                for req in pending:
                    if (
                        req.id not in retry
                        and answers[req.id].status == 424
                        and any(d in retry for d in req.depends_on)
                    ):
                        retry[req.id] = None
                        changed = True
            for req in pending:
                if req.id not in retry or attempt >= self.retry.max_attempts:
                    final[req.id] = answers[req.id]
            if not retry or attempt >= self.retry.max_attempts:
                return final
            waits = [w for w in retry.values() if w is not None]
            wait = max(waits) if waits else self.retry.backoff(attempt, self._rng)
            if wait > self.retry.max_retry_after:
                final.update({rid: answers[rid] for rid in retry})
                return final
            if waits:
                wait += self._rng.uniform(0, min(1.0, wait * 0.1))
                self._pause(wait)
            log.info("$batch: %d item(s) throttled or unavailable; resending in %.2fs", len(retry), wait)
            self.counters.add(retries=len(retry))
            last = answers
            try:
                self._sleep(wait)
            except Stopped:  # stopping: what was answered stands, the rest was not applied
                final.update({rid: answers[rid] for rid in retry})
                return final
            pending = [r for r in pending if r.id in retry]
        return final

    # ------------------------------------------------------------------ helpers
    def _url(self, path: str, version: str) -> str:
        if path.startswith(("https://", "http://")):
            parts = urlsplit(path)
            if (parts.scheme, parts.netloc.lower()) != self._origin:
                # Never send the bearer token to another host, whatever a next link says.
                raise GraphClientError(
                    f"refusing to follow a link to another host: {parts.scheme}://{parts.netloc}"
                )
            return path
        return f"{self.root}/{version}/{path.lstrip('/')}"

    def _relative(self, url: str) -> str:
        """The path after ``/v1.0`` or ``/beta``, without the query (for logs and permission lookup)."""
        path = urlsplit(url).path
        base = urlsplit(self.root).path.rstrip("/")
        path = path[len(base) :] if base and path.startswith(base) else path
        for version in ("/v1.0", "/beta"):
            if path.startswith(version + "/") or path == version:
                return path[len(version) :] or "/"
        return path

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


def encode_query(params: Mapping[str, str]) -> str:
    """OData query options as Graph's own SDKs send them: ``$`` kept, spaces as ``%20`` (not ``+``)."""
    return "&".join(quote(k, safe="$") + "=" + quote(v, safe="$,'()") for k, v in params.items())


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: fractional seconds (Graph) or an HTTP date."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return 0.0
    return seconds


def _query_of(url: str) -> dict[str, str]:
    query = urlsplit(url).query
    out: dict[str, str] = {}
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        out[key.replace("%24", "$")] = value
    return out


def _json_or_none(resp: httpx.Response) -> Any:
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def _request_id(headers: Mapping[str, str], body: Any) -> str | None:
    rid = headers.get("request-id")
    if rid:
        return rid
    if isinstance(body, dict):
        inner = (body.get("error") or {}).get("innerError") or {}
        if isinstance(inner, dict) and inner.get("request-id"):
            return str(inner["request-id"])
    return None


def _typed_error(status: int, headers: Mapping[str, str], body: Any, method: str, path: str) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or {424: "failedDependency"}.get(status, f"http{status}"))
    message = str(error.get("message") or "")
    request_id = _request_id(headers, body)
    args = (status, code, message, request_id)
    kwargs: dict[str, Any] = {"method": method, "url": path, "body": body}
    if status == 401:
        return UnauthorizedError(*args, **kwargs)
    if status == 403:
        rel = path
        for version in ("/v1.0", "/beta"):
            rel = rel.removeprefix(version)
        permission = permission_in_message(message) or required_permission(method, rel)
        return ForbiddenError(*args, permission=permission, **kwargs)
    if status == 404:
        return NotFoundError(*args, **kwargs)
    if status == 429:
        return ThrottledError(*args, retry_after=parse_retry_after(headers.get("retry-after")), **kwargs)
    return GraphError(*args, **kwargs)


def _pack(requests: Sequence[BatchRequest]) -> list[list[BatchRequest]]:
    """Split into envelopes of ≤ 20, each holding whole dependency groups, preserving order."""
    parent = {r.id: r.id for r in requests}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in requests:
        for d in r.depends_on:
            parent[find(r.id)] = find(d)
    groups: dict[str, list[BatchRequest]] = {}
    for r in requests:
        groups.setdefault(find(r.id), []).append(r)
    envelopes: list[list[BatchRequest]] = []
    current: list[BatchRequest] = []
    for group in groups.values():
        if len(group) > MAX_BATCH:
            raise ValueError(
                f"a dependency chain of {len(group)} requests does not fit one $batch (max {MAX_BATCH})"
            )
        if len(current) + len(group) > MAX_BATCH:
            envelopes.append(current)
            current = []
        current.extend(group)
    if current:
        envelopes.append(current)
    return envelopes
