"""Graph's write budget (and optionally its resource-unit budget), answered with 429 + ``Retry-After``.

Graph's identity-and-access write quota is 3,000 requests per 150 s per app+tenant (reference/graph-api.md
§2.3). The emulator keeps a sliding log of accepted writes: a write that would exceed the budget is
refused with the exact time until the oldest write leaves the window, as a fractional ``Retry-After``
(Graph sends values such as ``2.128``). Every write counts, including each write inside a ``$batch``.
Refused writes are *not* counted, so a client that honours ``Retry-After`` always gets through when
it retries; one that retries early gets 429 again.

``--throttle-ru N[/SECONDS]`` adds Graph's resource-unit bucket (3,500 / 5,000 / 8,000 RU per 10 s by
tenant size): each request costs what §2.3 says (GET 1, ``GET /users`` 2, ``members`` 3,
``transitiveMembers`` 5, writes 1; ``$select`` and ``$top`` < 20 take 1 off, ``$expand`` adds 1,
never below 1) and every answer carries ``x-ms-resource-unit``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from analysis.errors import UserError

DEFAULT_WINDOW = 150.0
RU_WINDOW = 10.0


@dataclass(frozen=True)
class Budget:
    limit: int
    window: float

    def __str__(self) -> str:
        return f"{self.limit}/{self.window:g}"


def parse_budget(
    text: str, option: str = "--throttle-writes", default_window: float = DEFAULT_WINDOW
) -> Budget:
    """``N`` (per ``default_window`` seconds: 150 for writes, 10 for resource units) or ``N/SECONDS``."""
    count, _, window = text.partition("/")
    try:
        budget = Budget(int(count), float(window) if window else default_window)
    except ValueError:
        budget = Budget(0, 0.0)
    if budget.limit < 1 or budget.window <= 0:
        raise UserError(
            f"{option} {text!r}: expected N or N/SECONDS with N >= 1 and SECONDS > 0, e.g. 3000/150 or 20/1."
        )
    return budget


class SlidingWindow:
    """Thread-safe weighted sliding window; :meth:`acquire` returns None (charged) or seconds to wait."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._events: deque[tuple[float, int]] = deque()
        self._total = 0
        self._lock = threading.Lock()
        self._clock = time.monotonic

    def acquire(self, cost: int = 1) -> float | None:
        cost = max(1, min(cost, self.budget.limit))
        with self._lock:
            now = self._clock()
            horizon = now - self.budget.window
            while self._events and self._events[0][0] <= horizon:
                self._total -= self._events.popleft()[1]
            if self._total + cost <= self.budget.limit:
                self._events.append((now, cost))
                self._total += cost
                return None
            # Wait until enough of the oldest charges leave the window to make room for this one.
            freed = 0
            for stamp, charged in self._events:
                freed += charged
                if self._total - freed + cost <= self.budget.limit:
                    return max(stamp + self.budget.window - now, 0.001)
            return self.budget.window


def format_retry_after(seconds: float) -> str:
    """Graph-style fractional seconds, never 0 (a client told 0 would retry at once and fail again)."""
    return f"{max(seconds, 0.001):.3f}"
