"""Batches: a chosen set of users with their plan rows frozen under a hash, and the approval around them.

A batch is the unit a change board approves and the executor runs (docs/executing.md). Its life::

    draft ──approve──▶ approved ──run──▶ running ──▶ completed | partial | failed ──verify──▶ verified
      ▲                   │                  │            │
      └──approval void────┘                  └────────────┴──rollback──▶ rolling_back ──▶ rolled_back

``running`` means a run is in progress, or that the last run crashed (``batch run`` says so and
resumes); a run that stops for any other reason (SIGINT/SIGTERM, Graph unreachable) ends ``partial``
with the reason. Rollback works from every state that may have written, ``running`` included.

* The plan rows are copied into ``batch_rows`` when the batch is created; ``plan_hash`` is SHA-256 over
  those rows in a canonical order plus the fingerprint of the settings and the ``[execute]`` options.
  What the approver approves is that hash (``approved_hash``).
* Before a run the rows are hashed again (they must still be what was approved) and, for a first run,
  the batch's users are planned again on the current workspace: if that plan differs, the approval is
  void and the batch goes back to draft. A change board never approves one thing and gets another.
* Every state change is an append-only ``batch_events`` row with who and when.

Execution options (how to hand devices to Microsoft's utility, whether approver and creator must
differ; :mod:`analysis.execute.options`) are frozen into the batch at creation and covered by the hash:
changing them after approval voids the approval like a change of plan. Creating a batch from a
selection of users is :mod:`analysis.execute.selection`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from analysis.errors import UserError
from analysis.execute.actors import Actor, os_user
from analysis.execute.options import ExecOptions, approval_fingerprint
from analysis.simulate.plan import check_table
from analysis.simulate.settings import Settings
from analysis.sources import access
from analysis.sqlfiles import sql

STATES = (
    "draft",
    "approved",
    "running",
    "completed",
    "partial",
    "failed",
    "verified",
    "rolling_back",
    "rolled_back",
)
#: Allowed state changes. ``running`` → ``running`` is a resume after a crash.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"approved"}),
    "approved": frozenset({"running", "draft"}),
    "running": frozenset({"running", "completed", "partial", "failed", "rolling_back"}),
    "completed": frozenset({"verified", "rolling_back"}),
    "partial": frozenset({"running", "verified", "rolling_back"}),
    "failed": frozenset({"running", "rolling_back"}),
    "verified": frozenset({"verified", "rolling_back"}),
    "rolling_back": frozenset({"rolling_back", "rolled_back"}),
    "rolled_back": frozenset(),
}
#: States from which ``batch run`` continues an earlier run (resume) rather than starting one.
RESUMABLE = frozenset({"running", "partial", "failed"})


def current_actor(given: str | None = None) -> str:
    """What to record as this process's actor: the OS user, after the ``--as`` label if one was given
    (e.g. ``Bob (unverified label; OS user alice)``); :mod:`analysis.execute.actors` says what is proven."""
    return Actor.current(given).text


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------------------- schema


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create execution's kept-across-loads tables if missing (never drops or replaces anything); a
    read lease (``batch list`` beside a running batch) creates nothing."""
    if access.is_writable(con):
        con.execute(sql("execute/schema"))


@dataclass(frozen=True)
class Batch:
    """One row of ``batches``."""

    batch_id: int
    name: str
    state: str
    selection: str
    settings_toml: str
    settings_signature: str
    selection_signature: str
    options: ExecOptions
    plan_hash: str
    load_id: str | None
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    approved_hash: str | None
    approval_note: str | None
    agreement: float | None

    @property
    def settings(self) -> Settings:
        return Settings.from_dict(tomllib.loads(self.settings_toml), source=f"batch {self.name}")

    @property
    def label(self) -> str:
        return f"batch {self.batch_id} ({self.name})"


def _batch_from_row(row: tuple[Any, ...]) -> Batch:
    values = list(row)
    values[7] = ExecOptions.from_json(values[7])
    return Batch(*values)


def get_batch(con: duckdb.DuckDBPyConnection, ref: str | int) -> Batch:
    """A batch by number or by name; a UserError names what was asked for when there is none."""
    ensure_schema(con)
    text = str(ref).strip()
    row = None
    if text.isdigit():
        row = con.execute(sql("execute/batches.by_id"), {"batch_id": int(text)}).fetchone()
    if row is None:
        row = con.execute(sql("execute/batches.by_name"), {"name": text}).fetchone()
    if row is None:
        raise UserError(
            f"there is no batch {text!r} in this workspace; `mfa-migrate batch list` shows the batches"
        )
    return _batch_from_row(row)


def list_batches(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """One summary row per batch, newest first."""
    ensure_schema(con)
    return con.execute(sql("execute/batches.list")).fetchall()


def record_event(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    actor: str,
    event: str,
    from_state: str | None,
    to_state: str | None,
    detail: str | None = None,
    who: Actor | None = None,
) -> None:
    """Append an event. The OS account of this process is always recorded with it (it is who made the
    change, whatever ``actor`` says); ``who`` adds a signed-in Entra user."""
    account = who.os if who else os_user()
    con.execute(
        sql("execute/batches.event_insert"),
        {
            "batch_id": batch_id,
            "at": now(),
            "actor": actor,
            "event": event,
            "from_state": from_state,
            "to_state": to_state,
            "detail": detail,
            "os_uid": account.uid,
            "os_user": account.name,
            "entra_upn": who.entra.upn if who and who.entra else None,
            "entra_oid": who.entra.oid if who and who.entra else None,
        },
    )


def transition(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    to_state: str,
    actor: str,
    event: str,
    detail: str | None = None,
) -> Batch:
    """Move a batch to ``to_state`` (checked against :data:`TRANSITIONS`) and record the event.

    The update is conditional on the state read, so two writers cannot both move the same batch.
    """
    if to_state not in TRANSITIONS[batch.state]:
        raise UserError(f"{batch.label} is {batch.state}; it cannot become {to_state}")
    con.execute("BEGIN TRANSACTION")
    try:
        changed = con.execute(
            sql("execute/batches.set_state"),
            {"to_state": to_state, "batch_id": batch.batch_id, "from_state": batch.state},
        ).fetchall()
        if not changed:
            raise UserError(
                f"{batch.label} changed state while this command ran; look at `batch show` and retry"
            )
        record_event(con, batch.batch_id, actor, event, batch.state, to_state, detail)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return get_batch(con, batch.batch_id)


def events(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[tuple[Any, ...]]:
    return con.execute(sql("execute/batches.events"), {"batch_id": batch_id}).fetchall()


# ---------------------------------------------------------------------------------------- hashing


def hash_rows(con: duckdb.DuckDBPyConnection, source: str, batch_id: int | None, fingerprint: str) -> str:
    """SHA-256 (hex) over plan rows in canonical order plus the settings fingerprint.

    ``source`` is ``"batch"`` (the frozen rows of ``batch_id``) or a plan table (a re-plan restricted to
    ``batch_id``'s users). The canonical form is built in SQL (``queries/execute/batches.sql``
    ``plan_hash``): one JSON array per row, sorted, joined by newlines.
    """
    if source == "batch":
        con.execute(sql("execute/batches.hash_rows_batch"), {"batch_id": batch_id})
    else:
        con.execute(sql("execute/batches.hash_rows_replan", plan=check_table(source)), {"batch_id": batch_id})
    row = con.execute(sql("execute/batches.plan_hash"), {"fingerprint": fingerprint}).fetchone()
    assert row is not None
    return str(row[0])


# ---------------------------------------------------------------------------------------- approval


def approve(
    con: duckdb.DuckDBPyConnection,
    ref: str | int,
    actor: Actor | str,
    note: str | None = None,
    *,
    automatic: bool = False,
) -> Batch:
    """Approve a draft batch: the approval binds to the batch's current plan hash.

    ``actor`` is who approves, as proven (:class:`~analysis.execute.actors.Actor`; a plain string is a
    ``--as`` label of this process's OS user). The workspace policy (:mod:`analysis.execute.policy`)
    decides whether they may: with the four-eyes rule on, only a different OS account (or Entra user,
    under ``approval = signed_in``) than the creator's. ``automatic`` is ``sync --auto-approve`` approving
    users who were approved and migrated before; it is recorded as such.
    """
    from analysis.execute.policy import approval_refusal, read_policy

    who = actor if isinstance(actor, Actor) else Actor.current(actor)
    batch = get_batch(con, ref)
    if batch.state != "draft":
        raise UserError(f"{batch.label} is {batch.state}; only a draft batch can be approved")
    batch = check_integrity(con, batch, who.text)
    policy = read_policy(con)
    refusal = None if automatic else approval_refusal(con, batch, who, policy)
    if refusal:
        raise UserError(refusal)
    detail = " | ".join(
        part
        for part in (note, "automatic" if automatic else "", "" if policy.four_eyes else "four-eyes rule OFF")
        if part
    )
    con.execute("BEGIN TRANSACTION")
    try:
        changed = con.execute(
            sql("execute/batches.approve"),
            {
                "actor": who.text,
                "at": now(),
                "plan_hash": batch.plan_hash,
                "note": note,
                "batch_id": batch.batch_id,
            },
        ).fetchall()
        if not changed:
            raise UserError(
                f"{batch.label} changed while it was being approved; look at `batch show` and retry"
            )
        record_event(con, batch.batch_id, who.text, "approved", "draft", "approved", detail or None, who)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return get_batch(con, batch.batch_id)


def void_approval(con: duckdb.DuckDBPyConnection, batch: Batch, actor: str, why: str) -> Batch:
    """Back to draft, approval cleared, with the reason recorded."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql("execute/batches.void_approval"), {"batch_id": batch.batch_id})
        record_event(con, batch.batch_id, actor, "approval_voided", batch.state, "draft", why)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return get_batch(con, batch.batch_id)


def check_integrity(con: duckdb.DuckDBPyConnection, batch: Batch, actor: str) -> Batch:
    """The frozen rows still hash to the recorded plan hash, the approval (if any) is for that hash, and
    the settings and ``[execute]`` options stored with the batch are still the ones hashed.

    Rows that no longer hash are refused (the workspace was edited outside mfa-migrate). Settings or
    options that changed after the hash was taken re-hash the batch: an approval is void (the batch goes
    back to draft and this raises), a draft simply gets the new hash for its approver to approve.
    """
    actual = hash_rows(con, "batch", batch.batch_id, batch.settings_signature)
    if actual != batch.plan_hash:
        raise UserError(
            f"{batch.label}: its frozen plan rows no longer match the recorded hash (recorded "
            f"{batch.plan_hash[:12]}, now {actual[:12]}); the workspace was edited outside mfa-migrate. "
            "Do not run it: create a new batch."
        )
    if batch.approved_hash is not None and batch.approved_hash != batch.plan_hash:
        raise UserError(f"{batch.label}: the approved hash differs from the plan hash; create a new batch")
    fingerprint = approval_fingerprint(batch.settings, batch.options)
    if fingerprint == batch.settings_signature:
        return batch
    new_hash = hash_rows(con, "batch", batch.batch_id, fingerprint)
    why = (
        f"the settings or [execute] options stored with the batch changed (plan hash {batch.plan_hash[:12]} "
        f"is now {new_hash[:12]})"
    )
    if batch.state not in ("draft", "approved"):
        raise UserError(
            f"{batch.label} is {batch.state}, but {why} after it was approved: it must not write any more. "
            "Roll it back (batch rollback --confirm) or leave it, and create a new batch."
        )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            sql("execute/batches.rehash"),
            {"fingerprint": fingerprint, "plan_hash": new_hash, "batch_id": batch.batch_id},
        )
        if batch.state == "approved":
            con.execute(sql("execute/batches.void_approval"), {"batch_id": batch.batch_id})
            record_event(con, batch.batch_id, actor, "approval_voided", "approved", "draft", why)
        else:
            record_event(con, batch.batch_id, actor, "rehashed", "draft", "draft", why)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if batch.state == "approved":
        raise UserError(
            f"{batch.label}: {why} after approval, so the approval is void and the batch is back in draft. "
            "Review it with `batch show` (handoff, TAP) and approve it again if that is what you want."
        )
    return get_batch(con, batch.batch_id)


def replan_hash(con: duckdb.DuckDBPyConnection, batch: Batch, plan_table: str) -> str:
    """The hash the batch's users would get from ``plan_table`` (a fresh plan with the batch's settings
    and options)."""
    return hash_rows(con, plan_table, batch.batch_id, batch.settings_signature)


def batch_users(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[tuple[Any, ...]]:
    return con.execute(sql("execute/batches.users"), {"batch_id": batch_id}).fetchall()
