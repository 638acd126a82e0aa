"""The workspace policy: whether a batch needs a second person to approve it, and what counts as one.

Two settings, changed only with ``mfa-migrate policy set`` and recorded (append-only, with the proven
identity of whoever changed them, :mod:`analysis.execute.actors`):

* ``four_eyes`` = ``on`` (default) | ``off``: the approver of a batch must not be its creator.
* ``approval`` = ``os_user`` (default) | ``signed_in``: what makes an approver distinct. ``os_user``
  compares the OS accounts that created and approved the batch; ``signed_in`` compares Entra users and
  needs both the creator and the approver to have signed in (``--sign-in``, or the dashboard's OIDC).

The policy belongs to the workspace, not to a batch: a batch's settings file cannot switch the rule off
for itself. A name given with ``--as`` is a label and never makes an approver distinct.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from analysis.errors import UserError
from analysis.execute.actors import Actor
from analysis.execute.batches import Batch, ensure_schema, now
from analysis.sqlfiles import sql

#: key → (allowed values, default)
SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "four_eyes": (("on", "off"), "on"),
    "approval": (("os_user", "signed_in"), "os_user"),
}


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    set_by: str | None = None  # None: the default, never changed
    set_at: str | None = None
    note: str | None = None

    @property
    def describe(self) -> str:
        if self.set_by is None:
            return f"{self.value} (default)"
        return f"{self.value} (set by {self.set_by} at {self.set_at}" + (
            f": {self.note})" if self.note else ")"
        )


@dataclass(frozen=True)
class Policy:
    settings: dict[str, Setting]

    @property
    def four_eyes(self) -> bool:
        return self.settings["four_eyes"].value == "on"

    @property
    def approval(self) -> str:
        return self.settings["approval"].value

    @property
    def rule(self) -> str:
        """One line for `batch show`, approval messages and the dashboard."""
        if not self.four_eyes:
            setting = self.settings["four_eyes"].describe
            return f"OFF: the creator may approve their own batch (workspace policy four_eyes = {setting})"
        if self.approval == "signed_in":
            return "on: the approver must sign in as a different Entra user than the creator"
        return "on: the approver must be a different OS account than the creator"


def read_policy(con: duckdb.DuckDBPyConnection) -> Policy:
    """The policy in force: the latest recorded value per setting, else its default (reads only, so a
    read-only workspace that never had a policy set shows the defaults)."""
    exists = con.execute(sql("execute/policy.exists")).fetchone()
    rows = con.execute(sql("execute/policy.current")).fetchall() if exists and exists[0] else []
    found = {row[0]: row for row in rows}
    settings = {}
    for key, (_, default) in SETTINGS.items():
        if key in found:
            _, value, actor, at, note = found[key]
            settings[key] = Setting(key, value, actor, at, note)
        else:
            settings[key] = Setting(key, default)
    return Policy(settings)


def set_policy(
    con: duckdb.DuckDBPyConnection, key: str, value: str, actor: Actor, note: str | None = None
) -> Setting:
    """Record a change of one setting (refused with the allowed values when the key or value is unknown)."""
    ensure_schema(con)
    if key not in SETTINGS:
        raise UserError(f"there is no policy setting {key!r}; settings: {', '.join(SETTINGS)}")
    allowed, _ = SETTINGS[key]
    if value not in allowed:
        raise UserError(f"policy setting {key} cannot be {value!r}; allowed: {', '.join(allowed)}")
    con.execute(
        sql("execute/policy.insert"),
        {
            "at": now(),
            "key": key,
            "value": value,
            "actor": actor.text,
            "os_uid": actor.os.uid,
            "os_user": actor.os.name,
            "entra_upn": actor.entra.upn if actor.entra else None,
            "entra_oid": actor.entra.oid if actor.entra else None,
            "note": note,
        },
    )
    return read_policy(con).settings[key]


def history(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    ensure_schema(con)
    return con.execute(sql("execute/policy.history")).fetchall()


def approval_refusal(
    con: duckdb.DuckDBPyConnection, batch: Batch, actor: Actor, policy: Policy
) -> str | None:
    """Why ``actor`` may not approve ``batch`` under ``policy`` (None: they may).

    The creator is who the batch's ``created`` event recorded as proven; an identity that was not
    recorded (a batch older than these records, a creator who did not sign in) never counts as distinct.
    """
    if not policy.four_eyes:
        return None
    row = con.execute(sql("execute/policy.creator"), {"batch_id": batch.batch_id}).fetchone()
    os_uid, os_name, upn, oid = row if row else (None, None, None, None)
    show = "`mfa-migrate policy show` shows the workspace policy"
    if policy.approval == "signed_in":
        if actor.entra is None:
            return (
                f"the workspace policy (approval = signed_in) needs the approver of {batch.label} to sign "
                f"in: `mfa-migrate batch approve {batch.batch_id} --sign-in --authority ... --client-id ...`"
            )
        if not oid:
            return (
                f"{batch.label} was created without a sign-in, and the workspace policy (approval = "
                "signed_in) compares Entra users: create it again with `batch create --sign-in ...`"
            )
        if actor.entra.oid.casefold() == str(oid).casefold():
            return (
                f"{batch.label} was created by {upn}, and you signed in as the same Entra user; the "
                f"four-eyes rule needs another administrator to sign in and approve it ({show})"
            )
        return None
    if os_uid is None and not os_name:
        return (
            f"{batch.label} was created before mfa-migrate recorded the creator's OS account, so no approver "
            "can be shown to be someone else: create the batch again"
        )
    if actor.os.same_as(os_uid, os_name):
        return (
            f"{batch.label} was created by OS user {os_name}, and you are OS user {actor.os.name}; the "
            "four-eyes rule (approval = os_user) needs another administrator to approve it from their own "
            f"OS account. A --as name is only a label and does not count ({show})"
        )
    return None
