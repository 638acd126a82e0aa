"""What goes over the wire to Graph and comes back: the retry policy, counters and records, responses,
``$batch`` items and their packing into envelopes, and the small helpers for URLs, OData literals,
``Retry-After`` and typed errors. :class:`analysis.graph.client.GraphClient` sends them.
"""

from __future__ import annotations

import email.utils
import random
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from analysis.graph.errors import (
    ForbiddenError,
    GraphClientError,
    GraphError,
    NotFoundError,
    ThrottledError,
    UnauthorizedError,
    UnknownOutcome,
)
from analysis.graph.outcomes import Verdict, classify
from analysis.graph.permissions import permission_in_message, required_permission
from analysis.graph.ratelimit import MAX_BATCH


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
        return request_id_of(self.headers, self.body)

    @property
    def verdict(self) -> Verdict:
        return classify(self.status, self.method)

    def raise_for_status(self) -> BatchResponse:
        """Raise the typed error for a failed item (424 → GraphError with code ``failedDependency``)."""
        if self.ok:
            return self
        if self.verdict is Verdict.UNKNOWN:
            raise UnknownOutcome(self.method, self.url, f"{self.status} inside $batch")
        raise typed_error(self.status, self.headers, self.body, self.method, self.url)


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


def absolute_url(root: str, path: str, version: str) -> str:
    """``path`` under ``root``/``version``, or a next link verbatim if it is on ``root``'s host."""
    if path.startswith(("https://", "http://")):
        parts, origin = urlsplit(path), urlsplit(root)
        if (parts.scheme, parts.netloc.lower()) != (origin.scheme, origin.netloc.lower()):
            # Never send the bearer token to another host, whatever a next link says.
            raise GraphClientError(
                f"refusing to follow a link to another host: {parts.scheme}://{parts.netloc}"
            )
        return path
    return f"{root}/{version}/{path.lstrip('/')}"


def relative_path(root: str, url: str) -> str:
    """The path after ``/v1.0`` or ``/beta``, without the query (for logs and permission lookup)."""
    path = urlsplit(url).path
    base = urlsplit(root).path.rstrip("/")
    path = path[len(base) :] if base and path.startswith(base) else path
    for version in ("/v1.0", "/beta"):
        if path.startswith(version + "/") or path == version:
            return path[len(version) :] or "/"
    return path


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


def query_of(url: str) -> dict[str, str]:
    query = urlsplit(url).query
    out: dict[str, str] = {}
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        out[key.replace("%24", "$")] = value
    return out


def json_or_none(resp: httpx.Response) -> Any:
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def request_id_of(headers: Mapping[str, str], body: Any) -> str | None:
    rid = headers.get("request-id")
    if rid:
        return rid
    if isinstance(body, dict):
        inner = (body.get("error") or {}).get("innerError") or {}
        if isinstance(inner, dict) and inner.get("request-id"):
            return str(inner["request-id"])
    return None


def typed_error(status: int, headers: Mapping[str, str], body: Any, method: str, path: str) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or {424: "failedDependency"}.get(status, f"http{status}"))
    message = str(error.get("message") or "")
    request_id = request_id_of(headers, body)
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


def pack(requests: Sequence[BatchRequest]) -> list[list[BatchRequest]]:
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
