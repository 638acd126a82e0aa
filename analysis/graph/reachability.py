"""When Graph cannot be reached at all: say so at once, retry at a capped pace, give up in time.

A request that never left (connection refused, DNS failure, connect timeout) or whose answer timed out
is not a throttling problem: resending it at once achieves nothing and staying silent hides the outage.
One :class:`Reachability` is shared by all threads of a client. The first failure opens an *outage*
(reported immediately: what failed, since when, when the next try is); every thread then waits for
the outage's next retry (1 s, 2 s, 4 s ... at most ``backoff_cap``), so a dead service gets one probe
per interval rather than one per thread. After ``give_up_after`` seconds the waiting threads raise
:class:`~analysis.graph.errors.GraphUnreachable`, and the caller stops cleanly. A TLS certificate that
does not verify is never retried: time will not make it trustworthy.

The waits honour a stop event (SIGINT/SIGTERM), raising :class:`~analysis.graph.errors.Stopped`.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from analysis.graph.errors import GraphUnreachable, Stopped

DEFAULT_GIVE_UP = 600.0


@dataclass(frozen=True)
class Outage:
    """An ongoing outage, for whoever shows it (the dashboard's run panel)."""

    cause: str  # what failed, e.g. "connection refused by 127.0.0.1:8443"
    since: float  # wall-clock epoch seconds
    next_retry: float  # wall-clock epoch seconds
    attempts: int

    def describe(self) -> str:
        since = time.strftime("%H:%M:%S", time.localtime(self.since))
        wait = max(0.0, self.next_retry - time.time())
        return f"Graph unreachable since {since}: {self.cause}; next try in {wait:.0f} s"


def describe_failure(exc: BaseException) -> tuple[str, bool]:
    """(a short human description of a transport failure, whether it is a certificate failure)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted: {getattr(item, 'verify_message', None) or item}"[:200], True
    text = " ".join(str(item) for item in chain)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "TLS certificate not trusted (CERTIFICATE_VERIFY_FAILED)", True
    name = type(exc).__name__
    if any(isinstance(item, socket.gaierror) for item in chain) or "Name or service not known" in text:
        return f"DNS lookup failed ({name})", False
    if any(isinstance(item, ConnectionRefusedError) for item in chain) or "refused" in text.lower():
        return f"connection refused ({name})", False
    if "Timeout" in name:
        return f"no answer in time ({name})", False
    if isinstance(exc, ssl.SSLError) or any(isinstance(item, ssl.SSLError) for item in chain):
        return f"TLS handshake failed ({name}: {str(exc)[:120]})", False
    return f"{name}: {str(exc)[:160]}", False


class Reachability:
    """Shared outage state of one client (thread-safe)."""

    def __init__(
        self,
        *,
        give_up_after: float = DEFAULT_GIVE_UP,
        report: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.give_up_after = give_up_after
        self.report = report or (lambda _message: None)
        self.stop = stop or threading.Event()
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self._clock, self._wall = clock, wall
        self._lock = threading.Lock()
        self._started: float | None = None  # monotonic start of the outage
        self._since = 0.0  # wall-clock start
        self._next = 0.0  # monotonic time of the next try
        self._attempts = 0
        self._cause = ""

    @property
    def outage(self) -> Outage | None:
        with self._lock:
            if self._started is None:
                return None
            return Outage(
                self._cause, self._since, self._since + (self._next - self._started), self._attempts
            )

    def failed(self, method: str, url: str, exc: BaseException) -> None:
        """Record that ``method url`` could not reach Graph; wait for the next try, or raise.

        Raises :class:`GraphUnreachable` for a certificate failure or once the outage is older than
        ``give_up_after``, and :class:`Stopped` when the stop event is set while waiting.
        """
        cause, certificate = describe_failure(exc)
        with self._lock:
            now = self._clock()
            if self._started is None:
                self._started, self._since, self._attempts = now, self._wall(), 0
                self._next = now
            self._cause = cause
            since = self._since
            if certificate:
                self.report(
                    f"cannot reach Graph: {cause} ({method} {url}); not retried: check --ca-file and the "
                    "server's certificate"
                )
                raise GraphUnreachable(method, url, cause, since=since, certificate=True)
            elapsed = now - self._started
            if elapsed >= self.give_up_after:
                raise GraphUnreachable(method, url, cause, since=since)
            if now >= self._next:  # this failure is the probe of the current interval: schedule the next
                self._attempts += 1
                delay = min(self.backoff_cap, self.backoff_base * 2 ** (self._attempts - 1))
                delay = min(delay, max(0.0, self.give_up_after - elapsed))
                self._next = now + delay
                stamp = time.strftime("%H:%M:%S", time.localtime(since))
                self.report(
                    f"Graph unreachable since {stamp}: {cause} ({method} {url}); next try in {delay:.0f} s, "
                    f"giving up {max(0.0, self.give_up_after - elapsed):.0f} s from now"
                )
            wait = self._next - now
        if wait > 0 and self.stop.wait(wait):
            raise Stopped(method, url)
        if self.stop.is_set():
            raise Stopped(method, url)

    def succeeded(self) -> None:
        """A request reached Graph: close the outage (and say so) if there was one."""
        if self._started is None:  # unlocked fast path; a stale read only delays the message
            return
        with self._lock:
            if self._started is None:
                return
            lasted = self._clock() - self._started
            self._started = None
            self._attempts = 0
        self.report(f"Graph reachable again after {lasted:.0f} s")
