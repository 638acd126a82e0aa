"""The pipeline that carries out a run or a rollback: many users at once, each user's steps in order.

For each user it reads the live state, lets the :class:`Mode` accept it (a run checks drift and keeps
the before-image), settles every step whose earlier send has no known outcome by re-reading, then walks
the steps: a kind's decision says whether a step is in place, handed off, blocked, or to be sent.
Writes go through the journaled-write protocol (:mod:`analysis.execute.protocol`) in ``$batch``
envelopes of up to 20, one step per user per envelope so a user's steps stay in order, several
envelopes in flight. All database work happens on this thread; worker threads only talk HTTP.

It stops early, cleanly, when the stop event is set (SIGINT, SIGTERM) or Graph stays unreachable:
answers that arrive within a short grace are recorded, requests still in flight are left as intents
for the next run to settle, and :attr:`Pipeline.stopped` says why.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import crashpoints, protocol
from analysis.execute.journal import Entry, Journal
from analysis.execute.progress import ProgressFile
from analysis.execute.reads import ReadResult, Target, chunks, read_chunk
from analysis.execute.steps import Step
from analysis.execute.work import Context, Decision, Kind, Work
from analysis.execute.workers import Workers
from analysis.graph.client import GraphClient
from analysis.graph.errors import AuthError, ForbiddenError, GraphUnreachable, Stopped, UnauthorizedError
from analysis.graph.outcomes import Verdict
from analysis.sources import access, latest

#: How often one run sends the same step after Graph answered it throttled/unavailable (not applied).
MAX_SENDS = 6
#: Seconds a stopping run waits for answers already on their way before it leaves them to the next run.
STOP_GRACE = 3.0
HARDWARE_KINDS = frozenset({"hw_create", "hw_assign", "hw_activate", "rb_hw_unassign", "rb_hw_delete"})
GROUP_KINDS = frozenset({"handoff_group", "rb_handoff_group"})


@dataclass
class Tally:
    writes_sent: int = 0
    writes_ok: int = 0
    already: int = 0
    resolved_applied: int = 0
    resolved_not_applied: int = 0
    handed_off: int = 0
    left: int = 0


class Mode:
    """What differs between a run and a rollback (see :mod:`analysis.execute.runner`, ``rollback``)."""

    prefix: str  # idempotency key prefix: "<batch>:" or "rb:<batch>:"
    kinds: dict[str, Kind]
    read_source: str | None = None  # users' reads are kept as their latest state under this name

    def accept(self, work: Work, pipe: Pipeline) -> bool:
        """After a read (and the settling of unknown outcomes): False ends the user (e.g. drifted)."""
        return True

    def missing(self, work: Work, pipe: Pipeline) -> None:
        pipe.finish(work, "failed", "the Entra user no longer exists")

    def blocked(self, work: Work, step: Step, outcome: str, reason: str, pipe: Pipeline) -> None:
        pipe.finish(work, "failed", f"{step.name}: {reason}")

    def refused(self, work: Work, step: Step, reason: str, pipe: Pipeline) -> None:
        pipe.finish(work, "failed", reason)

    def completed(self, work: Work, pipe: Pipeline) -> None:
        pipe.finish(work, "done")

    def flush(self, pipe: Pipeline, final: bool = False) -> None:
        """Persist what the mode buffered: before-images at once (before writes go out), the users
        :attr:`Pipeline.finished` now and then (``final``: all of it)."""


class Pipeline:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: GraphClient,
        journal: Journal,
        ctx: Context,
        mode: Mode,
        console: Console,
        *,
        concurrency: int = 4,
        active_users: int = 400,
        stop: threading.Event | None = None,
    ) -> None:
        self.con, self.client, self.journal, self.ctx, self.mode = con, client, journal, ctx, mode
        self.console = console
        self.concurrency, self.active_users = max(1, concurrency), max(1, active_users)
        self.stop = stop or threading.Event()
        self.tally = Tally()
        self.stopped: str | None = None  # why the pipeline stopped before every user was finished
        self.finished: list[Work] = []
        self.reads: dict[str, ReadResult] = {}  # good reads not yet kept as latest state
        self._kept = False
        self._fatal: UserError | None = None
        self._notes: list[tuple[Entry, str, Any]] = []
        self._members_stale = False
        self.progress: ProgressFile | None = None  # set by a run on a workspace file, for watchers

    # ------------------------------------------------------------------ driving
    def run(self, works: list[Work], label: str) -> None:
        queue: deque[Work] = deque(works)
        active: list[Work] = []
        futures: dict[Future[Any], tuple[str, Any]] = {}
        grace_until: float | None = None
        done_users = 0
        with self.console.progress(label, len(works)) as bar, Workers(self.concurrency) as pool:
            while True:
                if self.stop.is_set() and self.stopped is None:
                    self.stopped = "stopped on request (SIGINT/SIGTERM)"
                if self.stopped is not None and grace_until is None:
                    grace_until = time.monotonic() + STOP_GRACE
                if self.stopped is None:
                    while queue and len(active) < self.active_users:
                        active.append(queue.popleft())
                    self._submit_reads(pool, active, futures)
                    self._flush()
                    self._submit_writes(pool, active, futures)
                for work in [w for w in active if w.status != "pending" and not w.in_flight]:
                    active.remove(work)
                    bar.advance()
                    done_users += 1
                if self.progress is not None:
                    self.progress.update(done_users, self.tally, self.client.counters)
                if not futures:
                    if self.stopped is not None or (not queue and not active):
                        break
                    if active and not any(w.needs_read or self._ready(w) for w in active):
                        stuck = [(w.username, w.next_step()) for w in active[:3]]
                        raise AssertionError(f"the pipeline stalled: no user can move (a bug): {stuck}")
                    continue  # users finished: admit the next ones
                if grace_until is not None and time.monotonic() > grace_until:
                    break  # answers still missing: their intents stay open for the next run
                access.pause(self.con)  # a safe point: no transaction open; let a waiting process in
                done, _ = wait(list(futures), timeout=0.25, return_when=FIRST_COMPLETED)
                for fut in done:
                    kind, items = futures.pop(fut)
                    if kind in ("read", "listing"):
                        self._on_read(items, fut)
                    else:
                        self._on_write(items, fut)
            self._flush(final=True)
        if self.progress is not None:
            end = self.stopped or ("stopped: " + str(self._fatal) if self._fatal else "finished")
            self.progress.update(done_users, self.tally, self.client.counters, final=end)
        if self._fatal is not None:
            raise self._fatal

    def finish(self, work: Work, status: str, detail: str | None = None) -> None:
        work.status, work.detail = status, (detail or "")[:1000] or None
        work.needs_read = False
        self.finished.append(work)

    def note(self, work: Work, step: Step | str, outcome: str, detail: Any = None) -> None:
        name = step if isinstance(step, str) else step.name
        self._notes.append((self.entry(work, name), outcome, detail))

    def entry(self, work: Work, step: str) -> Entry:
        return Entry(f"{self.mode.prefix}{work.user_id}:{step}", work.user_id, work.entra_id, step, "", "")

    def _flush(self, final: bool = False) -> None:
        if self._notes:
            self.journal.notes(self._notes)
            self._notes = []
        self.mode.flush(self, final)
        if self.mode.read_source and self.reads and (final or len(self.reads) >= 200):
            latest.record(self.con, self.reads, self.mode.read_source, apply_now=False)
            self.reads, self._kept = {}, True
        if final and self._kept:  # lay the reads over the snapshot once, at the end
            latest.apply(self.con)
            self._kept = False

    # ------------------------------------------------------------------ reads
    def _target(self, work: Work) -> Target:
        lookups = tuple(
            serial
            for step in work.steps
            if not work.progress[step.name].done and (serial := self.mode.kinds[step.kind].lookup(step, work))
        )
        hardware = any(step.kind in HARDWARE_KINDS for step in work.steps)
        return Target(work.entra_id, hardware, lookups)

    def _submit_reads(self, pool: Workers, active: list[Work], futures: dict[Future[Any], Any]) -> None:
        want = [w for w in active if w.needs_read and not w.in_flight and w.status == "pending"]
        if not want or len(futures) >= self.concurrency or any(k == "listing" for k, _ in futures.values()):
            return
        members = self.ctx.members
        # The group is listed once, and again to settle a membership write that was lost or refused;
        # while it is listed no other read goes out, so no decision is taken on an old listing.
        refresh = members is not None and (not members.loaded or self._members_stale)
        targets = {w.entra_id: w for w in want}
        for chunk in chunks([self._target(w) for w in want]):
            if len(futures) >= self.concurrency:
                break
            works = [targets[t.entra_id] for t in chunk]
            for work in works:
                work.in_flight = True

            def task(chunk: list[Target] = chunk, refresh: bool = refresh) -> dict[str, ReadResult]:
                if refresh and members is not None:
                    members.load(self.client)
                return read_chunk(self.client, chunk)

            futures[pool.submit(task)] = ("listing" if refresh else "read", works)
            if refresh:
                self._members_stale = False
                return

    def _on_read(self, works: list[Work], fut: Future[Any]) -> None:
        for work in works:
            work.in_flight = False
        try:
            results: dict[str, ReadResult] = fut.result()
        except (GraphUnreachable, Stopped) as exc:
            self.stopped = self.stopped or str(exc)
            return
        except (AuthError, ForbiddenError, UnauthorizedError) as exc:
            self._fatal = UserError(f"Graph refused to let this app read users' methods: {exc}")
            self.stopped = self.stopped or str(exc)
            return
        resolved: list[tuple[Entry, str, dict[str, str] | None]] = []
        for work in works:
            result = results[work.entra_id]
            if result.denied:
                self._fatal = UserError(f"Graph refused to read {work.username}'s methods: {result.error}")
                self.stopped = str(result.error)
                return
            if result.missing:
                self.mode.missing(work, self)
                continue
            if result.live is None:
                work.read_failures += 1
                if not result.retry or work.read_failures >= MAX_SENDS:
                    self.finish(work, "failed", f"could not read the user from Graph: {result.error}")
                continue
            work.live, work.read_at, work.needs_read = result.live, work.writes, False
            self.reads[work.entra_id] = result
            work.devices.update(result.devices)
            resolved += self._settle_open(work)
        if resolved:
            self.journal.resolved(resolved)
            crashpoints.reached("resolved", [e.step for e, _, _ in resolved])
        for work in works:
            ready = work.status == "pending" and work.live is not None and not work.needs_read
            if ready and self.mode.accept(work, self):
                self._advance(work)

    def _settle_open(self, work: Work) -> list[tuple[Entry, str, dict[str, str] | None]]:
        """Resolve, from the state just read, every step sent without a known outcome."""
        out = []
        for step in work.steps:
            p = work.progress[step.name]
            if not p.open or p.done:
                continue
            kind = self.mode.kinds[step.kind]
            p.open = False
            outcome = kind.unknown_outcome(step, work, self.ctx)
            ids = None
            if outcome == "applied":
                p.done = True
                ids = kind.found(step, work, self.ctx) or None
                work.ids[step.name] = ids or work.ids.get(step.name, {})
                self.tally.resolved_applied += 1
            else:
                self.tally.resolved_not_applied += 1
            out.append((self.entry(work, step.name), outcome, ids))
        return out

    # ------------------------------------------------------------------ deciding
    def _advance(self, work: Work) -> None:
        """Walk the user's steps from the first not done: settle what needs no request; stop at the
        first to send; finish the user when none is left."""
        if work.check is not None:
            step = work.step(work.check)
            work.check = None
            assert step is not None
            p = work.progress[step.name]
            reason, p.failed = p.failed or f"{step.name} failed", None
            if self.mode.kinds[step.kind].decide(step, work, self.ctx).decision is Decision.IN_PLACE:
                p.done = True
                self.tally.already += 1
                self.note(work, step, "already", {"after": "error response"})
            else:
                self.mode.refused(work, step, reason, self)
                if work.status != "pending":
                    return
        while (step := work.next_step()) is not None:
            kind = self.mode.kinds[step.kind]
            if kind.fresh_read and work.writes > work.read_at:
                work.needs_read = True
                return
            choice = kind.decide(step, work, self.ctx)
            p = work.progress[step.name]
            if choice.decision is Decision.SEND:
                return
            if choice.decision is Decision.IN_PLACE:
                p.done = True
                self.tally.already += 1
                self.note(work, step, "already")
            elif choice.decision is Decision.HANDED_OFF:
                p.handed_off = True
                self.tally.handed_off += 1
                self.note(work, step, choice.outcome, {"reason": choice.reason})
            else:
                self.mode.blocked(work, step, choice.outcome, choice.reason, self)
                if work.status != "pending":
                    return
        self.mode.completed(work, self)

    def _ready(self, work: Work) -> Step | None:
        if work.status != "pending" or work.in_flight or work.needs_read or work.live is None:
            return None
        return work.next_step()

    # ------------------------------------------------------------------ writes
    def _submit_writes(self, pool: Workers, active: list[Work], futures: dict[Future[Any], Any]) -> None:
        room = 20 * (self.concurrency - len(futures))
        by_version: dict[str, list[tuple[Work, protocol.Write]]] = {}
        count = 0
        for work in active:
            if count >= room:
                break
            step = self._ready(work)
            if step is None:
                continue
            if work.progress[step.name].sends >= MAX_SENDS:
                why = f"{step.name}: Graph kept answering throttled/unavailable; run the batch again later"
                self.finish(work, "failed", why)
                continue
            request = self.mode.kinds[step.kind].request(step, work, self.ctx)
            key = f"{self.mode.prefix}{work.user_id}:{step.name}"
            write = protocol.Write(key, step.name, request, work.user_id, work.entra_id)
            by_version.setdefault(request.version, []).append((work, write))
            count += 1
        for version, items in by_version.items():
            while items and len(futures) < self.concurrency:
                chunk, items = items[:20], items[20:]
                writes = [w for _, w in chunk]
                protocol.begin(self.journal, writes)  # durable before anything leaves
                for work, write in chunk:
                    work.in_flight = True
                    p = work.progress[write.step]
                    p.sends += 1
                    p.open = True
                self.tally.writes_sent += len(chunk)
                futures[pool.submit(self._sender(writes, version))] = ("write", chunk)

    def _sender(self, writes: list[protocol.Write], version: str) -> Any:
        requests = [w.batch_request(f"r{i}") for i, w in enumerate(writes)]
        return lambda: self.client.batch(requests, version=version)

    def _on_write(self, items: list[tuple[Work, protocol.Write]], fut: Future[Any]) -> None:
        crashpoints.reached("sent", [w.step for _, w in items])
        try:
            outcome: Any = fut.result()
        except BaseException as exc:
            outcome = exc
            if isinstance(exc, GraphUnreachable | Stopped):
                self.stopped = self.stopped or str(exc)
        replies = protocol.interpret([w for _, w in items], outcome)
        ids: dict[str, dict[str, str]] = {}
        for (work, write), reply in zip(items, replies, strict=True):
            work.in_flight = False
            step = work.step(write.step)
            assert step is not None
            p = work.progress[step.name]
            verdict = reply.verdict
            if verdict in (Verdict.OK, Verdict.GONE):
                p.done, p.open = True, False
                work.writes += 1
                self.tally.writes_ok += 1
                found = self.mode.kinds[step.kind].effect(step, work, self.ctx, reply.body)
                if found:
                    ids[write.key] = found
                    work.ids[step.name] = found
            elif verdict is Verdict.UNKNOWN:
                work.needs_read = True  # settled by the next read: never resent blindly
                self._members_stale |= step.kind in GROUP_KINDS
            elif verdict is Verdict.REFUSED:
                p.open, p.refused = False, reply.status
                p.failed = f"{step.name}: {_describe(reply)}"
                work.check, work.needs_read = step.name, True  # in place anyway (a duplicate)? a read tells
                self._members_stale |= step.kind in GROUP_KINDS
            else:  # retry, denied, not sent: not applied
                p.open = False
                if verdict is Verdict.DENIED:
                    self._fatal = UserError(f"Graph refused the write: {_describe(reply)}")
                    self.stopped = self.stopped or "Graph refused the write"
        protocol.record(self.journal, replies, ids)
        for work, _write in items:
            if work.status == "pending" and not work.needs_read and work.live is not None:
                self._advance(work)


def _describe(reply: protocol.Reply) -> str:
    body: dict[str, Any] = reply.body if isinstance(reply.body, dict) else {}
    error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
    message = error.get("message") or body.get("error") or ""
    return f"{reply.status} {error.get('code') or ''} {message}".strip()[:500]
