"""``batch rollback``: undo this tool's own writes of one batch, from its journal and before-images.

Only writes the journal shows *this batch* made (``ok``, or an unknown outcome resolved ``applied``)
are undone; a value that was already in place (``already``) was not ours to undo. It works on a batch
in any state that may have written, ``running`` included (a run that crashed): the crashed run's writes
without an answer are first settled by re-reading, exactly as a resumed run would, so nothing the run
may have done is missed. For each user, in reverse order (:func:`analysis.execute.steps.plan_undo`):
the default method, the hardware token (unassigned, then deleted from the inventory), the phones
(PATCHed back, or deleted; alternate before mobile), the migration-group membership.

A value someone changed after the batch wrote it is left alone and reported (``changed_since``):
rollback restores our writes, it never overwrites someone else's. Rollback is journaled like a run
(idempotency keys ``rb:<batch>:<user>:<step>``), goes through the same pipeline and protocol, and
resumes the same way. Migration marks this batch set for those users are removed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import batches as batches_mod
from analysis.execute.journal import (
    DONE_OUTCOMES,
    LEFT_OUTCOMES,
    Journal,
    new_run_id,
    step_ids,
    step_statuses,
)
from analysis.execute.kinds import KINDS
from analysis.execute.pipeline import Mode, Pipeline
from analysis.execute.reads import FATAL, ReadResult, Target, read_users
from analysis.execute.runner import load_works
from analysis.execute.runprep import settle
from analysis.execute.steps import Step, plan_undo, written_values
from analysis.execute.undo import UNDO_KINDS, UNSETTABLE, holds_unsettable_default
from analysis.execute.work import Context, GroupMembers, Work
from analysis.graph.client import GraphClient
from analysis.sources import latest
from analysis.sqlfiles import sql

ROLLBACK_FROM = ("running", "completed", "partial", "failed", "verified", "rolling_back")


@dataclass
class RollbackResult:
    batch: batches_mod.Batch
    users: int = 0
    restored: int = 0  # writes undone
    already: int = 0  # already back to the before-image
    changed_since: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    left: dict[str, list[str]] = field(default_factory=dict)  # username -> what was left as it is
    settled: int = 0  # writes of a crashed run settled by re-reading first
    stopped: str | None = None


class SettleMode(Mode):
    """Settle a crashed run's open writes by re-reading (the pipeline journals the resolutions)."""

    def __init__(self, batch_id: int) -> None:
        self.prefix, self.kinds = f"{batch_id}:", KINDS

    def accept(self, work: Work, pipe: Pipeline) -> bool:
        pipe.finish(work, "settled")
        return False


class RollbackMode(Mode):
    read_source = "rollback"  # the read before undoing is the latest state of users it leaves as they are

    def __init__(self, con: duckdb.DuckDBPyConnection, batch: batches_mod.Batch) -> None:
        self.con, self.batch = con, batch
        self.prefix, self.kinds = f"rb:{batch.batch_id}:", UNDO_KINDS

    def missing(self, work: Work, pipe: Pipeline) -> None:
        pipe.finish(work, "failed", "cannot read the user (the Entra user no longer exists)")

    def blocked(self, work: Work, step: Step, outcome: str, reason: str, pipe: Pipeline) -> None:
        work.progress[step.name].left = reason
        pipe.tally.left += 1
        pipe.note(work, step, outcome, {"reason": reason})

    def refused(self, work: Work, step: Step, reason: str, pipe: Pipeline) -> None:
        if work.progress[step.name].refused == 400 and holds_unsettable_default(step, work):
            # The default this batch set (none was set before) rests on this method, and Graph will not
            # delete a default method while the user has others; it cannot be unset either.
            self.blocked(work, step, "left_default", UNSETTABLE, pipe)
            return
        pipe.finish(work, "failed", reason)

    def completed(self, work: Work, pipe: Pipeline) -> None:
        left = [
            f"{s.name[3:]} ({work.progress[s.name].left})" for s in work.steps if work.progress[s.name].left
        ]
        pipe.finish(work, "partly_rolled_back" if left else "rolled_back", "; ".join(left) or None)

    def flush(self, pipe: Pipeline, final: bool = False) -> None:
        done = [w for w in pipe.finished if w.status in ("rolled_back", "partly_rolled_back")]
        if not done or not (final or len(done) >= 200):
            return
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.executemany(
                sql("execute/rollback.user_done"),
                [
                    {
                        "status": w.status,
                        "detail": w.detail,
                        "batch_id": self.batch.batch_id,
                        "user_id": w.user_id,
                    }
                    for w in done
                ],
            )
            self.con.executemany(
                sql("execute/rollback.unmark"),
                [
                    {"batch_name": self.batch.name, "batch_id": self.batch.batch_id, "user_id": w.user_id}
                    for w in done
                ],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        pipe.finished = [w for w in pipe.finished if w not in done]


def _group_id(con: duckdb.DuckDBPyConnection, batch_id: int) -> str | None:
    """The migration group the batch added users to (journaled with the answers; else the intent URL)."""
    for ids in step_ids(con, batch_id, f"{batch_id}:").values():
        if ids.get("group"):
            return str(ids["group"])
    row = con.execute(sql("execute/rollback.group_url"), {"batch_id": batch_id}).fetchone()
    parts = str(row[0]).split("/") if row and row[0] else []
    return parts[parts.index("groups") + 1] if "groups" in parts else None


def _undo_works(con: duckdb.DuckDBPyConnection, batch: batches_mod.Batch) -> list[Work]:
    batch_id = batch.batch_id
    forward = step_statuses(con, batch_id, f"{batch_id}:")
    back = step_statuses(con, batch_id, f"rb:{batch_id}:")
    ours = {
        k
        for (k,) in con.execute(
            sql("execute/rollback.ours"), {"batch_id": batch_id, "prefix": f"{batch_id}:"}
        ).fetchall()
    }
    ours |= {k for k, s in forward.items() if s.done and s.last_outcome in ("ok", "applied")}
    ids = step_ids(con, batch_id, f"{batch_id}:") | step_ids(con, batch_id, f"rb:{batch_id}:")
    rows: dict[int, list[tuple[Any, ...]]] = {}
    for user_id, item, action, ref, value in con.execute(
        sql("execute/rollback.values"), {"batch_id": batch_id}
    ).fetchall():
        rows.setdefault(int(user_id), []).append((item, action, ref, value))
    works = []
    for user_id, username, entra_id, before, status in con.execute(
        sql("execute/rollback.users"), {"batch_id": batch_id}
    ).fetchall():
        applied = {k.rsplit(":", 1)[1] for k in ours if k.startswith(f"{batch_id}:{user_id}:")}
        if status == "rolled_back" or before is None or not applied:
            continue
        steps = plan_undo(applied, written_values(rows.get(int(user_id), [])), json.loads(before))
        work = Work(int(user_id), username, entra_id, steps, before)
        for name in ("hw_create", "hw_assign"):
            if f"{batch_id}:{user_id}:{name}" in ids:
                work.ids[name] = ids[f"{batch_id}:{user_id}:{name}"]
        for step in steps:
            st = back.get(f"rb:{batch_id}:{user_id}:{step.name}")
            if st is not None:
                p = work.progress[step.name]
                p.done = st.done or st.last_outcome in DONE_OUTCOMES
                p.left = st.last_outcome if st.last_outcome in LEFT_OUTCOMES else None
                p.open = st.open_intent
        works.append(work)
    return works


def rollback_batch(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    ref: str | int,
    console: Console,
    *,
    actor: str,
    confirm: bool,
    concurrency: int = 4,
    active_users: int = 400,
    stop: threading.Event | None = None,
    settle_seconds: float = 60.0,
) -> RollbackResult:
    """Undo the batch's own writes (needs ``confirm``); resumable like a run."""
    batches_mod.ensure_schema(con)
    batch = batches_mod.get_batch(con, ref)
    if not confirm:
        raise UserError(
            f"rollback changes the tenant: it restores the before-images of {batch.label}'s writes. "
            "Run it again with --confirm to proceed."
        )
    if batch.state == "rolled_back":
        return RollbackResult(batch)
    if batch.state not in ROLLBACK_FROM:
        raise UserError(f"{batch.label} is {batch.state}; it has written nothing to roll back")
    stop = stop or threading.Event()
    journal = Journal(con, batch_id=batch.batch_id, run_id=new_run_id(), actor=actor)
    group = _group_id(con, batch.batch_id)
    members = GroupMembers(group) if group else None
    settle(con, batch, [f"{batch.batch_id}:", f"rb:{batch.batch_id}:"], console, settle_seconds, stop)
    result = RollbackResult(batch)
    open_forward = [w for w in load_works(con, batch) if any(p.open for p in w.progress.values())]
    if open_forward:
        console.info(
            f"Settling {len(open_forward)} user(s) whose writes got no answer before undoing anything"
        )
        ctx = Context(batch.options, client.root, members=members)
        pipe = Pipeline(
            con, client, journal, ctx, SettleMode(batch.batch_id), console, concurrency=concurrency, stop=stop
        )
        pipe.run(open_forward, f"settling {batch.label}")
        result.settled = pipe.tally.resolved_applied + pipe.tally.resolved_not_applied
        if pipe.stopped is not None:
            result.stopped = pipe.stopped
            return result
    if batch.state != "rolling_back":
        batch = batches_mod.transition(con, batch, "rolling_back", actor, "rollback_started")
    else:
        batches_mod.record_event(con, batch.batch_id, actor, "rollback_resumed", batch.state, batch.state)
    result.batch = batch
    works = _undo_works(con, batch)
    result.users = len(works)
    ctx = Context(batch.options, client.root, members=members)
    mode = RollbackMode(con, batch)
    pipe = Pipeline(
        con,
        client,
        journal,
        ctx,
        mode,
        console,
        concurrency=concurrency,
        active_users=active_users,
        stop=stop,
    )
    refused: UserError | None = None
    try:
        pipe.run(works, f"rolling back {batch.label}")
    except UserError as exc:  # Graph refused this app (401/403): record it, then say so
        refused = exc
    _read_back(con, client, batch, [w.entra_id for w in works if w.writes > w.read_at], concurrency)
    result.restored, result.already = pipe.tally.writes_ok, pipe.tally.already
    result.stopped = pipe.stopped or (str(refused) if refused else None)
    for work in works:
        for step in work.steps:
            why = work.progress[step.name].left
            if why:
                result.changed_since.append(f"{work.username}: {step.name[3:]} ({why})")
                result.left.setdefault(work.username, []).append(f"{step.name[3:]} ({why})")
        if work.status == "failed":
            result.failed.append(f"{work.username}: {work.detail}")
        elif work.status == "pending":
            result.failed.append(f"{work.username}: not finished ({pipe.stopped or 'stopped'})")
    detail = (
        f"users {len(works)}, writes undone {result.restored}, already restored {result.already}, "
        f"left as they are {len(result.changed_since)}, failed {len(result.failed)}"
    )
    if result.failed or result.stopped:
        why = f"{result.stopped}; {detail}" if result.stopped else detail
        batches_mod.record_event(
            con, batch.batch_id, actor, "rollback_incomplete", batch.state, batch.state, why
        )
        result.batch = batches_mod.get_batch(con, batch.batch_id)
    else:
        result.batch = batches_mod.transition(con, batch, "rolled_back", actor, "rolled_back", detail)
    if refused is not None:
        raise refused
    return result


def _read_back(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    batch: batches_mod.Batch,
    ids: list[str],
    concurrency: int,
) -> None:
    """Read the users this rollback wrote to after its read once more, so that their latest state is what
    the rollback left, not what the batch had written (docs/workspace.md, "Latest state"); a user who
    cannot be read is kept as not read, with why."""
    if not ids:
        return
    reads: dict[str, ReadResult] = {}
    why = f"changed by the rollback of {batch.label} after the last read, and not read again"
    try:
        reads = read_users(client, [Target(e) for e in ids], concurrency=concurrency)
    except FATAL as exc:
        why = f"{why}: {exc}"
    failed = {e: f"{why}: {latest.reason_of(reads.get(e))}" if e in reads else why for e in ids}
    latest.record(con, reads, "rollback", not_read=failed)
