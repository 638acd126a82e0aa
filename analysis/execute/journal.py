"""The journal: an append-only record of every request this tool sends to a tenant, and its answer.

The rule that makes a killed run safe to resume: an ``intent`` row is committed *before* its request
leaves, and a ``response`` row after the answer. On restart, an intent without a response is a write
whose outcome is unknown; the executor resolves it by re-reading the user's state and records a
``resolved`` row (``applied`` or ``not_applied``); it never re-sends blindly.

Each write carries an idempotency key ``<batch>:<user_id>:<step>`` naming one plan step; a key with an
``ok``/``applied``/``already`` outcome is done and is never sent again by this batch.

The journal is the single source of truth for a resumed run: every id a later step needs (the
inventory id of a token ``hw_create`` made, the method id ``hw_assign`` got, the group a user was added
to) is stored in the ``ids`` column of the row that learnt it (the response, or the resolution that
found it by re-reading) and read back with :func:`step_ids`; nothing a resumed run needs lives only in
memory.

Nothing secret is stored: request and response bodies pass through :func:`redact`, which replaces the
values of known secret fields (OATH secret keys, activation codes, Temporary Access Passes, tokens)
with ``<redacted>``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from analysis.sqlfiles import sql

REDACTED = "<redacted>"
#: Field names whose values never enter the journal (compared case-insensitively).
SECRET_FIELDS = frozenset(
    {
        "secretkey",
        "verificationcode",
        "temporaryaccesspass",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "password",
        "devicetoken",
        "oath_secret",
        "secret",
    }
)
#: Outcomes that mean a step's write is in place (never to be sent again by the same batch).
DONE_OUTCOMES = frozenset({"ok", "applied", "already"})
#: Outcomes of steps deliberately left as they are (rollback: changed by someone else since; a default
#: Graph cannot unset). They are settled: not sent again, and reported.
LEFT_OUTCOMES = frozenset({"changed_since", "left_unset", "left_default"})


def redact(value: Any) -> Any:
    """A copy of ``value`` (JSON-like) with every secret field's value replaced by ``<redacted>``."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if str(k).lower() in SECRET_FIELDS and v is not None else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(redact(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def new_run_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Entry:
    """One request about to be sent (or a note about one step)."""

    idem_key: str
    user_id: int | None
    entra_id: str | None
    step: str
    method: str
    url: str
    body: Any = None


@dataclass(frozen=True)
class Answer:
    """What came back for one :class:`Entry`: ``outcome`` is the journal outcome (ok, applied, retry,
    unknown, error, not_sent); ``ids`` what later steps need from it (e.g. ``{"device": "..."}``)."""

    entry: Entry
    status: int | None
    outcome: str
    response: Any = None
    ids: dict[str, str] | None = None


_COLUMNS = (
    "at",
    "run_id",
    "batch_id",
    "kind",
    "idem_key",
    "user_id",
    "entra_id",
    "step",
    "method",
    "url",
    "body",
    "status",
    "outcome",
    "response",
    "actor",
    "ids",
)


def columns(names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """Rows as one list per named column: the parameters of a set-based statement over ``unnest`` (one
    statement for many rows, without building an Arrow table)."""
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


class Journal:
    """Writes journal rows for one invocation (``run_id``) of one batch (or of a rollout command).

    Every method commits before it returns: :meth:`intents` must be durable before the requests leave.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, *, batch_id: int | None, run_id: str, actor: str
    ) -> None:
        self.con, self.batch_id, self.run_id, self.actor = con, batch_id, run_id, actor

    def _insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """One set-based INSERT for many rows, in order: executemany costs a statement per row, which on
        a busy machine stalls the executor's single database thread."""
        if rows:
            ordered = [(*row, i) for i, row in enumerate(rows)]
            self.con.execute(sql("execute/journal.insert_rows"), columns((*_COLUMNS, "ord"), ordered))

    def _row(
        self,
        kind: str,
        entry: Entry,
        *,
        status: int | None = None,
        outcome: str | None = None,
        response: Any = None,
        body: Any = None,
        ids: dict[str, str] | None = None,
    ) -> tuple[Any, ...]:
        return (
            datetime.now(UTC),
            self.run_id,
            self.batch_id,
            kind,
            entry.idem_key,
            entry.user_id,
            entry.entra_id,
            entry.step,
            entry.method,
            entry.url,
            _dump(body),
            status,
            outcome,
            _dump(response),
            self.actor,
            json.dumps(ids, sort_keys=True) if ids else None,
        )

    def intents(self, entries: Iterable[Entry]) -> None:
        """Record requests about to be sent (one transaction, committed on return)."""
        self._tx([self._row("intent", e, body=e.body) for e in entries])

    def responses(self, answers: Iterable[Answer]) -> None:
        """Record the answers (status, ok/error/unknown and the redacted body)."""
        self._tx(
            [
                self._row(
                    "response", a.entry, status=a.status, outcome=a.outcome, response=a.response, ids=a.ids
                )
                for a in answers
            ]
        )

    def resolved(self, items: Iterable[tuple[Entry, str, dict[str, str] | None]]) -> None:
        """Unknown outcomes settled by re-reading: (entry, ``applied`` | ``not_applied`` | ``lost``, the
        ids the read found), one transaction."""
        self._tx([self._row("resolved", e, outcome=o, ids=ids) for e, o, ids in items])

    def notes(self, entries: Iterable[tuple[Entry, str, Any]]) -> None:
        """Steps decided without a request: (entry, outcome, detail), e.g. ``already`` in place."""
        self._tx([self._row("note", e, outcome=o, response=d) for e, o, d in entries])

    def _tx(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._insert(rows)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise


@dataclass(frozen=True)
class StepStatus:
    """Where one idempotency key stands, from the journal."""

    idem_key: str
    last_kind: str
    last_outcome: str | None
    done: bool
    open_intent: bool  # an intent (or unknown response) not yet settled: resolve before sending
    attempts: int


def step_statuses(con: duckdb.DuckDBPyConnection, batch_id: int, prefix: str = "") -> dict[str, StepStatus]:
    """The journal's view of every idempotency key of a batch (optionally only keys starting ``prefix``)."""
    con.execute(sql("execute/journal.settle")).fetchall()
    out: dict[str, StepStatus] = {}
    for key, kind, outcome, done, attempts in con.execute(
        sql("execute/journal.step_status"), {"batch_id": batch_id, "prefix": prefix}
    ).fetchall():
        open_intent = kind == "intent" or (kind == "response" and outcome == "unknown")
        out[key] = StepStatus(key, kind, outcome, bool(done), open_intent and not done, int(attempts))
    return out


def step_ids(con: duckdb.DuckDBPyConnection, batch_id: int, prefix: str) -> dict[str, dict[str, str]]:
    """The ids journaled for each idempotency key starting ``prefix`` (the latest row that had any)."""
    return {
        str(key): json.loads(ids)
        for key, ids in con.execute(
            sql("execute/journal.ids"), {"batch_id": batch_id, "prefix": prefix}
        ).fetchall()
    }


def entries(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[tuple[Any, ...]]:
    """The journal rows of a batch, oldest first (for `batch show --journal` and the tests)."""
    return con.execute(sql("execute/journal.rows"), {"batch_id": batch_id}).fetchall()
