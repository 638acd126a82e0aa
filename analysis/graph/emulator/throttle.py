"""Graph's write budget: N writes per window per app and tenant, answered with 429 + ``Retry-After``.

Graph's identity-and-access write quota is 3,000 requests per 150 s per app+tenant (reference/graph-api.md
§2.3). The emulator keeps a sliding log of accepted writes: a write that would exceed the budget is
refused with the exact time until the oldest write leaves the window, as a fractional ``Retry-After``
(Graph sends values such as ``2.128``). Every write counts, including each write inside a ``$batch``.
Refused writes are *not* counted, so a client that honours ``Retry-After`` always gets through when
it retries; one that retries early gets 429 again.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from analysis.errors import UserError

DEFAULT_WINDOW = 150.0


@dataclass(frozen=True)
class Budget:
    limit: int
    window: float

    def __str__(self) -> str:
        return f"{self.limit}/{self.window:g}"


def parse_budget(text: str, option: str = "--throttle-writes") -> Budget:
    """``N`` (per 150 s, Graph's window) or ``N/SECONDS``."""
    count, _, window = text.partition("/")
    try:
        budget = Budget(int(count), float(window) if window else DEFAULT_WINDOW)
    except ValueError:
        budget = Budget(0, 0.0)
    if budget.limit < 1 or budget.window <= 0:
        raise UserError(
            f"{option} {text!r}: expected N or N/SECONDS with N >= 1 and SECONDS > 0, e.g. 3000/150 or 20/1."
        )
    return budget


class SlidingWindow:
    """Thread-safe sliding-window counter; :meth:`acquire` returns None or seconds to wait."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._times: deque[float] = deque()
        self._lock = threading.Lock()
        self._clock = time.monotonic

    def acquire(self) -> float | None:
        with self._lock:
            now = self._clock()
            horizon = now - self.budget.window
            while self._times and self._times[0] <= horizon:
                self._times.popleft()
            if len(self._times) < self.budget.limit:
                self._times.append(now)
                return None
            return max(self._times[0] + self.budget.window - now, 0.001)


def format_retry_after(seconds: float) -> str:
    """Graph-style fractional seconds, never 0 (a client told 0 would retry at once and fail again)."""
    return f"{max(seconds, 0.001):.3f}"
