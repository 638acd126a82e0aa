"""``batch run``: carry out an approved batch through Microsoft Graph, resumably.

This is the only code that writes users' methods to a tenant. The rules it keeps:

1. **Refuse** a batch that is not approved, whose frozen rows no longer hash to the approved hash,
   whose settings or ``[execute]`` options changed since approval, or (on a first run) whose users
   would now be planned differently (the approval is voided).
2. **Re-read before writing.** Each user's methods and sign-in preferences are read first; if they
   drifted from what the plan assumed, the user is re-planned and skipped as ``drifted``. The state read
   before the first write is stored as the user's before-image (for rollback).
3. **Journal before sending** (:mod:`analysis.execute.protocol`): an intent is committed before each
   write leaves, the answer after; a step the journal shows done is never sent again.
4. **Unknown outcomes are resolved by re-reading**, never by resending. A batch whose last run crashed
   is still ``running``: the next ``batch run`` says so, waits ``--settle`` seconds for requests that
   may still be in flight at Graph, re-reads, and resumes.
5. A run that stops early (SIGINT, SIGTERM, Graph unreachable past ``--give-up-after``) ends
   ``partial`` with the reason; running it again resumes.

The steps come from the frozen rows (:mod:`analysis.execute.steps`); the pipeline
(:mod:`analysis.execute.pipeline`) carries them out with the step kinds of :mod:`analysis.execute.kinds`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import batches as batches_mod
from analysis.execute import crashpoints, progress
from analysis.execute.batches import Batch
from analysis.execute.journal import Journal, new_run_id, step_ids, step_statuses
from analysis.execute.kinds import KINDS
from analysis.execute.livestate import LiveState, drift
from analysis.execute.pipeline import Mode, Pipeline, Tally
from analysis.execute.runprep import outage_is_a_user_error, prepare, set_based
from analysis.execute.steps import plan_user
from analysis.execute.work import Work
from analysis.graph.client import GraphClient
from analysis.sqlfiles import sql


@dataclass
class RunOptions:
    concurrency: int = 4  # $batch envelopes in flight
    active_users: int = 400  # users worked on at once
    tap_out: Path | None = None
    datafile: Path | None = None  # MFA Server datafile for OATH secrets (default: the loaded one)
    stop: threading.Event | None = None  # set it (SIGINT, SIGTERM) to stop within seconds, resumably
    # A killed run's last requests may still be processed by Graph (its authentication-methods calls
    # time out after 60 s): a resumed run waits this long after them before re-reading to settle them.
    settle_seconds: float = 60.0


@dataclass
class RunResult:
    batch: Batch
    users: int = 0
    done: int = 0
    failed: int = 0
    drifted: int = 0
    pending: int = 0
    tally: Tally = field(default_factory=Tally)
    stopped: str | None = None  # why the run stopped early (it is resumable)
    write_rate: float | None = None  # writes answered ok per second over the batch's write phase
    resumed_after_crash: bool = False
    seconds: float = 0.0
    nothing_to_do: bool = False


def check_runnable(
    con: duckdb.DuckDBPyConnection, batch: Batch, actor: str, replan: Callable[[Batch], str] | None
) -> Batch | None:
    """The batch, checked and ready to run; None when there is nothing to do (completed/verified).

    ``replan(batch)`` returns the hash a fresh plan of the batch's users has now; it is consulted on a
    first run only (a resumed run sees its own writes in a reloaded snapshot and relies on the per-user
    drift check instead, which reads live state).
    """
    if batch.state in ("completed", "verified"):
        return None
    if batch.state == "draft":
        raise UserError(
            f"{batch.label} is not approved; an administrator must approve it first "
            f"(mfa-migrate batch approve {batch.batch_id} --as NAME)"
        )
    if batch.state in ("rolling_back", "rolled_back"):
        raise UserError(
            f"{batch.label} was rolled back ({batch.state}); create a new batch to migrate its users again"
        )
    if batch.state not in ("approved", *batches_mod.RESUMABLE):
        raise UserError(f"{batch.label} is {batch.state} and cannot run")
    if batch.approved_hash is None:
        raise UserError(f"{batch.label} has no approval on record; approve it before running")
    batch = batches_mod.check_integrity(con, batch, actor)
    if batch.state == "approved" and replan is not None and batch.approved_hash is not None:
        now_hash = replan(batch)
        if now_hash != batch.approved_hash:
            batches_mod.void_approval(
                con,
                batch,
                actor,
                f"plan changed since approval (approved {batch.approved_hash[:12]}, now {now_hash[:12]})",
            )
            raise UserError(
                f"{batch.label}: planning its users again on the current workspace gives a different plan "
                "than the one approved (the data or the tenant snapshot changed, or another batch migrated "
                "them). The approval is void and the batch is back in draft: review it with `batch show`, "
                "then create a new batch (or approve this one again if the old plan is still what you want)."
            )
    return batch


def load_works(con: duckdb.DuckDBPyConnection, batch: Batch) -> list[Work]:
    """The users still to do, their steps from the frozen rows, and the journal's view of each step."""
    batch_id, prefix = batch.batch_id, f"{batch.batch_id}:"
    rows_by_user: dict[int, list[tuple[Any, ...]]] = {}
    for row in con.execute(sql("execute/run.rows"), {"batch_id": batch_id}).fetchall():
        rows_by_user.setdefault(int(row[0]), []).append(tuple(row[1:]))
    statuses = step_statuses(con, batch_id, prefix)
    ids = step_ids(con, batch_id, prefix)
    works: list[Work] = []
    for user_id, username, entra_id, assumed, status, before in con.execute(
        sql("execute/run.users"), {"batch_id": batch_id}
    ).fetchall():
        if status not in ("pending", "failed"):
            continue
        plan = plan_user(rows_by_user.get(int(user_id), []), batch.options)
        work = Work(int(user_id), username, entra_id, plan.steps, before, json.loads(assumed), plan.expect)
        work.utility = plan.utility
        for step in plan.steps:
            key = f"{prefix}{user_id}:{step.name}"
            st = statuses.get(key)
            if st is not None:
                p = work.progress[step.name]
                p.handed_off = st.last_outcome == "handed_off"
                p.done = st.done
                p.open = st.open_intent
            if key in ids:
                work.ids[step.name] = ids[key]
        works.append(work)
    return works


class RunMode(Mode):
    """A run: drift ends a user, before-images are kept, statuses are persisted in sets."""

    read_source = "run"  # the read before writing is the user's latest state

    def __init__(self, con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
        self.con, self.batch = con, batch
        self.prefix = f"{batch.batch_id}:"
        self.kinds = KINDS
        self._before: list[tuple[Any, ...]] = []

    def accept(self, work: Work, pipe: Pipeline) -> bool:
        live = work.live
        assert live is not None and work.assumed is not None and work.expect is not None
        if work.before_image is None:
            work.before_image = live.to_json()
            self._before.append((work.before_image, self.batch.batch_id, work.user_id))
        # a campaign's pass does not depend on the methods the plan assumed: only migrations drift
        reasons = [] if self.batch.options.campaign else drift(work.assumed, live, work.expect)
        if reasons:
            pipe.note(work, "drift", "drifted", {"reasons": reasons})
            pipe.finish(work, "drifted", "; ".join(reasons))
            return False
        return True

    def missing(self, work: Work, pipe: Pipeline) -> None:
        pipe.finish(work, "drifted", "the Entra user no longer exists")

    def completed(self, work: Work, pipe: Pipeline) -> None:
        handed = any(p.handed_off for p in work.progress.values())
        explain = handed or work.utility or self.batch.options.campaign
        pipe.finish(work, "done", self._handoff_detail(work) if explain else None)

    def _handoff_detail(self, work: Work) -> str:
        options = self.batch.options
        if options.campaign:
            return "re-registration campaign: Temporary Access Pass issued (or a new method registered)"
        if not work.utility:
            return "default method left to the utility"
        if options.handoff == "group":
            return "devices/software OATH handed to the Migration Utility (added to its migration group)"
        if options.handoff == "reregister":
            return "devices/software OATH: user must re-register" + (" (TAP issued)" if options.tap else "")
        return "devices/software OATH need Microsoft's Migration Utility (not handed off)"

    def flush(self, pipe: Pipeline, final: bool = False) -> None:
        if self._before:
            images = ("before_image", "batch_id", "user_id")
            set_based(self.con, sql("execute/run.user_before_images"), images, self._before)
            self._before = []
            crashpoints.reached("before_image")
        if pipe.finished and (final or len(pipe.finished) >= 200):
            rows = [(w.status, w.detail, w.replan, self.batch.batch_id, w.user_id) for w in pipe.finished]
            statuses = ("status", "detail", "replan", "batch_id", "user_id")
            set_based(self.con, sql("execute/run.user_statuses"), statuses, rows)
            pipe.finished = []


def run_batch(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    ref: str | int,
    console: Console,
    *,
    actor: str,
    options: RunOptions | None = None,
    replan: Callable[[Batch], str] | None = None,
    replan_users: Callable[[Batch, dict[int, LiveState]], dict[int, str]] | None = None,
) -> RunResult:
    """Check and run one batch; a completed batch run again writes nothing."""
    started = time.monotonic()
    options = options or RunOptions()
    batches_mod.ensure_schema(con)
    batch = batches_mod.get_batch(con, ref)
    checked = check_runnable(con, batch, actor, replan)
    if checked is None:
        return RunResult(batch, nothing_to_do=True)
    batch = checked
    works = load_works(con, batch)
    result = RunResult(batch, users=len(works), resumed_after_crash=batch.state == "running")
    run_id = new_run_id()
    journal = Journal(con, batch_id=batch.batch_id, run_id=run_id, actor=actor)
    stop = options.stop or threading.Event()
    with outage_is_a_user_error(f"{batch.label} was not started"):
        ctx = prepare(con, client, batch, works, console, options, result.resumed_after_crash, stop)
    resumed = batch.state in batches_mod.RESUMABLE
    batch = batches_mod.transition(
        con,
        batch,
        "running",
        actor,
        "run_resumed" if resumed else "run_started",
        f"run {run_id[:12]}, {len(works)} user(s) to do"
        + (" (after a crash)" if result.resumed_after_crash else ""),
    )
    pipe = Pipeline(
        con,
        client,
        journal,
        ctx,
        RunMode(con, batch),
        console,
        concurrency=options.concurrency,
        active_users=options.active_users,
        stop=stop,
    )
    pipe.progress = progress.for_run(con, batch.batch_id, "run", len(works))
    refused: UserError | None = None
    try:
        pipe.run(works, batch.label)
    except UserError as exc:  # Graph refused this app (401/403): stop as partial, then say so
        refused = exc
    result.tally, result.stopped = pipe.tally, pipe.stopped or (str(refused) if refused else None)
    if replan_users is not None:
        drifted = {w.user_id: w.live for w in works if w.status == "drifted" and w.live is not None}
        if drifted:
            replans = replan_users(batch, drifted)
            con.executemany(
                sql("execute/run.user_replan"),
                [
                    {"replan": text, "batch_id": batch.batch_id, "user_id": uid}
                    for uid, text in replans.items()
                ],
            )
    result.batch = _finish(con, batch, actor, result)
    result.seconds = time.monotonic() - started
    if refused is not None:
        raise refused
    return result


def _finish(con: duckdb.DuckDBPyConnection, batch: Batch, actor: str, result: RunResult) -> Batch:
    counts = dict(con.execute(sql("execute/run.status_counts"), {"batch_id": batch.batch_id}).fetchall())
    result.pending = int(counts.get("pending", 0))
    result.done = int(counts.get("done", 0))
    result.failed, result.drifted = int(counts.get("failed", 0)), int(counts.get("drifted", 0))
    tally = result.tally
    first, last, answered, _refused = con.execute(
        sql("execute/run.write_span"), {"batch_id": batch.batch_id}
    ).fetchone() or (None, None, 0, 0)
    if first is not None and last is not None and last > first:
        result.write_rate = int(answered) / (last - first).total_seconds()
    detail = (
        f"done {result.done}, failed {result.failed}, drifted {result.drifted}, pending {result.pending}; "
        f"writes sent {tally.writes_sent}, ok {tally.writes_ok}"
    )
    if result.stopped is not None or result.pending:
        why = result.stopped or "not every user was finished"
        return batches_mod.transition(con, batch, "partial", actor, "run_stopped", f"{why}; {detail}")
    bad = result.failed + result.drifted
    state = "completed" if bad == 0 else ("failed" if result.done == 0 else "partial")
    return batches_mod.transition(con, batch, state, actor, "run_finished", detail)


def summary_rows(result: RunResult) -> list[list[Any]]:
    t = result.tally
    return [
        ["users in this run", result.users],
        ["done", result.done],
        ["drifted (skipped, re-planned)", result.drifted],
        ["failed", result.failed],
        ["not finished (run again to resume)", result.pending],
        ["writes sent", t.writes_sent],
        ["writes answered ok", t.writes_ok],
        ["already in place (not sent)", t.already],
        ["unknown outcomes resolved: applied", t.resolved_applied],
        ["unknown outcomes resolved: not applied", t.resolved_not_applied],
        ["default not set yet (its method is not in Entra yet)", t.handed_off],
        [
            "write rate (the batch's writes, per second)",
            "" if result.write_rate is None else f"{result.write_rate:.1f}",
        ],
        ["seconds", f"{result.seconds:.1f}"],
    ]
