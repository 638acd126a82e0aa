"""The journaled-write protocol: the one way this tool changes a tenant.

1. **Intent.** The write is journaled (idempotency key, method, URL, redacted body) and committed
   before it leaves (:func:`begin`).
2. **Send.** Through the Graph client, alone or in a ``$batch`` envelope.
3. **Classify.** Graph's answer is judged by :func:`analysis.graph.outcomes.classify`, the same rule the
   client retries by (:func:`interpret`): ``ok``; ``applied`` (a DELETE whose target is gone);
   ``retry`` (throttled or unavailable: not applied, send again later); ``unknown`` (the answer was
   lost or a 504: it may have been applied); ``error`` (refused or denied: not applied); ``not_sent``.
4. **Record.** The answer is journaled with the ids later steps need (:func:`record`).
5. **Resolve.** An ``unknown`` outcome is never resent blindly: the target is re-read and the journal
   gets a ``resolved`` row (``applied``, ``not_applied``; ``lost`` for a created secret whose answer
   never arrived); only a write that is not in place is sent again.

The run and rollback pipelines drive steps 1-4 around their ``$batch`` envelopes and resolve by reading
users; Staged Rollout and the cut-over send one request at a time with :func:`send_journaled`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.execute import crashpoints
from analysis.execute.journal import Answer, Entry, Journal
from analysis.execute.work import Request
from analysis.graph.client import GraphClient
from analysis.graph.errors import (
    AuthError,
    ForbiddenError,
    GraphClientError,
    GraphError,
    UnauthorizedError,
    UnknownOutcome,
)
from analysis.graph.outcomes import Verdict, classify
from analysis.graph.wire import BatchRequest, BatchResponse

#: The journal outcome of each verdict.
OUTCOMES = {
    Verdict.OK: "ok",
    Verdict.GONE: "applied",
    Verdict.RETRY: "retry",
    Verdict.UNKNOWN: "unknown",
    Verdict.DENIED: "error",
    Verdict.REFUSED: "error",
}


@dataclass(frozen=True)
class Write:
    """One journaled write: its idempotency key, whom it concerns, and the request."""

    key: str
    step: str
    request: Request
    user_id: int | None = None
    entra_id: str | None = None
    headers: dict[str, str] | None = None

    @property
    def entry(self) -> Entry:
        r = self.request
        return Entry(self.key, self.user_id, self.entra_id, self.step, r.method, r.url.split("?")[0], r.body)

    def batch_request(self, rid: str) -> BatchRequest:
        r = self.request
        return BatchRequest(rid, r.method, r.path, r.body, self.headers)


@dataclass(frozen=True)
class Reply:
    """What one write got back. ``verdict`` is None when it never left (``not_sent``)."""

    write: Write
    verdict: Verdict | None
    status: int | None = None
    body: Any = None

    @property
    def outcome(self) -> str:
        return "not_sent" if self.verdict is None else OUTCOMES[self.verdict]


def begin(journal: Journal, writes: Sequence[Write]) -> None:
    """Journal the intents (committed on return): nothing may leave before this."""
    journal.intents([w.entry for w in writes])
    crashpoints.reached("intent", [w.step for w in writes])


def interpret(writes: Sequence[Write], answers: Sequence[BatchResponse] | BaseException) -> list[Reply]:
    """Classify what came back for ``writes``: the item answers of an envelope, or what it raised."""
    if isinstance(answers, BaseException):
        exc = answers
        if isinstance(exc, UnknownOutcome):
            return [Reply(w, Verdict.UNKNOWN, None, {"error": str(exc)[:300]}) for w in writes]
        if isinstance(exc, AuthError | UnauthorizedError | ForbiddenError):
            status = getattr(exc, "status", None)
            return [Reply(w, Verdict.DENIED, status, {"error": str(exc)[:300]}) for w in writes]
        if isinstance(exc, GraphClientError):  # the envelope was refused or never left
            return [Reply(w, None, getattr(exc, "status", None), {"error": str(exc)[:300]}) for w in writes]
        raise exc
    return [Reply(w, a.verdict, a.status, a.body) for w, a in zip(writes, answers, strict=True)]


def record(journal: Journal, replies: Sequence[Reply], ids: dict[str, dict[str, str]] | None = None) -> None:
    """Journal the answers, with the ids each produced (committed on return)."""
    ids = ids or {}
    journal.responses(
        [Answer(r.write.entry, r.status, r.outcome, r.body, ids.get(r.write.key)) for r in replies]
    )
    crashpoints.reached("response", [r.write.step for r in replies])


def send_journaled(
    journal: Journal,
    client: GraphClient,
    write: Write,
    *,
    reread: Callable[[], bool] | None = None,
) -> Reply:
    """Carry out one write through the whole protocol and return its reply.

    ``reread()`` answers "is the write in place?"; it settles an unknown outcome (journaled ``resolved``
    ``applied`` or ``not_applied``, and the reply says so with verdict OK or RETRY).
    """
    begin(journal, [write])
    r = write.request
    reply: Reply
    try:
        response = client.request(r.method, r.path, version=r.version, json=r.body, headers=write.headers)
        reply = Reply(write, Verdict.OK, response.status, response.body)
    except GraphError as exc:
        reply = Reply(write, classify(exc.status, r.method), exc.status, exc.body)
    except (UnknownOutcome, AuthError, GraphClientError) as exc:
        reply = interpret([write], exc)[0]
    crashpoints.reached("sent", [write.step])
    record(journal, [reply])
    if reply.verdict is Verdict.UNKNOWN and reread is not None:
        applied = reread()
        journal.resolved([(write.entry, "applied" if applied else "not_applied", None)])
        crashpoints.reached("resolved", [write.step])
        reply = Reply(write, Verdict.OK if applied else Verdict.RETRY, None, reply.body)
    return reply
