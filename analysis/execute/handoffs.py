"""Hand-offs told truthfully: what happens to the rows only Microsoft's Migration Utility (or the user)
can carry out (Authenticator devices, software OATH tokens, a default whose method they create).

The same sentence is said at create, approve, run and verify, and verification counts such a row as

* ``not_migrated`` — nobody handed it over: ``handoff = "none"``, or the hand-off did not happen
  (the group add or the pass was refused or never sent);
* ``handed_off`` — only once it happened: Graph confirmed the user's membership of the migration
  group (answered the add, or listed the user in it), or issued the Temporary Access Pass for
  re-registration;
* ``registered`` — a read shows the method in Entra (a method of that kind the plan did not know of).

Only users whose every row agrees or is registered count as fully migrated (docs/executing.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from analysis.execute.reads import ReadResult
from analysis.sqlfiles import sql

#: The live method kind that shows a utility row's method was registered, by plan action.
REGISTERS_AS = {"create_device": "authenticator", "create_software_oath": "software_oath"}
#: Row outcomes that leave a user migrated (anything else is pending).
MIGRATED = frozenset({"agrees", "registered", "not_applicable"})


@dataclass(frozen=True)
class Handoffs:
    """A batch's utility rows and what its options do with them."""

    handoff: str  # 'none' | 'group' | 'reregister'
    migration_group: str
    tap: bool
    rows: int  # rows only the utility (or the user) can carry out
    users: int  # users with at least one such row

    def sentence(self) -> str:
        if not self.rows:
            return "no device or software OATH row needs the Migration Utility"
        what = f"{self.rows:,} device/software OATH row(s) of {self.users:,} user(s)"
        if self.handoff == "group":
            return (
                f"{what} are handed to the Migration Utility by adding the users to "
                f"{self.migration_group!r} (handed off once Graph confirms the membership)"
            )
        if self.handoff == "reregister" and self.tap:
            return (
                f"{what}: the users re-register them with a Temporary Access Pass (handed off once the "
                "pass is issued)"
            )
        if self.handoff == "reregister":
            return (
                f"{what}: the users are to re-register them; no pass is issued, so they are not migrated "
                "until a read shows the methods in Entra"
            )
        return (
            f'{what} are NOT migrated: handoff = "none" hands nothing to the Migration Utility (set '
            '[execute] handoff = "group" or "reregister" to hand them over)'
        )


def of_batch(con: duckdb.DuckDBPyConnection, batch: Any) -> Handoffs:
    row = con.execute(sql("execute/handoffs.counts"), {"batch_id": batch.batch_id}).fetchone() or (0, 0)
    o = batch.options
    return Handoffs(o.handoff, o.migration_group, o.tap, int(row[0] or 0), int(row[1] or 0))


def evidence(con: duckdb.DuckDBPyConnection, batch: Any) -> set[int]:
    """Users whose hand-off happened (Graph confirmed the group membership, or issued the pass)."""
    step = {"group": "handoff_group", "reregister": "tap"}.get(batch.options.handoff)
    if step is None:
        return set()
    rows = con.execute(
        sql("execute/handoffs.evidence"), {"batch_id": batch.batch_id, "step": step}
    ).fetchall()
    return {int(r[0]) for r in rows}


def assumed_methods(con: duckdb.DuckDBPyConnection, batch: Any) -> dict[int, set[tuple[str, str]]]:
    """Per user, the (kind, id) of the slot methods the plan knew of (``batch_users.assumed``)."""
    out: dict[int, set[tuple[str, str]]] = {}
    for user_id, assumed in con.execute(
        sql("execute/handoffs.assumed"), {"batch_id": batch.batch_id}
    ).fetchall():
        methods = (json.loads(assumed or "{}") or {}).get("methods") or []
        out[int(user_id)] = {(str(m.get("kind")), str(m.get("id"))) for m in methods}
    return out


@dataclass(frozen=True)
class UserHandoff:
    """One user's hand-off as verification judges it: whether it happened, and what the read shows."""

    handed: bool  # Graph confirmed the hand-off (group membership, or the pass)
    assumed: set[tuple[str, str]]
    read: ReadResult | None

    def new_kinds(self) -> set[str]:
        """Kinds of slot methods the read shows that the plan did not know of (registered since)."""
        live = self.read.live if self.read is not None else None
        if live is None:
            return set()
        return {m["kind"] for m in live.methods if (m["kind"], m["id"]) not in self.assumed}

    def outcome(self, action: str | None) -> str:
        kind = REGISTERS_AS.get(action or "")
        if kind is not None and kind in self.new_kinds():
            return "registered"
        return "handed_off" if self.handed else "not_migrated"

    def seen(self, action: str | None) -> str | None:
        kind = REGISTERS_AS.get(action or "")
        if kind is not None and kind in self.new_kinds():
            return f"{kind} registered"
        return "hand-off confirmed" if self.handed else "not handed over"
