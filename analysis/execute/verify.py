"""Verification: after a run, read the batch's users again and compare predicted with actual per plan row.

Each plan row gets an outcome:

* ``agrees`` / ``differs`` — a row Graph can write (phones, hardware OATH, default method), or a
  ``noop`` / ``keep_default`` whose value must still be there;
* for devices and software OATH (only Microsoft's utility, or the user, creates them), and a default
  left for later because its method did not exist yet (:mod:`analysis.execute.handoffs`):
  ``registered`` when the read shows the method in Entra, ``handed_off`` only when the hand-off
  happened (Graph confirmed the migration-group membership, or issued the pass), else
  ``not_migrated`` (``handoff = "none"``: nobody hands anything over);
* ``skipped`` — rows of users the run skipped (drifted) or could not finish (failed);
* ``not_applicable`` — rows that write nothing (user rows, skips, invalid numbers, ...).

Two figures: *agreement* = agrees / (agrees + differs), over what Graph was asked to write; and *users
fully migrated*, whose every row agrees or is registered. Only those are marked migrated in
``migration_marks`` (last_migrated_at, selection signature, batch), so the simulator reports them
``unchanged`` next time; the others are listed with what is pending. A completed batch whose agreement
is 100% becomes ``verified``.

A re-registration campaign batch is judged per user instead: ``agrees`` when the user holds a
Temporary Access Pass or has registered Authenticator, software OATH or a passkey (FIDO2) since; it marks
nobody migrated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import batches as batches_mod
from analysis.execute import handoffs
from analysis.execute.journal import columns
from analysis.execute.livestate import LiveState, norm_phone
from analysis.execute.reads import ReadResult, Target, read_users
from analysis.execute.runprep import outage_is_a_user_error
from analysis.graph.client import GraphClient
from analysis.graph.constants import PHONE_TYPES
from analysis.simulate.actions import lookup, with_step
from analysis.sources import access, latest
from analysis.sqlfiles import sql

VERIFIABLE_STATES = ("completed", "partial", "failed", "verified")


@dataclass
class Verification:
    batch: batches_mod.Batch
    agrees: int = 0
    differs: int = 0
    handed_off: int = 0
    not_migrated: int = 0
    registered: int = 0
    skipped: int = 0
    not_applicable: int = 0
    marked: int = 0
    users: int = 0  # users the run finished (read back)
    pending: list[tuple[str, str]] = field(default_factory=list)  # user, what keeps them from migrated
    handoffs: handoffs.Handoffs | None = None
    differences: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # user,item,action,pred,actual

    @property
    def agreement(self) -> float:
        total = self.agrees + self.differs
        return 1.0 if total == 0 else self.agrees / total


def _hardware_state(result: ReadResult, entra_id: str, serial: str) -> str:
    """'activated' / 'assigned' / ... for the user's token ``serial``, or 'absent'."""
    live = result.live
    assert live is not None
    method = live.hardware(serial)
    device = result.devices.get(serial)
    if device is not None and ((device.get("assignedTo") or {}).get("id") == entra_id):
        return str(device.get("status") or "assigned")
    if method is not None:
        return str(method.get("status") or "assigned")
    return "absent"


def _judge(
    row: tuple[Any, ...],
    result: ReadResult | None,
    user_status: str,
    handed_default: bool,
    entra_id: str,
    hand: handoffs.UserHandoff,
) -> tuple[str, str | None, str | None]:
    """(outcome, predicted, actual) for one plan row."""
    _row_no, _username, item, ref, action, value, writable = row
    if item == "user":
        return "not_applicable", None, None
    entry = lookup(item, action)
    step = entry.step if entry is not None else None
    if step == "handoff" or writable == "utility":
        if user_status != "done":
            return "skipped", action, None
        return hand.outcome(action), action, hand.seen(action)
    writes = writable == "graph"
    is_phone_write = writes and step == "phone"
    is_default = (writes and step == "default") or (
        item == "default_method" and action in ("noop", "keep_default")
    )
    is_hw = writes and step == "hardware_oath"
    is_phone_noop = item in ("phone", "backup_phone") and action == "noop"
    if not (is_phone_write or is_default or is_hw or is_phone_noop):
        return "not_applicable", None, None
    if user_status != "done":
        return "skipped", value, None
    if writes and step == "default" and handed_default:
        live_pref = result.live.preferred if result is not None and result.live is not None else None
        if live_pref == value:
            return "agrees", value, live_pref  # set since (by the utility or the user)
        return hand.outcome(None), value, live_pref or "unset"
    if result is None or result.live is None:
        return "differs", value, f"not readable: {result.error if result else 'no read'}"
    live: LiveState = result.live
    if is_phone_write:
        assert entry is not None and entry.phone_type is not None
        slot = entry.phone_type
        actual = live.phones.get(slot)
        return (
            ("agrees" if norm_phone(actual) == norm_phone(value) else "differs"),
            value,
            f"{slot}: {actual or 'none'}",
        )
    if is_phone_noop:
        present = [t for t in PHONE_TYPES if norm_phone(live.phones.get(t)) == norm_phone(value)]
        return ("agrees" if present else "differs"), value, ",".join(present) or "not present"
    if is_default:
        return ("agrees" if live.preferred == value else "differs"), value, live.preferred or "unset"
    state = _hardware_state(result, entra_id, str(ref))
    return ("agrees" if state == "activated" else "differs"), f"{ref} activated", f"{ref} {state}"


def _judge_campaign(
    row: tuple[Any, ...], result: ReadResult | None, user_status: str
) -> tuple[str, str | None, str | None]:
    """A re-registration campaign's user (its ``user`` row): agrees when the user holds a Temporary Access
    Pass or has registered Authenticator, software OATH or a passkey; its other rows write nothing."""
    from analysis.execute.kinds import registered_methods

    if row[2] != "user":
        return "not_applicable", None, None
    want = "Temporary Access Pass or a new method"
    if user_status != "done":
        return "skipped", want, None
    if result is None or result.live is None:
        return "differs", want, f"not readable: {result.error if result else 'no read'}"
    live: LiveState = result.live
    found = registered_methods(live)
    if found:
        return "agrees", want, "registered " + ", ".join(found)
    return (
        ("agrees", want, "Temporary Access Pass")
        if live.taps
        else ("differs", want, "no pass, no new method")
    )


def verify_batch(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    ref: str | int,
    console: Console,
    *,
    actor: str,
    concurrency: int = 4,
) -> Verification:
    """Re-read, compare, store the verification, mark migrated users, and update the batch state."""
    batches_mod.ensure_schema(con)
    batch = batches_mod.get_batch(con, ref)
    if batch.state not in VERIFIABLE_STATES:
        raise UserError(
            f"{batch.label} is {batch.state}; only a batch that has run (completed, partial or failed) "
            "can be verified"
        )
    params = {"batch_id": batch.batch_id}
    users = con.execute(sql("execute/verify.users"), params).fetchall()
    token_actions = [a.action for a in with_step("hardware_oath")]
    tokens = {
        str(r[0])
        for r in con.execute(
            sql("execute/verify.token_users"), {**params, "actions": token_actions}
        ).fetchall()
    }
    handed = {int(r[0]) for r in con.execute(sql("execute/verify.handed_default"), params).fetchall()}
    handed_over = handoffs.evidence(con, batch)
    assumed = handoffs.assumed_methods(con, batch)
    done_users = [(uid, entra_id) for uid, _name, entra_id, status in users if status == "done"]
    console.info(f"Reading {len(done_users)} user(s) of {batch.label} from Graph ...")
    targets = [Target(e, hardware=e in tokens) for _, e in done_users]
    access.let_go(con)  # reading takes a while: the workspace is free for others meanwhile
    with outage_is_a_user_error(f"{batch.label} was not verified"):
        reads = read_users(client, targets, concurrency=concurrency)
    status_of = {int(uid): (status, entra_id) for uid, _n, entra_id, status in users}
    rows = con.execute(sql("execute/verify.rows"), params).fetchall()
    at = datetime.now(UTC)
    out = Verification(batch)
    stored: list[tuple[Any, ...]] = []
    user_ok: dict[int, bool] = {}
    pending: dict[int, list[str]] = {}
    campaign = batch.options.campaign  # a pass is no migration: its users are not marked migrated
    for row in rows:
        user_id = int(row[0])
        body = row[1:]
        status, entra_id = status_of[user_id]
        read = reads.get(entra_id)
        if campaign:
            outcome, predicted, actual = _judge_campaign(body, read, status)
        else:
            hand = handoffs.UserHandoff(user_id in handed_over, assumed.get(user_id, set()), read)
            outcome, predicted, actual = _judge(body, read, status, user_id in handed, entra_id, hand)
        setattr(out, outcome, getattr(out, outcome) + 1)
        if outcome == "differs":
            out.differences.append((body[1], body[2], body[4], str(predicted), str(actual)))
        if status == "done":
            user_ok[user_id] = user_ok.get(user_id, True) and outcome in handoffs.MIGRATED
            if outcome not in handoffs.MIGRATED and not campaign:
                pending.setdefault(user_id, []).append(f"{body[4]} {outcome.replace('_', ' ')}")
        row_no, username, item, ref_, action, _value, writable = body
        stored.append((row_no, username, item, ref_, action, writable, predicted, actual, outcome))
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    marks = [
        {"username": name, "at": stamp, "selection": batch.selection_signature, "batch_name": batch.name}
        for uid, name, _e, status in users
        if status == "done" and user_ok.get(int(uid), True) and not campaign
    ]
    names = ("row_no", "username", "item", "ref", "action", "writable", "predicted", "actual", "outcome")
    con.execute("BEGIN TRANSACTION")
    try:
        if stored:
            con.execute(sql("execute/verify.insert"), {**params, "at": at, **columns(names, stored)})
        if marks:
            con.executemany(sql("execute/verify.mark_migrated"), marks)
        con.execute(sql("execute/verify.set_agreement"), {**params, "agreement": out.agreement})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    out.marked = len(marks)
    # the workspace follows the tenant: what was just read is these users' latest state
    latest.record(con, {e: reads.get(e) for _u, e in done_users}, "verify")
    out.users = len(done_users)
    names_of = {int(uid): str(name) for uid, name, _e, _s in users}
    out.pending = [(names_of[uid], ", ".join(what)) for uid, what in sorted(pending.items())]
    out.handoffs = handoffs.of_batch(con, batch)
    detail = json.dumps(
        {
            "agrees": out.agrees,
            "differs": out.differs,
            "handed_off": out.handed_off,
            "not_migrated": out.not_migrated,
            "registered": out.registered,
            "skipped": out.skipped,
            "marked": out.marked,
            "users": out.users,
        }
    )
    if batch.state in ("completed", "verified") and out.differs == 0:
        out.batch = batches_mod.transition(con, batch, "verified", actor, "verified", detail)
    else:
        batches_mod.record_event(con, batch.batch_id, actor, "verification", batch.state, batch.state, detail)
        out.batch = batches_mod.get_batch(con, batch.batch_id)
    return out


def figures(con: duckdb.DuckDBPyConnection, batch_id: int, campaign: bool = False) -> str | None:
    """The latest verification's two figures in words (``batch show``, the dashboard), or None before one;
    a re-registration campaign migrates nobody, so it has agreement only."""
    row = con.execute(sql("execute/show.verify_figures"), {"batch_id": batch_id}).fetchone()
    if row is None or row[0] is None:
        return None
    agreement, marked, users = row
    text = f"{100 * float(agreement):.1f}% agreement of what Graph was asked to write"
    if marked is None or campaign:
        return text
    of = f" of {users}" if users is not None else ""
    return f"{text}; users fully migrated: {marked}{of}"
