"""Rollback: undo this tool's own writes of one batch from the before-images it recorded.

Only writes the journal shows *this batch* made (``ok`` or resolved ``applied``) are undone; a value
that was already in place (``already``) was not ours to undo. For each such user, in reverse order:

1. default method → the before-image's value (PATCH ``signInPreferences``; ``null`` when it was unset);
2. hardware OATH token → unassign it from the user, then delete it from the inventory if we created it;
3. office, alternate, mobile phone → PATCH back to the before-image's number, or DELETE when the slot
   was empty (alternate before mobile: Graph refuses to delete a mobile while an alternate exists);
4. migration-group membership → removed.

A value someone changed after the batch wrote it is left alone and reported (``changed_since``):
rollback restores our writes, it never overwrites someone else's. Rollback is journaled like a run
(idempotency keys ``rb:<batch>:<user>:<step>``), so a killed rollback resumes the same way: open
intents are resolved by re-reading. Migration marks this batch set for those users are removed.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import batches as batches_mod
from analysis.execute.journal import Answer, Entry, Journal, new_run_id, step_statuses
from analysis.execute.livestate import PHONE_IDS, ReadResult, find_device, norm_phone, read_users
from analysis.execute.runner import INVENTORY, PHONE_ACTIONS
from analysis.graph.client import GraphClient
from analysis.graph.errors import (
    AuthError,
    ForbiddenError,
    GraphClientError,
    GraphError,
    UnauthorizedError,
    UnknownOutcome,
)
from analysis.sqlfiles import sql

UNSETTABLE = "it carries the default method this batch set, and Graph cannot unset a default method"
ROLLBACK_FROM = ("completed", "partial", "failed", "verified", "rolling_back")


@dataclass
class RollbackResult:
    batch: batches_mod.Batch
    users: int = 0
    restored: int = 0  # writes undone
    already: int = 0  # already back to the before-image
    changed_since: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    left: dict[str, list[str]] = field(default_factory=dict)  # username -> what was left as it is


@dataclass
class _Undo:
    name: str  # rb step name
    slot: str | None = None  # phone type
    wrote: str | None = None  # what the batch wrote
    before: str | None = None  # what was there before
    serial: str | None = None
    group_id: str | None = None


def _plan_undo(
    applied: set[str], values: dict[str, str], before: dict[str, Any], group_id: str | None
) -> list[_Undo]:
    undo: list[_Undo] = []
    unset_default = "default" in applied and before.get("preferred") is None
    if "default" in applied and not unset_default:
        undo.append(_Undo("rb_default", wrote=values.get("default"), before=before.get("preferred")))
    if "hw_assign" in applied or "hw_activate" in applied:
        undo.append(_Undo("rb_hw_unassign", serial=values.get("hw")))
    if "hw_create" in applied:
        undo.append(_Undo("rb_hw_delete", serial=values.get("hw")))
    for slot in ("office", "alternateMobile", "mobile"):
        if slot in applied:
            undo.append(_Undo(f"rb_{slot}", slot=slot, wrote=values.get(slot), before=before.get(slot)))
    if "handoff_group" in applied and group_id:
        undo.append(_Undo("rb_handoff_group", group_id=group_id))
    if unset_default:
        # Graph has no way to unset a default method: it clears itself when its last method is deleted
        # (above). Checked last, after a fresh read; if it is still ours it is reported, not forced.
        undo.append(_Undo("rb_default", wrote=values.get("default"), before=None))
    return undo


class _Rollback:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: GraphClient,
        batch: batches_mod.Batch,
        actor: str,
        concurrency: int,
    ) -> None:
        self.con, self.client, self.batch, self.actor = con, client, batch, actor
        self.concurrency = concurrency
        self.journal = Journal(con, batch_id=batch.batch_id, run_id=new_run_id(), actor=actor)
        self.db = threading.Lock()
        self.result = RollbackResult(batch)
        self._members: set[str] | None = None
        self._members_lock = threading.Lock()

    # Graph state -----------------------------------------------------------------
    def _read(self, entra_id: str, serial: str | None) -> ReadResult:
        return read_users(self.client, [(entra_id, [serial] if serial else [])], concurrency=1)[entra_id]

    def _is_member(self, group_id: str, entra_id: str, fresh: bool = False) -> bool:
        """Membership from one listing of the group per rollback (listed again to settle an unknown "
        "outcome)."""
        with self._members_lock:
            if fresh or self._members is None:
                listing = self.client.paged(f"/groups/{group_id}/members", params={"$select": "id"})
                self._members = {str(m.get("id")) for m in listing}
            return entra_id in self._members

    def _hw_method(self, read: ReadResult, entra_id: str, serial: str) -> str | None:
        live = read.live
        assert live is not None
        method = live.hardware(serial)
        if method is not None:
            return str(method["id"])
        device = read.devices.get(serial)
        if device is not None and (device.get("assignedTo") or {}).get("id") == entra_id:
            return str(device.get("id"))
        return None

    def _state(self, undo: _Undo, read: ReadResult, entra_id: str) -> str:
        """'restored' (nothing to do), 'ours' (our value is there: undo it), or 'changed'."""
        live = read.live
        assert live is not None
        if undo.slot is not None:
            now = norm_phone(live.phones.get(undo.slot))
            if now == norm_phone(undo.before):
                return "restored"
            return "ours" if now == norm_phone(undo.wrote) else "changed"
        if undo.name == "rb_default":
            if live.preferred == undo.before:
                return "restored"
            return "ours" if live.preferred == undo.wrote else "changed"
        if undo.name == "rb_hw_unassign":
            return "ours" if self._hw_method(read, entra_id, str(undo.serial)) else "restored"
        if undo.name == "rb_hw_delete":
            device = find_device(self.client, str(undo.serial))
            if device is not None:
                read.devices[str(undo.serial)] = device
            if device is None:
                return "restored"
            assigned = (device.get("assignedTo") or {}).get("id")
            return "ours" if not assigned else "changed"
        # group membership
        return "ours" if self._is_member(str(undo.group_id), entra_id) else "restored"

    def _request(self, undo: _Undo, read: ReadResult, entra_id: str) -> tuple[str, str, str, Any]:
        user = f"/users/{quote(entra_id)}/authentication"
        if undo.slot is not None:
            path = f"{user}/phoneMethods/{PHONE_IDS[undo.slot]}"
            if undo.before:
                return "PATCH", "v1.0", path, {"phoneNumber": undo.before, "phoneType": undo.slot}
            return "DELETE", "v1.0", path, None
        if undo.name == "rb_default":
            return (
                "PATCH",
                "beta",
                f"{user}/signInPreferences",
                {"userPreferredMethodForSecondaryAuthentication": undo.before},
            )
        if undo.name == "rb_hw_unassign":
            return (
                "DELETE",
                "beta",
                f"{user}/hardwareOathMethods/{self._hw_method(read, entra_id, str(undo.serial))}",
                None,
            )
        if undo.name == "rb_hw_delete":
            device = read.devices[str(undo.serial)]
            return "DELETE", "beta", f"{INVENTORY}/{device.get('id')}", None
        return "DELETE", "v1.0", f"/groups/{undo.group_id}/members/{quote(entra_id)}/$ref", None

    def _holds_our_default(self, undo: _Undo, undos: list[_Undo], read: ReadResult) -> bool:
        """True when ``undo`` deletes the method behind a default this batch set over an unset one."""
        ours = next((u for u in undos if u.name == "rb_default" and u.before is None), None)
        if ours is None or read.live is None or read.live.preferred != ours.wrote:
            return False
        provides = {
            "rb_mobile": {"sms", "voiceMobile"},
            "rb_alternateMobile": {"voiceAlternateMobile"},
            "rb_office": {"voiceOffice"},
            "rb_hw_unassign": {"oath"},
        }
        return read.live.preferred in provides.get(undo.name, set())

    # one user ---------------------------------------------------------------------
    def user(
        self, user_id: int, username: str, entra_id: str, undos: list[_Undo], done: set[str], open_: set[str]
    ) -> str:
        serial = next((u.serial for u in undos if u.serial), None)
        read = self._read(entra_id, serial)
        if read.live is None:
            return f"{username}: cannot read the user ({read.error})"
        status = "rolled_back"
        for undo in undos:
            key = f"rb:{self.batch.batch_id}:{user_id}:{undo.name}"
            entry = Entry(key, user_id, entra_id, undo.name, "", "")
            if key in done:
                continue
            if undo.name == "rb_default" and undo.before is None:
                read = self._read(entra_id, serial)
                if read.live is None:
                    return f"{username}: cannot read the user ({read.error})"
            state = self._state(undo, read, entra_id)
            if state == "ours" and undo.name == "rb_default" and undo.before is None:
                state = "changed"  # cannot be unset through Graph: report it
            if key in open_:
                with self.db:
                    self.journal.resolved(entry, "applied" if state == "restored" else "not_applied")
            if state == "restored":
                with self.db:
                    if key not in open_:
                        self.journal.notes([(entry, "already", None)])
                    self.result.already += 1
                continue
            if state == "changed":
                with self.db:
                    unsettable = undo.name == "rb_default" and undo.before is None
                    self.journal.notes([(entry, "left_unset" if unsettable else "changed_since", None)])
                    why = "Graph cannot unset a default method" if unsettable else "changed since"
                    self.result.changed_since.append(f"{username}: {undo.name[3:]} ({why})")
                    self.result.left.setdefault(username, []).append(f"{undo.name[3:]} ({why})")
                status = "partly_rolled_back"
                continue
            method, version, path, body = self._request(undo, read, entra_id)
            entry = Entry(key, user_id, entra_id, undo.name, method, f"/{version}{path}", body)
            with self.db:
                self.journal.intents([entry])
            try:
                response = self.client.request(method, path, version=version, json=body)
                answer = Answer(entry, response.status, "ok", response.body)
            except UnknownOutcome as exc:
                with self.db:
                    self.journal.responses([Answer(entry, None, "unknown", {"error": str(exc)[:300]})])
                read = self._read(entra_id, serial)
                if undo.name == "rb_handoff_group":
                    self._is_member(str(undo.group_id), entra_id, fresh=True)
                if read.live is not None and self._state(undo, read, entra_id) == "restored":
                    with self.db:
                        self.journal.resolved(entry, "applied")
                        self.result.restored += 1
                    continue
                with self.db:
                    self.journal.resolved(entry, "not_applied")
                return (
                    f"{username}: {undo.name[3:]}: no answer from Graph and not applied; run rollback again"
                )
            except (AuthError, UnauthorizedError, ForbiddenError):
                raise
            except GraphError as exc:
                with self.db:
                    self.journal.responses([Answer(entry, exc.status, "error", exc.body)])
                    if exc.status == 400 and self._holds_our_default(undo, undos, read):
                        # The default this batch set (none was set before) rests on this method, and Graph
                        # will not delete a default method while the user has others; it cannot be unset.
                        self.journal.notes([(entry, "left_default", None)])
                        why = UNSETTABLE
                        self.result.changed_since.append(f"{username}: {undo.name[3:]} ({why})")
                        self.result.left.setdefault(username, []).append(f"{undo.name[3:]} ({why})")
                        status = "partly_rolled_back"
                        continue
                return f"{username}: {undo.name[3:]}: {exc}"
            except GraphClientError as exc:
                with self.db:
                    self.journal.responses([Answer(entry, None, "not_sent", {"error": str(exc)[:300]})])
                return f"{username}: {undo.name[3:]}: {exc}"
            with self.db:
                self.journal.responses([answer])
                self.result.restored += 1
            if undo.name == "rb_handoff_group":
                with self._members_lock:
                    if self._members is not None:
                        self._members.discard(entra_id)
            if undo.slot is not None and read.live is not None:
                read.live.phones[undo.slot] = undo.before
            if undo.name == "rb_hw_unassign" and serial and read.live is not None:
                read.live.methods = [m for m in read.live.methods if m.get("serial") != serial]
                dev = read.devices.get(serial)
                if dev is not None:
                    dev["assignedTo"] = None
        return status


def rollback_batch(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    ref: str | int,
    console: Console,
    *,
    actor: str,
    confirm: bool,
    concurrency: int = 4,
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
    work = _Rollback(con, client, batch, actor, concurrency)
    if batch.state != "rolling_back":
        batch = batches_mod.transition(con, batch, "rolling_back", actor, "rollback_started")
    else:
        batches_mod.record_event(con, batch.batch_id, actor, "rollback_resumed", batch.state, batch.state)
    work.batch = batch
    forward = step_statuses(con, batch.batch_id, f"{batch.batch_id}:")
    back = step_statuses(con, batch.batch_id, f"rb:{batch.batch_id}:")
    done = {
        k
        for k, s in back.items()
        if s.done or s.last_outcome in ("changed_since", "left_unset", "left_default")
    }
    open_ = {k for k, s in back.items() if s.open_intent}
    ours = {k for k, s in forward.items() if s.done and s.last_outcome in ("ok", "applied")}
    ours |= {
        k
        for (k,) in con.execute(
            sql("execute/rollback_ours"), [batch.batch_id, f"{batch.batch_id}:"]
        ).fetchall()
    }
    values: dict[int, dict[str, str]] = {}
    for user_id, action, ref_, value in con.execute(
        sql("execute/rollback_values"), [batch.batch_id]
    ).fetchall():
        v = values.setdefault(int(user_id), {})
        if action in PHONE_ACTIONS:
            v[PHONE_ACTIONS[action]] = value
        elif action == "create_hardware_oath":
            v["hw"] = str(ref_)
        else:
            v["default"] = value
    group_id = None
    row = con.execute(sql("execute/rollback_group"), [batch.batch_id]).fetchone()
    if row and row[0]:
        parts = str(row[0]).split("/")
        group_id = parts[parts.index("groups") + 1] if "groups" in parts else None
    jobs = []
    for user_id, username, entra_id, before, status in con.execute(
        sql("execute/rollback_users"), [batch.batch_id]
    ).fetchall():
        if status == "rolled_back" or before is None:
            continue
        applied = {k.rsplit(":", 1)[1] for k in ours if k.startswith(f"{batch.batch_id}:{user_id}:")}
        if not applied:
            continue
        undos = _plan_undo(applied, values.get(int(user_id), {}), json.loads(before), group_id)
        jobs.append((int(user_id), username, entra_id, undos))
    work.result.users = len(jobs)
    outcomes: list[tuple[int, str]] = []
    with (
        console.progress(f"rolling back {batch.label}", len(jobs)) as bar,
        ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool,
    ):
        futures = {
            pool.submit(work.user, uid, name, eid, undos, done, open_): uid for uid, name, eid, undos in jobs
        }
        for fut, uid in futures.items():
            outcome = fut.result()
            bar.advance()
            if outcome in ("rolled_back", "partly_rolled_back"):
                outcomes.append((uid, outcome))
            else:
                work.result.failed.append(outcome)
    con.execute("BEGIN TRANSACTION")
    try:
        names = {uid: name for uid, name, _e, _u in jobs}
        con.executemany(
            sql("execute/rollback_user_done"),
            [
                (s, "; ".join(work.result.left.get(names[uid], [])) or None, batch.batch_id, uid)
                for uid, s in outcomes
            ],
        )
        con.executemany(
            sql("execute/rollback_unmark"), [(batch.name, batch.batch_id, uid) for uid, _ in outcomes]
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    detail = (
        f"users {len(jobs)}, writes undone {work.result.restored}, already restored {work.result.already}, "
        f"changed since {len(work.result.changed_since)}, failed {len(work.result.failed)}"
    )
    if work.result.failed:
        batches_mod.record_event(
            con, batch.batch_id, actor, "rollback_incomplete", batch.state, batch.state, detail
        )
        work.result.batch = batches_mod.get_batch(con, batch.batch_id)
    else:
        work.result.batch = batches_mod.transition(con, batch, "rolled_back", actor, "rolled_back", detail)
    return work.result
