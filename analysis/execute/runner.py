"""The executor: carries out an approved batch through Microsoft Graph, resumably (DESIGN §5).

This is the only code that writes to a tenant. The rules it keeps:

1. **Refuse** a batch that is not approved, whose frozen rows no longer hash to the approved hash, or
   (on a first run) whose users would now be planned differently (the approval is voided).
2. **Re-read before writing.** Each user's methods and sign-in preferences are read first; if they
   drifted from what the plan assumed, the user is re-planned and skipped with reason ``drifted``.
   The state read before the first write is stored as the user's before-image (for rollback).
3. **Journal before sending.** An intent row (idempotency key ``<batch>:<user>:<step>``) is committed
   before each write leaves, its response after. A step whose key is done is never sent again.
4. **Unknown outcomes are resolved by re-reading**, never by resending: a dropped connection, a 504, or
   an intent left without a response by a killed run makes the executor read the user again and record
   whether the write is in place (``applied``) or not (``not_applied``, and only then is it sent).
5. Per user, writes go in DESIGN §5's order: mobile, alternate, office phone (POST, or PATCH when that
   phone type exists); hardware OATH (beta: create in the inventory, assign, activate with a TOTP code
   computed from the secret read from the MFA Server datafile at that moment); default method (beta
   ``signInPreferences``). Devices and software OATH tokens are handed to Microsoft's utility by adding
   the user to its migration group, or flagged for re-registration (optionally with a Temporary Access
   Pass written only to the operator's ``--tap-out`` file).

Throughput: users are pipelined. Reads and writes of many users travel in JSON ``$batch`` envelopes of
up to 20 (one step per user per envelope, so a user's own steps stay in order), several envelopes in
flight at once; the Graph client's token bucket keeps writes inside the tenant's budget and every 429
is honoured. All database work happens on the calling thread; worker threads only talk HTTP.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import batches as batches_mod
from analysis.execute.batches import Batch
from analysis.execute.journal import Answer, Entry, Journal, StepStatus, new_run_id, register, step_statuses
from analysis.execute.livestate import PHONE_IDS, Expectations, LiveState, drift, find_device, norm_phone
from analysis.graph.client import BatchRequest, BatchResponse, GraphClient
from analysis.graph.errors import (
    AuthError,
    ForbiddenError,
    GraphClientError,
    GraphError,
    UnauthorizedError,
    UnknownOutcome,
)
from analysis.sqlfiles import sql

PHONE_ACTIONS = {
    "write_mobile": "mobile",
    "write_mobile_drop_extension": "mobile",
    "write_alternate": "alternateMobile",
    "write_office": "office",
}
DEFAULT_ACTIONS = frozenset({"set_default", "set_default_fallback"})
UTILITY_ACTIONS = frozenset({"create_device", "create_software_oath", "update_device", "update_oath"})
HW_STEPS = ("hw_create", "hw_assign", "hw_activate")
INVENTORY = "/directory/authenticationMethodDevices/hardwareOathDevices"
#: How often one run sends the same step after Graph answered it throttled/unavailable (not applied).
MAX_SENDS_PER_RUN = 6


# ---------------------------------------------------------------------------------------- TOTP


def totp(
    secret: str, period: int = 30, at: float | None = None, digits: int = 6, algorithm: str = "sha1"
) -> str:
    """RFC 6238 code for a Base32 secret (spaces and ``=`` padding tolerated). Never logged."""
    cleaned = secret.replace(" ", "").replace("=", "").upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error:
        raise ValueError("the OATH secret is not Base32") from None
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, algorithm)).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


# ---------------------------------------------------------------------------------------- steps


@dataclass
class Step:
    """One write of one user: ``name`` is the journal's step name, ``value`` what it writes."""

    name: str  # mobile | alternateMobile | office | hw_create | hw_assign | hw_activate | default |
    # handoff_group | tap
    row_no: int | None
    value: str | None = None  # phone number, default method, or token serial
    done: bool = False
    failed: str | None = None
    handed_off: bool = False  # default method left to the utility (its method does not exist yet)
    sends: int = 0  # sends in this run
    open_intent: bool = False  # sent, outcome unknown: resolve by re-reading


@dataclass
class Job:
    """A user in flight: the plan's assumptions, live state, and the steps still to do."""

    user_id: int
    username: str
    entra_id: str
    assumed: dict[str, Any]
    steps: list[Step]
    expect: Expectations
    has_utility: bool
    before_image: str | None
    live: LiveState | None = None
    inventory: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # serial -> device
    method_ids: dict[str, str] = field(default_factory=dict)  # serial -> user's hardware method id
    needs_read: bool = True
    check_failed: Step | None = None  # a step Graph refused: re-read to see whether it is in place
    read_failures: int = 0
    in_flight: bool = False
    status: str = "pending"
    detail: str | None = None
    replan: str | None = None

    def key(self, batch_id: int, step: Step) -> str:
        return f"{batch_id}:{self.user_id}:{step.name}"

    def next_step(self) -> Step | None:
        return next((s for s in self.steps if not s.done and not s.handed_off and s.failed is None), None)


@dataclass
class RunOptions:
    concurrency: int = 4  # $batch envelopes in flight
    active_users: int = 400  # users worked on at once
    tap_out: Path | None = None
    datafile: Path | None = None  # MFA Server datafile for OATH secrets (default: the loaded one)
    stop: threading.Event | None = None  # set it (SIGTERM) to finish in-flight requests and stop
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
    writes_sent: int = 0
    writes_ok: int = 0
    already: int = 0
    resolved_applied: int = 0
    resolved_not_applied: int = 0
    handed_off: int = 0
    stopped: bool = False
    seconds: float = 0.0
    nothing_to_do: bool = False


# ---------------------------------------------------------------------------------------- checks


def check_runnable(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    actor: str,
    replan: Callable[[Batch], str] | None,
) -> bool:
    """Refuse what must not run. Returns False when there is nothing to do (completed/verified).

    ``replan(batch)`` returns the hash a fresh plan of the batch's users has now; it is consulted on a
    first run only (a resumed run sees its own writes in a reloaded snapshot and relies on the per-user
    drift check instead, which reads live state).
    """
    if batch.state in ("completed", "verified"):
        return False
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
    batches_mod.check_integrity(con, batch)
    if batch.state == "approved" and replan is not None:
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
    return True


# ---------------------------------------------------------------------------------------- runner


class Runner:
    """Runs one batch. Build it, then call :meth:`run` once."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: GraphClient,
        batch: Batch,
        console: Console,
        *,
        actor: str,
        options: RunOptions | None = None,
        replan_users: Callable[[Batch, dict[int, LiveState]], dict[int, str]] | None = None,
    ) -> None:
        self.con, self.client, self.batch, self.console = con, client, batch, console
        self.actor = actor
        self.options = options or RunOptions()
        self.replan_users = replan_users
        self.run_id = new_run_id()
        self.journal = Journal(con, batch_id=batch.batch_id, run_id=self.run_id, actor=actor)
        self.result = RunResult(batch)
        self.secrets: dict[str, str] = {}
        self.time_steps: dict[str, int] = {}
        self.group_id: str | None = None
        self.group_members: set[str] = set()
        self.group_stale = False
        self._tap_lock = threading.Lock()
        self._pending_updates: list[tuple[Any, ...]] = []
        self._before_images: list[tuple[Any, ...]] = []

    # ------------------------------------------------------------------ public
    def run(self) -> RunResult:
        started = time.monotonic()
        batch = self.batch
        resumed = batch.state in batches_mod.RESUMABLE
        jobs = self._load_jobs()
        self.result.users = len(jobs)
        self._prepare(jobs)
        self._let_open_requests_settle()
        event = "run_resumed" if resumed else "run_started"
        self.batch = batches_mod.transition(
            self.con,
            batch,
            "running",
            self.actor,
            event,
            f"run {self.run_id[:12]}, {len(jobs)} user(s) to do",
        )
        try:
            self._loop(jobs)
        finally:
            self._flush()
        self._finish(jobs)
        self.result.seconds = time.monotonic() - started
        return self.result

    # ------------------------------------------------------------------ preparation
    def _let_open_requests_settle(self) -> None:
        """Wait until the interrupted run's unanswered writes can no longer be in flight at Graph."""
        row = self.con.execute(
            sql("execute/open_intent_latest"), [self.batch.batch_id, f"{self.batch.batch_id}:"]
        ).fetchone()
        if not row or row[0] is None:
            return
        age = (datetime.now(UTC) - row[0]).total_seconds()
        wait_for = self.options.settle_seconds - age
        if wait_for > 0:
            self.console.info(
                f"An interrupted run left writes without an answer; waiting {wait_for:.0f}s for Graph to "
                "finish them before reading the users back (never re-sending blindly)"
            )
            stop = self.options.stop
            if stop is not None:
                stop.wait(wait_for)
            else:
                time.sleep(wait_for)

    def _load_jobs(self) -> list[Job]:
        con, batch_id = self.con, self.batch.batch_id
        rows_by_user: dict[int, list[tuple[Any, ...]]] = {}
        for row in con.execute(sql("execute/run_rows"), [batch_id]).fetchall():
            rows_by_user.setdefault(int(row[0]), []).append(row)
        statuses = step_statuses(con, batch_id, f"{batch_id}:")
        jobs: list[Job] = []
        for user_id, username, entra_id, assumed, status, before in con.execute(
            sql("execute/run_users"), [batch_id]
        ).fetchall():
            if status not in ("pending", "failed"):
                continue
            job = self._job(
                int(user_id),
                username,
                entra_id,
                json.loads(assumed),
                before,
                rows_by_user.get(int(user_id), []),
            )
            for step in job.steps:
                st: StepStatus | None = statuses.get(job.key(batch_id, step))
                if st is None:
                    continue
                step.done = st.done or st.last_outcome == "handed_off"
                step.handed_off = st.last_outcome == "handed_off"
                step.open_intent = st.open_intent
            jobs.append(job)
        return jobs

    def _job(
        self,
        user_id: int,
        username: str,
        entra_id: str,
        assumed: dict[str, Any],
        before: str | None,
        rows: list[tuple[Any, ...]],
    ) -> Job:
        phones: dict[str, Step] = {}
        hw: list[Step] = []
        default: Step | None = None
        utility = False
        for _uid, row_no, _item, ref, action, value, writable in rows:
            if action in PHONE_ACTIONS and writable == "graph":
                ptype = PHONE_ACTIONS[action]
                phones[ptype] = Step(ptype, row_no, value)
            elif action == "create_hardware_oath" and writable == "graph":
                hw = [Step(name, row_no, str(ref)) for name in HW_STEPS]
            elif action in DEFAULT_ACTIONS and writable == "graph":
                default = Step("default", row_no, value)
            elif action in UTILITY_ACTIONS or writable == "utility":
                utility = True
        steps = [phones[t] for t in ("mobile", "alternateMobile", "office") if t in phones]
        steps += hw
        if default is not None:
            steps.append(default)
        handoff = self.batch.options.handoff
        if utility and handoff == "group":
            steps.append(Step("handoff_group", None, self.batch.options.migration_group))
        elif utility and handoff == "reregister" and self.batch.options.tap:
            steps.append(Step("tap", None, None))
        expect = Expectations(
            phones={s.name: str(s.value) for s in phones.values()},
            preferred=default.value if default else None,
            hardware_serials=frozenset(s.value for s in hw if s.value),
            utility=utility,
        )
        return Job(user_id, username, entra_id, assumed, steps, expect, utility, before)

    def _prepare(self, jobs: list[Job]) -> None:
        """Everything that can fail before the first write: secrets, the TAP file, the migration group."""
        need_hw = [j for j in jobs if any(s.name == "hw_create" and not s.done for s in j.steps)]
        if need_hw:
            self._load_secrets(need_hw)
        if any(s.name == "tap" and not s.done for j in jobs for s in j.steps):
            if self.options.tap_out is None:
                raise UserError(
                    f"{self.batch.label} issues Temporary Access Passes ([execute] tap = true); give "
                    "--tap-out "
                    "FILE to receive them (the file is created readable by you only; passes are never "
                    "printed "
                    "or journaled)"
                )
            _ensure_private_file(self.options.tap_out)
        if any(s.name == "handoff_group" and not s.done for j in jobs for s in j.steps):
            self.group_id = self._resolve_group(self.batch.options.migration_group)
            self.group_members = self._read_members(self.group_id)

    def _load_secrets(self, jobs: list[Job]) -> None:
        datafile = self.options.datafile
        if datafile is None:
            row = self.con.execute(sql("execute/datafile_path"), [self.batch.load_id]).fetchone()
            datafile = Path(row[0]) if row else None
        if datafile is None or not Path(datafile).is_file():
            raise UserError(
                f"{self.batch.label} creates hardware OATH tokens, whose secrets are read from the MFA "
                f"Server datafile only when written, but the datafile {datafile or '(none recorded)'} is "
                "not there; "
                "give its path with --datafile"
            )
        from analysis.sources.datafile import read_oath_secrets

        usernames = [j.username for j in jobs]
        secrets = read_oath_secrets(Path(datafile), usernames)
        missing = [u for u in usernames if not secrets.get(u)]
        if missing:
            raise UserError(
                f"the datafile {datafile} holds no OATH secret for {len(missing)} user(s) this batch gives a "
                f"hardware token (e.g. {missing[0]!r}); was it replaced by another datafile? Reload it and "
                "create a new batch"
            )
        self.secrets = secrets
        for username, step in self.con.execute(
            sql("execute/oath_time_steps"), [self.batch.batch_id]
        ).fetchall():
            self.time_steps[username] = int(step or 30)

    def _resolve_group(self, name_or_id: str) -> str:
        from analysis.graph.client import odata_string

        try:
            found = self.client.get(
                f"/groups/{quote(name_or_id)}", params={"$select": "id,displayName,groupTypes"}
            )
            return str(found["id"])
        except GraphError as exc:
            if exc.status not in (400, 404):
                raise
        groups = list(
            self.client.paged(
                "/groups",
                params={
                    "$filter": f"displayName eq {odata_string(name_or_id)}",
                    "$select": "id,displayName,groupTypes",
                },
            )
        )
        if len(groups) != 1:
            raise UserError(
                f"the migration group {name_or_id!r} ([execute] migration_group) matches {len(groups)} "
                "Entra groups; give its object id instead"
            )
        return str(groups[0]["id"])

    def _read_members(self, group_id: str) -> set[str]:
        return {
            str(m["id"]) for m in self.client.paged(f"/groups/{group_id}/members", params={"$select": "id"})
        }

    # ------------------------------------------------------------------ the pipeline
    def _loop(self, jobs: list[Job]) -> None:
        queue: deque[Job] = deque(jobs)
        active: list[Job] = []
        futures: dict[Future[Any], tuple[str, list[tuple[Job, Step | None]], list[Entry]]] = {}
        stop = self.options.stop
        with (
            self.console.progress(f"{self.batch.label}", len(jobs)) as bar,
            ThreadPoolExecutor(
                max_workers=max(1, self.options.concurrency), thread_name_prefix="graph"
            ) as pool,
        ):
            while True:
                stopping = stop is not None and stop.is_set()
                while not stopping and queue and len(active) < self.options.active_users:
                    active.append(queue.popleft())
                if self.group_stale and not any(k == "write" for k, _, _ in futures.values()):
                    self.group_members = self._read_members(str(self.group_id))
                    self.group_stale = False
                if not stopping:
                    self._submit_reads(pool, active, futures)
                    self._submit_writes(pool, active, futures)
                finished = [j for j in active if j.status != "pending" and not j.in_flight]
                for job in finished:
                    active.remove(job)
                    self._persist(job)
                    bar.advance()
                if not futures:
                    if stopping or (not queue and not active):
                        break
                    if not any(j.needs_read or j.next_step() for j in active):
                        # Nothing can move: finish what is left (should not happen; be safe).
                        for job in active:
                            self._settle(job)
                        continue
                done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
                for fut in done:
                    kind, items, entries = futures.pop(fut)
                    if kind == "read":
                        self._on_read(fut, items)
                    else:
                        self._on_write(fut, items, entries)
                if len(self._pending_updates) >= 200:
                    self._flush()
            self.result.stopped = bool(stop is not None and stop.is_set() and (queue or active))

    # ------------------------------------------------------------------ reads
    def _read_requests(self, i: int, job: Job) -> list[BatchRequest]:
        base = f"/users/{quote(job.entra_id)}/authentication"
        reqs = [
            BatchRequest(f"m{i}", "GET", f"{base}/methods"),
            BatchRequest(f"p{i}", "GET", f"{base}/signInPreferences"),
        ]
        if any(step.name == "hw_create" for step in job.steps):
            reqs.append(BatchRequest(f"h{i}", "GET", f"{base}/hardwareOathMethods?$expand=device"))
        return reqs

    def _submit_reads(self, pool: ThreadPoolExecutor, active: list[Job], futures: dict[Any, Any]) -> None:
        want = [j for j in active if j.needs_read and not j.in_flight and j.status == "pending"]
        while want and len(futures) < self.options.concurrency:
            chunk: list[Job] = []
            reqs: list[BatchRequest] = []
            while want:
                more = self._read_requests(len(chunk), want[0])
                if len(reqs) + len(more) > 20:
                    break
                job = want.pop(0)
                chunk.append(job)
                reqs.extend(more)
            for job in chunk:
                job.in_flight = True
            fut = pool.submit(self.client.batch, reqs, version="beta")
            futures[fut] = ("read", [(j, None) for j in chunk], [])

    def _on_read(self, fut: Future[Any], items: list[tuple[Job, Step | None]]) -> None:
        jobs = [j for j, _ in items]
        for job in jobs:
            job.in_flight = False
        try:
            answers: list[BatchResponse] = fut.result()
        except (AuthError, UnauthorizedError, ForbiddenError) as exc:
            raise UserError(f"Graph refused to let this app read users' methods: {exc}") from None
        except GraphClientError as exc:
            self.console.warn(f"reading {len(jobs)} user(s) failed ({exc}); reading them again")
            for job in jobs:
                self._read_failed(job, str(exc))
            return  # needs_read stays set: the next round reads them again
        by_id = {a.id: a for a in answers}
        if self.group_id is not None and any(
            s.name == "handoff_group" and (s.open_intent or job.check_failed is s)
            for job in jobs
            for s in job.steps
        ):
            # Settling an unknown or refused membership write needs the membership as it is now.
            self.group_members = self._read_members(self.group_id)
            self.group_stale = False
        for i, job in enumerate(jobs):
            methods, prefs = by_id[f"m{i}"], by_id[f"p{i}"]
            device = by_id.get(f"h{i}")
            if methods.status == 404:
                self._fail(job, "drifted", "the Entra user no longer exists")
                continue
            bad = [a for a in (methods, prefs, device) if a is not None and not a.ok]
            if bad:
                if any(a.status in (401, 403) for a in bad):
                    raise UserError(f"Graph refused to read {job.username}'s methods: {_item_error(bad[0])}")
                if any(a.status in (429, 503, 504) for a in bad):
                    self._read_failed(job, _item_error(bad[0]))
                    continue  # still throttled after the client's retries: read again next round
                self._fail(job, "failed", f"reading the user failed: {_item_error(bad[0])}")
                continue
            try:
                method_list = self.client.rest_of(methods.body or {})
            except GraphClientError:
                continue
            hardware = list((device.body or {}).get("value", [])) if device is not None else []
            live = LiveState.from_graph(method_list, prefs.body or {}, hardware)
            for method in hardware:
                dev = method.get("device") or {}
                if dev.get("serialNumber"):
                    job.inventory[str(dev["serialNumber"])] = dev
                    job.method_ids[str(dev["serialNumber"])] = str(method.get("id"))
            for step in job.steps:
                serial = str(step.value)
                wants_search = step.open_intent or (job.check_failed is step)
                if step.name == "hw_create" and wants_search and job.inventory.get(serial) is None:
                    # Unknown outcome or a refused create: is the token in the inventory, unassigned?
                    job.inventory[serial] = find_device(self.client, serial)
            self._after_read(job, live)

    def _read_failed(self, job: Job, why: str) -> None:
        """A read that failed even after the client's retries; give up on the user after a few."""
        job.read_failures += 1
        if job.read_failures >= MAX_SENDS_PER_RUN:
            self._fail(job, "failed", f"could not read the user from Graph: {why}"[:1000])

    def _after_read(self, job: Job, live: LiveState) -> None:
        job.live = live
        job.needs_read = False
        if job.before_image is None:
            job.before_image = live.to_json()
            self._before_images.append((job.before_image, self.batch.batch_id, job.user_id))
            self._flush_before_images()
        reasons = drift(job.assumed, live, job.expect)
        if reasons:
            self._resolve_open(job)  # record what our own earlier writes did, before stopping
            job.replan = None
            self._fail(job, "drifted", "; ".join(reasons))
            self.journal.notes([(self._entry(job, Step("drift", None)), "drifted", {"reasons": reasons})])
            return
        self._resolve_open(job)
        if job.check_failed is not None:
            step, job.check_failed = job.check_failed, None
            if self._satisfied(job, step):
                step.done, step.failed = True, None
                self.result.already += 1
                self.journal.notes([(self._entry(job, step), "already", {"after": "error response"})])
            else:
                self._fail(job, "failed", step.failed or f"{step.name} failed")
                return
        notes: list[tuple[Entry, str, Any]] = []
        for step in job.steps:
            if step.done or step.failed or step.handed_off:
                continue
            if self._satisfied(job, step):
                step.done = True
                self.result.already += 1
                notes.append((self._entry(job, step), "already", None))
            elif step.name == "default" and self._default_needs_utility(job, step):
                step.handed_off = True
                self.result.handed_off += 1
                notes.append(
                    (self._entry(job, step), "handed_off", {"reason": "the method is created by the utility"})
                )
            elif step.name in ("hw_create", "hw_assign"):
                problem = self._hw_problem(job, step)
                if problem:
                    step.failed = problem
        self.journal.notes(notes)
        failed = next((s for s in job.steps if s.failed), None)
        if failed is not None:
            self._fail(job, "failed", failed.failed or "")
            return
        self._settle(job)

    def _resolve_open(self, job: Job) -> None:
        """Settle steps whose earlier send has no known outcome, from the state just read."""
        for step in job.steps:
            if not step.open_intent or step.done:
                continue
            step.open_intent = False
            if self._satisfied(job, step):
                step.done = True
                self.result.resolved_applied += 1
                self.journal.resolved(self._entry(job, step), "applied")
            else:
                self.result.resolved_not_applied += 1
                self.journal.resolved(self._entry(job, step), "not_applied")

    # ------------------------------------------------------------------ what counts as in place
    def _device(self, job: Job, serial: str) -> dict[str, Any] | None:
        return job.inventory.get(serial)

    def _satisfied(self, job: Job, step: Step) -> bool:
        live = job.live
        assert live is not None
        if step.name in PHONE_IDS:
            return norm_phone(live.phones.get(step.name)) == norm_phone(step.value)
        if step.name == "default":
            return live.preferred == step.value
        if step.name == "handoff_group":
            return job.entra_id in self.group_members
        if step.name == "tap":
            return bool(live.taps) and step.sends == 0  # only to settle an unknown outcome
        serial = str(step.value)
        device = self._device(job, serial)
        method = live.hardware(serial)
        if method is not None:
            job.method_ids[serial] = method["id"]
        if step.name == "hw_create":
            return device is not None or method is not None
        assigned = ((device or {}).get("assignedTo") or {}).get("id")
        if step.name == "hw_assign":
            if assigned == job.entra_id and job.method_ids.get(serial) is None:
                job.method_ids[serial] = str((device or {}).get("id"))
            return method is not None or assigned == job.entra_id
        # hw_activate
        status = (device or {}).get("status") or (method or {}).get("status")
        return status == "activated"

    def _hw_problem(self, job: Job, step: Step) -> str | None:
        device = self._device(job, str(step.value))
        if device is None:
            return None
        assigned = (device.get("assignedTo") or {}).get("id")
        if assigned and assigned != job.entra_id:
            return f"hardware token {step.value} is already assigned to another Entra user"
        return None

    def _default_needs_utility(self, job: Job, step: Step) -> bool:
        """A default of push/oath whose method only the utility will create cannot be set yet."""
        live = job.live
        assert live is not None
        kinds = {m["kind"] for m in live.methods}
        if step.value == "push":
            return "authenticator" not in kinds and job.has_utility
        if step.value == "oath":
            ours = any(s.name == "hw_activate" for s in job.steps)
            return not ours and not kinds & {"software_oath", "hardware_oath"} and job.has_utility
        return False

    # ------------------------------------------------------------------ writes
    def _request(self, job: Job, step: Step) -> tuple[str, BatchRequest, Any]:
        """(version, request, body-for-journal) for one step. The journal body is redacted later."""
        user = f"/users/{quote(job.entra_id)}"
        rid = uuid.uuid4().hex[:8]
        live = job.live
        assert live is not None
        body: dict[str, Any]
        if step.name in PHONE_IDS:
            body = {"phoneNumber": step.value, "phoneType": step.name}
            if live.phones.get(step.name):
                return (
                    "v1.0",
                    BatchRequest(
                        rid, "PATCH", f"{user}/authentication/phoneMethods/{PHONE_IDS[step.name]}", body
                    ),
                    body,
                )
            return "v1.0", BatchRequest(rid, "POST", f"{user}/authentication/phoneMethods", body), body
        if step.name == "default":
            body = {"userPreferredMethodForSecondaryAuthentication": step.value}
            return "beta", BatchRequest(rid, "PATCH", f"{user}/authentication/signInPreferences", body), body
        if step.name == "handoff_group":
            body = {"@odata.id": f"{self.client.root}/v1.0/directoryObjects/{job.entra_id}"}
            return "v1.0", BatchRequest(rid, "POST", f"/groups/{self.group_id}/members/$ref", body), body
        if step.name == "tap":
            body = {"lifetimeInMinutes": self.batch.options.tap_lifetime_minutes, "isUsableOnce": False}
            return (
                "v1.0",
                BatchRequest(rid, "POST", f"{user}/authentication/temporaryAccessPassMethods", body),
                body,
            )
        serial = str(step.value)
        if step.name == "hw_create":
            body = {
                "displayName": f"MFA Server token {serial}",
                "serialNumber": serial,
                "manufacturer": "MFA Server",
                "model": "OATH TOTP",
                "secretKey": self.secrets[job.username],
                "timeIntervalInSeconds": self.time_steps.get(job.username, 30),
                "hashFunction": "hmacsha1",
            }
            return "beta", BatchRequest(rid, "POST", INVENTORY, body), body
        if step.name == "hw_assign":
            device_id = (self._device(job, serial) or {}).get("id")
            body = {"device": {"id": device_id}}
            return "beta", BatchRequest(rid, "POST", f"{user}/authentication/hardwareOathMethods", body), body
        # hw_activate: the code is computed now, from the secret read from the datafile
        method_id = job.method_ids.get(serial) or (self._device(job, serial) or {}).get("id")
        code = totp(self.secrets[job.username], self.time_steps.get(job.username, 30))
        body = {"verificationCode": code, "displayName": f"MFA Server token {serial}"}
        return (
            "beta",
            BatchRequest(
                rid, "POST", f"{user}/authentication/hardwareOathMethods/{method_id}/activate", body
            ),
            body,
        )

    def _submit_writes(self, pool: ThreadPoolExecutor, active: list[Job], futures: dict[Any, Any]) -> None:
        ready = [
            j
            for j in active
            if j.status == "pending" and not j.in_flight and not j.needs_read and j.next_step() is not None
        ]
        by_version: dict[str, list[tuple[Job, Step, BatchRequest, Entry]]] = {"v1.0": [], "beta": []}
        room = 20 * max(0, self.options.concurrency - len(futures))  # build no more than can leave now
        for job in ready:
            if sum(len(v) for v in by_version.values()) >= room:
                break
            step = job.next_step()
            assert step is not None
            if step.name == "hw_activate" and not (
                job.method_ids.get(str(step.value)) or self._device(job, str(step.value))
            ):
                job.needs_read = True  # learn the method id first
                continue
            if step.sends >= MAX_SENDS_PER_RUN:
                self._fail(
                    job,
                    "failed",
                    f"{step.name}: Graph kept answering throttled/unavailable; run the batch again later",
                )
                continue
            version, request, body = self._request(job, step)
            entry = Entry(
                job.key(self.batch.batch_id, step),
                job.user_id,
                job.entra_id,
                step.name,
                request.method,
                f"/{version}{request.url.split('?')[0]}",
                body,
            )
            by_version[version].append((job, step, request, entry))
        for version, items in by_version.items():
            while items and len(futures) < self.options.concurrency:
                chunk, items = items[:20], items[20:]
                entries = [e for _, _, _, e in chunk]
                self.journal.intents(entries)  # durable before anything leaves
                for job, step, _, _ in chunk:
                    job.in_flight = True
                    step.sends += 1
                    step.open_intent = True
                self.result.writes_sent += len(chunk)
                fut = pool.submit(self.client.batch, [r for _, _, r, _ in chunk], version=version)
                futures[fut] = ("write", [(j, s) for j, s, _, _ in chunk], entries)
            if items:
                break

    def _on_write(self, fut: Future[Any], items: list[tuple[Job, Step | None]], entries: list[Entry]) -> None:
        for job, _ in items:
            job.in_flight = False
        try:
            answers: list[BatchResponse] = fut.result()
        except UnknownOutcome as exc:
            # The envelope may or may not have been applied: record that, then re-read every user in it.
            self.journal.responses([Answer(e, None, "unknown", {"error": str(exc)[:300]}) for e in entries])
            for job, _ in items:
                job.needs_read = True
            if any(s is not None and s.name == "handoff_group" for _, s in items):
                self.group_stale = True
            return
        except (AuthError, UnauthorizedError, ForbiddenError) as exc:
            self.journal.responses(
                [Answer(e, getattr(exc, "status", None), "error", {"error": str(exc)[:300]}) for e in entries]
            )
            for _, step in items:
                if step is not None:
                    step.open_intent = False
            raise UserError(f"Graph refused the write: {exc}") from None
        except GraphClientError as exc:
            # The envelope itself was refused or never reached Graph: nothing in it was applied.
            self.journal.responses(
                [
                    Answer(e, getattr(exc, "status", None), "not_sent", {"error": str(exc)[:300]})
                    for e in entries
                ]
            )
            for _, step in items:
                if step is not None:
                    step.open_intent = False
            return
        answered: list[Answer] = []
        taps: list[tuple[Job, dict[str, Any]]] = []
        for (job, step), entry, answer in zip(items, entries, answers, strict=True):
            assert step is not None
            status = answer.status
            if answer.ok:
                step.done, step.open_intent = True, False
                self.result.writes_ok += 1
                answered.append(Answer(entry, status, "ok", answer.body))
                self._after_ok(job, step, answer.body or {})
                if step.name == "tap":
                    taps.append((job, answer.body or {}))
            elif status in (429, 503):
                step.open_intent = False  # Graph did not apply it: send again later
                answered.append(Answer(entry, status, "retry", answer.body))
            elif status == 504 or status == 0:
                answered.append(Answer(entry, status, "unknown", answer.body))
                job.needs_read = True
                if step.name == "handoff_group":
                    self.group_stale = True
            else:
                step.open_intent = False
                step.failed = f"{step.name}: {_item_error(answer)}"
                answered.append(Answer(entry, status, "error", answer.body))
                job.check_failed = step  # in place already (e.g. a duplicate)? a fresh read tells
                job.needs_read = True
                if step.name == "handoff_group":
                    self.group_stale = True
        self.journal.responses(answered)
        if taps:
            self._write_taps(taps)
        for job, _ in items:
            self._settle(job)

    def _after_ok(self, job: Job, step: Step, body: dict[str, Any]) -> None:
        live = job.live
        assert live is not None
        if step.name in PHONE_IDS:
            live.phones[step.name] = step.value
        elif step.name == "default":
            live.preferred = step.value
        elif step.name == "handoff_group":
            self.group_members.add(job.entra_id)
        elif step.name == "hw_create":
            job.inventory[str(step.value)] = {
                "id": body.get("id"),
                "serialNumber": step.value,
                "status": "available",
            }
        elif step.name == "hw_assign":
            job.method_ids[str(step.value)] = str(body.get("id"))
            live.methods.append({"kind": "hardware_oath", "id": str(body.get("id")), "serial": step.value})
            device = job.inventory.get(str(step.value))
            if device is not None:
                device["assignedTo"] = {"id": job.entra_id}
                device["status"] = "assigned"
        elif step.name == "hw_activate":
            device = job.inventory.get(str(step.value))
            if device is not None:
                device["status"] = "activated"

    def _settle(self, job: Job) -> None:
        """Mark the user finished when nothing is left to send."""
        if job.status != "pending" or job.in_flight or job.needs_read:
            return
        if any(s.failed for s in job.steps):
            self._fail(job, "failed", next(s.failed for s in job.steps if s.failed) or "")
        elif job.next_step() is None:
            job.status = "done"
            if any(s.handed_off for s in job.steps) or job.has_utility:
                job.detail = self._handoff_detail(job)

    def _handoff_detail(self, job: Job) -> str:
        handoff = self.batch.options.handoff
        if not job.has_utility:
            return "default method left to the utility"
        if handoff == "group":
            return "devices/software OATH handed to the Migration Utility (added to its migration group)"
        if handoff == "reregister":
            return "devices/software OATH: user must re-register" + (
                " (TAP issued)" if self.batch.options.tap else ""
            )
        return "devices/software OATH need Microsoft's Migration Utility (not handed off)"

    def _fail(self, job: Job, status: str, detail: str) -> None:
        job.status, job.detail = status, detail[:1000]
        job.needs_read = False

    def _entry(self, job: Job, step: Step) -> Entry:
        return Entry(job.key(self.batch.batch_id, step), job.user_id, job.entra_id, step.name, "", "", None)

    def _write_taps(self, taps: list[tuple[Job, dict[str, Any]]]) -> None:
        path = self.options.tap_out
        assert path is not None
        with self._tap_lock, open(path, "a", encoding="utf-8") as handle:
            for job, body in taps:
                handle.write(
                    json.dumps(
                        {
                            "username": job.username,
                            "entraId": job.entra_id,
                            "temporaryAccessPass": body.get("temporaryAccessPass"),
                            "startDateTime": body.get("startDateTime"),
                            "lifetimeInMinutes": body.get("lifetimeInMinutes"),
                        }
                    )
                    + "\n"
                )

    # ------------------------------------------------------------------ persistence
    def _persist(self, job: Job) -> None:
        if job.status == "done":
            self.result.done += 1
        elif job.status == "drifted":
            self.result.drifted += 1
        elif job.status == "failed":
            self.result.failed += 1
        self._pending_updates.append((job.status, job.detail, job.replan, self.batch.batch_id, job.user_id))

    def _set_based(self, query: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Run ``queries/<query>`` once over ``rows`` registered as the Arrow table ``exec_rows_in``."""
        import pyarrow as pa

        table = pa.table(
            {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)}
        )
        register(self.con, "exec_rows_in", table)
        try:
            self.con.execute(sql(query)).fetchall()
        finally:
            self.con.unregister("exec_rows_in")

    def _flush_before_images(self) -> None:
        if self._before_images:
            self._set_based(
                "execute/user_before_images", ("before_image", "batch_id", "user_id"), self._before_images
            )
            self._before_images.clear()

    def _flush(self) -> None:
        self._flush_before_images()
        if self._pending_updates:
            self._set_based(
                "execute/user_statuses",
                ("status", "detail", "replan", "batch_id", "user_id"),
                self._pending_updates,
            )
            self._pending_updates.clear()

    def _finish(self, jobs: list[Job]) -> None:
        if self.replan_users is not None:
            drifted = {j.user_id: j.live for j in jobs if j.status == "drifted" and j.live is not None}
            if drifted:
                replans = self.replan_users(self.batch, drifted)
                self.con.executemany(
                    sql("execute/user_replan"),
                    [(text, self.batch.batch_id, uid) for uid, text in replans.items()],
                )
        counts = dict(self.con.execute(sql("execute/user_status_counts"), [self.batch.batch_id]).fetchall())
        self.result.pending = int(counts.get("pending", 0))
        total_done = int(counts.get("done", 0))
        bad = int(counts.get("failed", 0)) + int(counts.get("drifted", 0))
        detail = (
            f"done {total_done}, failed {counts.get('failed', 0)}, drifted {counts.get('drifted', 0)}, "
            f"pending {self.result.pending}; writes sent {self.result.writes_sent}, "
            f"ok {self.result.writes_ok}"
        )
        if self.result.pending:
            batches_mod.record_event(
                self.con, self.batch.batch_id, self.actor, "run_interrupted", "running", "running", detail
            )
            return
        state = "completed" if bad == 0 else ("failed" if total_done == 0 else "partial")
        self.batch = batches_mod.transition(self.con, self.batch, state, self.actor, "run_finished", detail)
        self.result.batch = self.batch


def _item_error(answer: BatchResponse) -> str:
    try:
        answer.raise_for_status()
    except GraphClientError as exc:
        return str(exc)[:500]
    return f"status {answer.status}"


def _ensure_private_file(path: Path) -> None:
    """Create ``path`` (mode 0600) if missing; refuse one that others can read."""
    path = Path(path)
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise UserError(f"--tap-out {path} is readable by other users; use a new file or chmod 600 it")
        return
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    os.close(fd)


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
    batches_mod.ensure_schema(con)
    batch = batches_mod.get_batch(con, ref)
    if not check_runnable(con, batch, actor, replan):
        return RunResult(batch, nothing_to_do=True)
    return Runner(con, client, batch, console, actor=actor, options=options, replan_users=replan_users).run()


def summary_rows(result: RunResult) -> list[list[Any]]:
    return [
        ["users in this run", result.users],
        ["done", result.done],
        ["drifted (skipped, re-planned)", result.drifted],
        ["failed", result.failed],
        ["writes sent", result.writes_sent],
        ["writes answered ok", result.writes_ok],
        ["already in place (not sent)", result.already],
        ["unknown outcomes resolved: applied", result.resolved_applied],
        ["unknown outcomes resolved: not applied", result.resolved_not_applied],
        ["default left to the utility", result.handed_off],
        ["seconds", f"{result.seconds:.1f}"],
    ]


# ---------------------------------------------------------------------------------------- re-planning


def replan_hash(con: duckdb.DuckDBPyConnection, batch: Batch) -> str:
    """The plan hash the batch's users get now (same settings, current workspace)."""
    from analysis.simulate.runner import simulate_users

    names = [r[1] for r in batches_mod.batch_users(con, batch.batch_id)]
    simulate_users(con, batch.settings, names, table="plan_batch")
    try:
        return batches_mod.replan_hash(con, batch, "plan_batch")
    finally:
        con.execute(sql("execute/drop_plan_batch"))


def replan_drifted(
    con: duckdb.DuckDBPyConnection, batch: Batch, lives: dict[int, LiveState]
) -> dict[int, str]:
    """Plan drifted users again against the Entra state just read (DESIGN §5), as JSON rows per user.

    The live state replaces the snapshot's rows for those users inside a transaction that is rolled
    back afterwards: the workspace is left exactly as it was, only the answer is kept.
    """
    from analysis.simulate.runner import simulate_users

    users = {
        int(r[0]): (r[1], r[2]) for r in batches_mod.batch_users(con, batch.batch_id) if int(r[0]) in lives
    }
    if not users:
        return {}
    methods: list[tuple[Any, ...]] = []
    prefs: list[tuple[Any, ...]] = []
    for user_id, live in lives.items():
        _name, entra_id = users[user_id]
        for ptype, number in live.phones.items():
            if number:
                main, _, ext = str(number).partition("x")
                methods.append(
                    (
                        entra_id,
                        PHONE_IDS[ptype],
                        "#microsoft.graph.phoneAuthenticationMethod",
                        "phone",
                        ptype,
                        number,
                        main.replace(" ", ""),
                        ext or None,
                    )
                )
        for m in live.methods:
            methods.append((entra_id, m["id"], "", m["kind"], None, None, None, None))
        prefs.append((live.preferred, entra_id))
    out: dict[int, str] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(sql("execute/replan_clear_methods"), [(users[u][1],) for u in lives])
        con.executemany(sql("execute/replan_insert_method"), methods)
        con.executemany(sql("execute/replan_set_preferred"), prefs)
        simulate_users(con, batch.settings, [users[u][0] for u in lives], table="plan_replan")
        for user_id, rows in con.execute(sql("execute/replan_rows")).fetchall():
            out[int(user_id)] = rows
    finally:
        con.execute("ROLLBACK")
    return out
