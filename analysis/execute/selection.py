"""Creating a batch: choose users (a users file, an Entra group, or a predicate on the plan) and freeze
their plan rows under a hash, as a draft for a change board to approve (:mod:`analysis.execute.batches`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from analysis.errors import UserError
from analysis.execute.actors import Actor
from analysis.execute.batches import Batch, ensure_schema, get_batch, hash_rows, now, record_event
from analysis.execute.options import ExecOptions, approval_fingerprint, tap_start_time
from analysis.readiness import afterdate
from analysis.readiness.retirement import Retirement
from analysis.simulate.plan import Plan
from analysis.sqlfiles import sql


@dataclass
class Selection:
    """How the users were chosen: exactly one of ``users_file``, ``group``, ``where``, ``tier``,
    ``user_ids``.

    ``tier`` (``P1``, ``P2``, ``P3``) and the ``tier`` column a ``where`` predicate may use are the users'
    priority tiers after the phone retirement date over the batch's plan (:mod:`analysis.readiness.
    afterdate`), judged with ``retirement`` (the settings file's ``[retirement]``; None: its defaults).
    """

    users_file: Path | None = None
    group: str | None = None
    where: str | None = None
    user_ids: list[int] | None = None  # programmatic (sync): MFA Server user ids
    tier: str | None = None
    retirement: Retirement | None = None

    def describe(self) -> str:
        if self.users_file is not None:
            return f"users:{self.users_file}"
        if self.group is not None:
            return f"group:{self.group}"
        if self.where is not None:
            return f"where:{self.where}"
        if self.tier is not None:
            return f"tier:{self.tier}"
        return f"user_ids:{len(self.user_ids or [])}"


@dataclass
class Created:
    batch: Batch
    users: int
    rows: int
    excluded: list[tuple[str, int]]  # (user action, count) of selected users with nothing to migrate
    overlapping: int  # users already in another open batch


def _read_users_file(path: Path) -> list[tuple[int, str]]:
    """(line, name) pairs: one username or UPN per line, or a CSV with a ``username`` (or ``upn``) column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"users file {path} does not exist; give a file with one username per line") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read users file {path}: {exc}. Give a UTF-8 text file.") from None
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    header = [h.strip().lower() for h in next(csv.reader([first]))] if first else []
    column = next((c for c in ("username", "upn", "userprincipalname") if c in header), None)
    if column is not None:
        reader = csv.DictReader(lines)
        index = header.index(column)
        for number, record in enumerate(reader, start=2):
            values = list(record.values())
            name = (values[index] or "").strip() if index < len(values) and values[index] else ""
            if name:
                out.append((number, name))
    else:
        for number, line in enumerate(lines, start=1):
            name = line.strip()
            if name and not name.startswith("#"):
                out.append((number, name))
    if not out:
        raise UserError(f"users file {path} names no users; put one username or UPN per line")
    return out


def _selected_user_ids(con: duckdb.DuckDBPyConnection, plan: str, selection: Selection) -> list[int]:
    """The MFA Server user ids the selection names (validated; errors name the file line or group)."""
    if selection.users_file is not None:
        wanted = _read_users_file(selection.users_file)
        con.execute(
            sql("execute/selection.wanted_users"),
            {"lines": [n for n, _ in wanted], "names": [text for _, text in wanted]},
        )
        missing = con.execute(sql("execute/selection.users_missing", plan=plan)).fetchall()
        if missing:
            shown = "; ".join(f"line {line}: {name!r}" for line, name in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise UserError(
                f"users file {selection.users_file}: {len(missing)} name(s) match no MFA Server user "
                f"(by username or UPN) in this workspace: {shown}{more}. Fix or remove those lines."
            )
        return [r[0] for r in con.execute(sql("execute/selection.users_file", plan=plan)).fetchall()]
    if selection.group is not None:
        found = con.execute(sql("execute/selection.group_lookup"), {"group": selection.group}).fetchall()
        if not found:
            raise UserError(
                f"there is no Entra group {selection.group!r} (by id or display name) in the workspace's "
                "tenant snapshot; check the name, or reload a newer snapshot"
            )
        query = sql("execute/selection.group_users", plan=plan)
        return [r[0] for r in con.execute(query, {"group": selection.group}).fetchall()]
    if selection.where is not None:
        return _select_where(con, plan, selection.where, selection.retirement)
    if selection.tier is not None:
        if selection.tier not in afterdate.TIERS:
            raise UserError(
                f"--tier {selection.tier!r} is not a tier; give one of {', '.join(afterdate.TIERS)}"
            )
        _bind_tiers(con, selection.retirement)
        query = sql("execute/selection.tier_users")
        return [r[0] for r in con.execute(query, {"plan_table": plan, "tier": selection.tier}).fetchall()]
    return list(selection.user_ids or [])


def _bind_tiers(con: duckdb.DuckDBPyConnection, retirement: Retirement | None) -> None:
    """Make the users' tiers readable on ``con`` under the ``[retirement]`` settings."""
    afterdate.ensure_view(con)
    afterdate.bind(con, retirement or Retirement())


def _select_where(
    con: duckdb.DuckDBPyConnection, plan: str, predicate: str, retirement: Retirement | None = None
) -> list[int]:
    """Users with any plan row matching an operator-written SQL predicate.

    The predicate is the one piece of SQL an operator writes, so it runs in a separate in-memory
    database that holds nothing but a copy of the plan rows (with each user's priority tier): it cannot
    read or change the workspace. It must be a single expression (no statement separators).
    """
    text = predicate.strip()
    if not text:
        raise UserError("--where is empty; give a predicate on the plan, e.g. \"item = 'oath_token'\"")
    _bind_tiers(con, retirement)
    query = sql("execute/selection.plan_for_where", plan=plan)
    rows = con.sql(query, params={"plan_table": plan}).to_arrow_table()
    sandbox = duckdb.connect(":memory:", config={"enable_external_access": False})
    try:
        sandbox.register("plan_rows", rows)
        sandbox.execute("CREATE TABLE plan AS SELECT * FROM plan_rows")
        sandbox.unregister("plan_rows")
        query = f"SELECT DISTINCT user_id FROM plan WHERE ({text})"  # the documented operator predicate
        statements = duckdb.extract_statements(query)
        if len(statements) != 1:
            raise UserError(
                f"--where must be one SQL expression on the plan's columns, not several statements: {text!r}"
            )
        return [int(r[0]) for r in sandbox.execute(query).fetchall()]
    except duckdb.Error as exc:
        raise UserError(
            f"--where {text!r} is not a valid predicate on the plan ({str(exc).splitlines()[0]}). Columns: "
            "username, upn, item, ref, action, value, reason, writable, entra_id, tier."
        ) from None
    finally:
        sandbox.close()


def create_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    plan: Plan,
    selection: Selection,
    options: ExecOptions,
    actor: Actor | str,
    exclude: frozenset[int] = frozenset(),
    why_excluded: str = "",
) -> Created:
    """Freeze the plan rows of the selected users into a new draft batch.

    ``actor`` is the creator as proven (a plain string is a ``--as`` label of this process's OS user);
    the four-eyes rule later compares the approver with it (:mod:`analysis.execute.policy`).

    ``plan`` must be current (simulated on this workspace as it is); its settings are the batch's. Only
    users whose ``user`` row says ``migrate`` are taken; the others are counted in
    :attr:`Created.excluded`, as are selected users in ``exclude`` (``why_excluded`` names them, e.g.
    users with blocker findings for ``--only-ready``).
    """
    who = actor if isinstance(actor, Actor) else Actor.current(actor)
    plan.require_current(con)
    settings, table = plan.settings, plan.table
    ensure_schema(con)
    name = name.strip()
    if not name:
        raise UserError("a batch needs a name (--name), e.g. --name wave-1")
    if con.execute(sql("execute/batches.by_name"), {"name": name}).fetchone():
        raise UserError(f"a batch named {name!r} already exists; choose another --name")
    if options.campaign:
        _check_tap_policy(con, options)
    ids = _selected_user_ids(con, table, selection)
    if not ids:
        raise UserError(f"the selection ({selection.describe()}) contains no MFA Server users")
    kept = [i for i in ids if i not in exclude]
    left_out = len(ids) - len(kept)
    if not kept:
        raise UserError(
            f"every one of the {len(ids)} selected user(s) is {why_excluded}; nothing to put in a batch"
        )
    ids = kept
    con.execute(sql("execute/selection.selected_ids"), {"ids": ids})
    excluded = [
        (str(a), int(n))
        for a, n in con.execute(
            sql("execute/selection.excluded", plan=table), {"campaign": options.campaign}
        ).fetchall()
    ]
    if left_out:
        excluded.append((why_excluded, left_out))
    fingerprint = approval_fingerprint(settings, options)
    row = con.execute(sql("execute/selection.load_latest")).fetchone()
    load_id = row[0] if row else None
    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = _count(con, "execute/selection.next_id", {})
        con.execute(
            sql("execute/selection.freeze_users", plan=table),
            {"batch_id": batch_id, "campaign": options.campaign},
        )
        users = _count(con, "execute/selection.user_count", {"batch_id": batch_id})
        if users == 0:
            raise UserError(
                f"none of the {len(ids)} selected user(s) has anything to migrate ("
                + ", ".join(f"{a}: {n}" for a, n in excluded)
                + "); nothing to put in a batch"
            )
        con.execute(sql("execute/selection.freeze_rows", plan=table), {"batch_id": batch_id})
        rows = _count(con, "execute/selection.row_count", {"batch_id": batch_id})
        plan_hash = hash_rows(con, "batch", batch_id, fingerprint)
        con.execute(
            sql("execute/selection.insert"),
            {
                "batch_id": batch_id,
                "name": name,
                "selection": selection.describe(),
                "settings_toml": settings.to_toml(),
                "fingerprint": fingerprint,
                "selection_signature": settings.signature(),
                "options_json": options.to_json(),
                "plan_hash": plan_hash,
                "load_id": load_id,
                "actor": who.text,
                "at": now(),
            },
        )
        record_event(
            con,
            batch_id,
            who.text,
            "created",
            None,
            "draft",
            f"{users} users, {rows} rows, hash {plan_hash[:12]}",
            who,
        )
        overlapping = _count(con, "execute/selection.overlap", {"batch_id": batch_id})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return Created(get_batch(con, batch_id), users, rows, excluded, overlapping)


def _check_tap_policy(con: duckdb.DuckDBPyConnection, options: ExecOptions) -> None:
    """A campaign issues Temporary Access Passes: refuse one the snapshot's TAP policy would refuse
    (Graph answers 400 to every user otherwise). A snapshot without the policy cannot tell: allowed."""
    lifetime = options.tap_lifetime_minutes
    start = tap_start_time(options.tap_start) if options.tap_start else None
    if start is not None and start + timedelta(minutes=lifetime) <= datetime.now(UTC):
        raise UserError(
            f"settings key 'execute.tap_start' ({options.tap_start}) plus tap_lifetime_minutes is in the "
            "past: the passes would never be usable; choose a later start"
        )
    row = con.execute(sql("execute/selection.tap_policy")).fetchone()
    if row is None or not row[0]:
        return
    _read, state, low, high, once = row
    if state != "enabled":
        raise UserError(
            "the tenant's authentication methods policy (tenant snapshot) does not enable Temporary Access "
            "Pass, so a re-registration campaign cannot issue passes; enable it in Entra (Authentication "
            "methods > Temporary Access Pass), take a new snapshot, and create the batch again"
        )
    if (low is not None and lifetime < low) or (high is not None and lifetime > high):
        raise UserError(
            f"settings key 'execute.tap_lifetime_minutes' is {lifetime}, outside the tenant's Temporary "
            f"Access Pass policy ({low or 10} to {high or 43200} minutes); choose a lifetime within it"
        )
    if once and not options.tap_usable_once:
        raise UserError(
            "the tenant's Temporary Access Pass policy allows one-time passes only; set "
            "'execute.tap_usable_once = true' in the settings file"
        )


def _count(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, object]) -> int:
    row = con.execute(sql(query), params).fetchone()
    assert row is not None
    return int(row[0])
