"""The simulator: the Migration Utility's sync rules (DESIGN §4) over the workspace, as one plan table.

The rules live in SQL, one file per stage under ``queries/simulate/`` (keys, match, scope, change, entra,
phones, devices, oath, default, plan); this module only runs them in order with the settings passed
as parameters (a one-row temp table ``sim_settings``), so a million users cost a handful of set-based
queries and no per-user Python. Stages hand over through ``sim_*`` temp tables on the connection,
dropped at the end.

The plan table (default ``plan``) has exactly the columns of :data:`PLAN_COLUMNS`: one ``user`` row per
MFA Server user, and for users whose action is ``migrate`` one row per phone, backup phone, device,
OATH token and default method outcome. The table is a set (no stored order: sorting millions of rows
would cost every reader); :func:`export` writes it in plan order. ``ref``, ``value``, ``upn`` and
``entra_id`` are NULL when they do not apply (the CSV shows NULL as empty). ``writable`` ('graph' |
'utility' | 'none') and the base reason per action are defined in one place,
``queries/simulate/actions.sql``.

Users read from the console's Export Users CSV (``mfa_users.details_known = false``) have no devices
or OATH secrets in the data: their ``device`` outcome is one row with an empty ref and action
``unknown``, their token ``unknown`` (unless it is known to be HOTP), and their default method
``unknown`` when the choice depends on those items. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from analysis.errors import UserError
from analysis.simulate.settings import Settings
from analysis.sqlfiles import sql

#: The plan's columns, in order (DESIGN §4.8 plus the ids and ``writable`` the executor needs).
PLAN_COLUMNS: tuple[str, ...] = (
    "user_id",
    "entra_id",
    "username",
    "upn",
    "item",
    "ref",
    "action",
    "value",
    "reason",
    "writable",
)
#: The columns of the exported plan file (DESIGN §4.8), in order.
EXPORT_COLUMNS: tuple[str, ...] = ("username", "upn", "item", "ref", "action", "value", "reason")
#: The columns of ``plan_diff`` (what-if) as exported.
DIFF_COLUMNS: tuple[str, ...] = (
    "username",
    "upn",
    "item",
    "ref",
    "before_action",
    "before_value",
    "after_action",
    "after_value",
    "before_reason",
    "after_reason",
)
#: Tables a plan may be written to. Table names cannot be SQL parameters, so they are chosen from
#: this fixed list and substituted for the ``__plan__`` token; nothing else is ever spliced into SQL.
PLAN_TABLES: frozenset[str] = frozenset({"plan", "plan_a", "plan_b", "plan_batch", "plan_replan"})
#: Items in plan order.
ITEMS: tuple[str, ...] = ("user", "phone", "backup_phone", "device", "oath_token", "default_method")
#: Stages in run order (``queries/simulate/<stage>.sql``).
STAGES: tuple[str, ...] = (
    "keys",
    "match",
    "scope",
    "change",
    "entra",
    "phones",
    "devices",
    "oath",
    "default",
    "plan",
)
_TEMP_TABLES: tuple[str, ...] = (
    "sim_settings",
    "sim_subject",
    "sim_actions",
    "sim_entra_keys",
    "sim_mfa",
    "sim_match",
    "sim_scope_groups",
    "sim_scope_members",
    "sim_users",
    "sim_entra",
    "sim_phones",
    "sim_device_rows",
    "sim_oath",
    "sim_default",
)
_TEMP_VIEWS: tuple[str, ...] = ("sim_mfa_all",)


def simulate(con: duckdb.DuckDBPyConnection, settings: Settings, table: str = "plan") -> None:
    """Plan every MFA Server user in the workspace under ``settings`` into ``table`` (created/replaced)."""
    _run(con, settings, table, None)


def simulate_users(
    con: duckdb.DuckDBPyConnection, settings: Settings, usernames: Iterable[str], table: str = "plan_replan"
) -> None:
    """Plan only the MFA Server users with these usernames (exactly as stored) into ``table``.

    Matching still considers every MFA user that could claim the same Entra user, so the "two MFA users
    on one Entra user" rule gives the same answer as a full run; the cost is a few index-free scans of
    the key columns, not a full simulation. Used by the executor to re-plan a drifted user.
    """
    _run(con, settings, table, list(usernames))


def _check_table(table: str) -> str:
    if table not in PLAN_TABLES:
        raise ValueError(f"plan table must be one of {sorted(PLAN_TABLES)}, not {table!r}")
    return table


def _settings_params(settings: Settings) -> dict[str, Any]:
    order = settings.match_order

    def pos(step: str) -> int | None:
        return order.index(step) + 1 if step in order else None

    steps_text = ", ".join(
        f"attribute ({settings.attribute_mfa} = {settings.attribute_entra})" if s == "attribute" else s
        for s in order
    )
    return {
        "sel_phone": "phone" in settings.methods,
        "sel_backup_phone": "backup_phone" in settings.methods,
        "sel_mobile_app": "mobile_app" in settings.methods,
        "sel_oath_token": "oath_token" in settings.methods,
        "default_mode": settings.default_method,
        "upn_pos": pos("upn"),
        "sid_pos": pos("sid"),
        "attr_pos": pos("attribute"),
        "step1": order[0] if len(order) > 0 else None,
        "step2": order[1] if len(order) > 1 else None,
        "step3": order[2] if len(order) > 2 else None,
        "attr_mfa": settings.attribute_mfa,
        "attr_entra": settings.attribute_entra,
        "steps_text": steps_text,
        "scope_group": settings.group,
        "only_changed": settings.only_changed,
        "skip_disabled": settings.skip_disabled,
        "device_limit": settings.device_limit,
        "signature": settings.signature(),
    }


def _run(con: duckdb.DuckDBPyConnection, settings: Settings, table: str, usernames: list[str] | None) -> None:
    plan_sql = sql("simulate/plan").replace("__plan__", _check_table(table))
    _check_workspace(con)
    params = _settings_params(settings) | {"restricted": usernames is not None}
    try:
        con.execute(sql("simulate/macros"))
        con.execute(sql("simulate/settings"), params)
        con.execute("CREATE OR REPLACE TEMP TABLE sim_subject (user_id BIGINT)")
        if usernames is not None:
            con.execute(
                "INSERT INTO sim_subject SELECT user_id FROM mfa_users"
                " WHERE username IN (SELECT unnest(?::VARCHAR[]))",
                [usernames],
            )
        con.execute(sql("simulate/actions"))
        for stage in STAGES[:-1]:
            con.execute(sql(f"simulate/{stage}"))
            if stage == "keys" and usernames is not None:
                con.execute(sql("simulate/subjects"))
        con.execute(plan_sql)
    finally:
        for name in _TEMP_VIEWS:
            con.execute(f"DROP VIEW IF EXISTS temp.main.{name}")
        for name in _TEMP_TABLES:
            con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")


def _check_workspace(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a workspace whose phones were never parsed, instead of planning every phone as invalid."""
    try:
        missing = con.execute(sql("simulate/check_phones")).fetchone()
    except duckdb.CatalogException as exc:
        raise UserError(
            f"this workspace lacks the tables the simulator reads ({exc}); load it first with "
            "`mfa-migrate load --datafile ... --tenant ... --workspace ...`"
        ) from None
    if missing and missing[0]:
        raise UserError(
            f"the workspace has {missing[0]} MFA Server users with phone numbers but no parsed phones "
            "(table mfa_phones is empty); reload the workspace with `mfa-migrate load` so numbers are parsed"
        )


# ---------------------------------------------------------------------- reading plans


def summary(con: duckdb.DuckDBPyConnection, table: str = "plan") -> dict[str, Any]:
    """Counts for a one-screen summary.

    ``{"users": {action: n}, "outcomes": {item: {action: n}}, "writable": {writable: n}}``; ``users``
    counts the ``user`` rows, ``outcomes`` every other row.
    """
    text = sql("simulate/summary").replace("__plan__", _check_table(table))
    users: dict[str, int] = {}
    outcomes: dict[str, dict[str, int]] = {}
    writable: dict[str, int] = {}
    for item, action, wr, n in con.execute(text).fetchall():
        if item == "user":
            users[action] = int(n)
        else:
            outcomes.setdefault(item, {})[action] = outcomes.get(item, {}).get(action, 0) + int(n)
            writable[wr] = writable.get(wr, 0) + int(n)
    return {"users": users, "outcomes": outcomes, "writable": writable}


def compare(
    con: duckdb.DuckDBPyConnection, table_a: str, table_b: str, diff_table: str = "plan_diff"
) -> dict[str, Any]:
    """Compare two plans of the same workspace (what-if).

    Writes ``diff_table`` (``plan_diff``; one row per user, item and ref whose action or value differs,
    with ``before_*`` from ``table_a`` and ``after_*`` from ``table_b``; a side without that outcome
    is NULL) and returns ``{"counts": [(item, action, n_a, n_b, delta), ...], "changed_users": n,
    "changed_outcomes": n}``.
    """
    if diff_table not in {"plan_diff"}:
        raise ValueError("diff table must be 'plan_diff'")
    text = (
        sql("simulate/compare")
        .replace("__plan_a__", _check_table(table_a))
        .replace("__plan_b__", _check_table(table_b))
    )
    con.execute(text)
    counts_sql = (
        sql("simulate/compare_counts")
        .replace("__plan_a__", _check_table(table_a))
        .replace("__plan_b__", _check_table(table_b))
    )
    counts = [(i, a, int(x), int(y), int(y) - int(x)) for i, a, x, y in con.execute(counts_sql).fetchall()]
    row = con.execute("SELECT count(DISTINCT username), count(*) FROM plan_diff").fetchone()
    changed_users, changed = (int(row[0]), int(row[1])) if row else (0, 0)
    return {"counts": counts, "changed_users": changed_users, "changed_outcomes": changed}


def export(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: str,
    columns: tuple[str, ...] = EXPORT_COLUMNS,
    reveal_phones: bool = False,
) -> int:
    """Write a plan (or ``plan_diff``) to ``path`` as CSV (UTF-8, header), Parquet or JSON by extension.

    Phone numbers (the values of phone and backup-phone rows) are masked unless ``reveal_phones``; CSV
    goes through the product's one CSV writer (:mod:`analysis.output`). Returns the number of rows
    written. The table and columns come from the fixed lists in this module.
    """
    from analysis.output import masking, tables

    if table not in PLAN_TABLES | {"plan_diff"}:
        raise ValueError(f"cannot export table {table!r}")
    known = set(PLAN_COLUMNS) | set(DIFF_COLUMNS)
    if not columns or any(c not in known for c in columns):
        raise ValueError(f"unknown export columns {columns!r}")
    # `item` decides which values are numbers; it is read along and dropped again if not asked for
    read = columns if "item" in columns else ("item", *columns)
    text = sql("simulate/export").replace("__columns__", ", ".join(read)).replace("__table__", table)

    def shown(batch: Any) -> Any:
        return (batch if reveal_phones else masking.mask_plan_batch(batch)).select(list(columns))

    return tables.write(con, text, path, transform=shown)
