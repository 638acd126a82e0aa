"""Client-side budgets that keep us under Graph's throttling limits instead of bouncing off them.

Graph's identity-and-access service allows an app 3,000 writes per 150 s per tenant and, for reads, a
number of *resource units* (RU) per 10 s that depends on the tenant's size (reference/graph-api.md
§2.3). Being throttled is expensive (usage keeps being counted while throttled, and every 429 costs a
Retry-After wait), so the client paces itself with :class:`TokenBucket` and still honours every 429.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """At most ``limit`` units in any window of ``period`` seconds, shared by all threads.

    A plain token bucket of capacity C refilled at C/period lets through up to 2C in one window (a full
    bucket, then a period of refill). This one holds ``burst`` tokens and refills at
    ``(limit - burst) / period``, so any window of ``period`` seconds sees at most
    ``burst + (limit - burst) = limit`` units: the budget is a guarantee, not an average.

    :meth:`acquire` reserves first and sleeps outside the lock, so waiting threads queue in arrival
    order and never hold each other up beyond their own reservation.
    """

    def __init__(
        self,
        limit: float,
        period: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit <= 0 or period <= 0:
            raise ValueError("a token bucket needs a positive limit and period")
        self.limit, self.period = float(limit), float(period)
        self.burst = float(burst) if burst is not None else max(1.0, self.limit / 10)
        if not 0 < self.burst < self.limit:
            # A burst equal to the limit would leave no refill; keep the guarantee with a tiny rate.
            self.burst = max(1.0, min(self.burst, self.limit / 2))
        self.rate = (self.limit - self.burst) / self.period
        self._clock, self._sleep = clock, sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds callers spent waiting, for benchmarks

    def reserve(self, units: float = 1.0) -> float:
        """Take ``units`` now and return how long the caller must wait before using them."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= units
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
            self.waited += wait
            return wait

    def acquire(self, units: float = 1.0) -> float:
        """Block until ``units`` fit in the budget; return the seconds waited."""
        wait = self.reserve(units)
        if wait > 0:
            self._sleep(wait)
        return wait


#: The most requests, so the most writes, one JSON ``$batch`` carries.
MAX_BATCH = 20


def writes_budget(limit: int = 3000, period: float = 150.0) -> TokenBucket:
    """The client's write bucket: Graph's quota per app and tenant (3,000 per 150 s) unless told otherwise.

    Its burst is one full ``$batch`` envelope (20 writes). The bucket's steady pace fills a window to
    the limit, so what keeps Graph from answering 429 is slack for a request that reaches Graph later
    than it was sent: burst / rate seconds. A burst of 5 left 0.25 s at 300 writes per 15 s, and four
    envelopes in flight drew 429s for ~3 % of writes (benchmarks/README.md ## Execute); one envelope
    leaves ~1 s at Graph's 3,000 per 150 s too, for a ceiling of (limit - 20) / limit = 99.3 % of it.
    Budgets under 40 writes (tests) get half the limit.
    """
    return TokenBucket(limit, period, burst=min(float(MAX_BATCH), limit / 2))


def tenant_read_quota(user_count: int) -> int:
    """Graph's RU quota per 10 s for an app in a tenant of this size (S < 50, M <= 500, L above)."""
    if user_count < 50:
        return 3500
    if user_count <= 500:
        return 5000
    return 8000


def resource_units(method: str, path: str, params: dict[str, str] | None = None) -> int:
    """Graph's published RU cost of one request (identity-and-access service, §2.3).

    GET users 2, group members 3, transitive members 5, everything else 1; writes cost 1 RU (plus one
    unit of the separate write quota); ``$select`` -1, ``$expand`` +1, ``$top`` < 20 -1; never below 1.
    ``path`` is relative to the version (``/users``, ``/groups/{id}/members``, ...).
    """
    path = "/" + path.split("?", 1)[0].strip("/")
    segments = path.split("/")
    cost = 1
    if method.upper() == "GET":
        if path == "/users":
            cost = 2
        elif len(segments) >= 4 and segments[1] == "groups" and segments[3] == "members":
            cost = 3
        elif len(segments) >= 4 and segments[1] == "groups" and segments[3].startswith("transitiveMembers"):
            cost = 5
    params = params or {}
    if "$select" in params:
        cost -= 1
    if "$expand" in params:
        cost += 1
    top = params.get("$top")
    if top is not None and str(top).isdigit() and int(top) < 20:
        cost -= 1
    return max(1, cost)
