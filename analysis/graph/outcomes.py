"""What an answer from Graph means for the request that got it: the one place that decides.

The Graph client (whether to resend, inside one request or one ``$batch`` envelope) and the executor
(what to journal, whether to re-read) both ask :func:`classify`. Deciding it in one place is what keeps
"a 504 to a POST may have been applied" from being true in one module and false in another.
"""

from __future__ import annotations

from enum import StrEnum

#: Methods that can be resent without applying a change twice.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: The status used for "the request left, but no answer came back" (dropped connection, read timeout).
NO_ANSWER = 0


class Verdict(StrEnum):
    """How to treat one answer."""

    OK = "ok"  # 2xx: applied (or read), the answer is in hand
    GONE = "gone"  # a DELETE answered 404: the target is absent, which is what the delete wanted
    RETRY = "retry"  # not applied (429, 503; or lost but safe to resend): send again after a wait
    UNKNOWN = "unknown"  # a write may or may not have been applied: re-read before deciding anything
    DENIED = "denied"  # 401/403: this app may not do it; nothing else will succeed either
    REFUSED = "refused"  # Graph refused it (other 4xx): not applied


def classify(status: int, method: str, *, idempotent: bool | None = None) -> Verdict:
    """The verdict for ``status`` (``0`` = no answer) to a request of ``method``.

    ``idempotent`` overrides the method's own nature (a ``$batch`` envelope is a POST, but resending one
    that holds only reads is safe). 429 and 503 are Graph refusing to start the work, so resending is
    safe for any method; a 500, 502, 504 or a lost answer means the work may have been done, so a
    write is re-read rather than resent.
    """
    verb = method.upper()
    safe = verb in IDEMPOTENT if idempotent is None else idempotent
    if 200 <= status < 300:
        return Verdict.OK
    if status in (429, 503):
        return Verdict.RETRY
    if status in (NO_ANSWER, 500, 502, 504):
        return Verdict.RETRY if safe else Verdict.UNKNOWN
    if status == 404 and verb == "DELETE":
        return Verdict.GONE
    if status in (401, 403):
        return Verdict.DENIED
    return Verdict.REFUSED
