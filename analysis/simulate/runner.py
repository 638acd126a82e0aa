"""The simulator: the Migration Utility's sync rules (docs/simulate.md) over the workspace, as one plan table.

The rules live in SQL, one file per stage under ``queries/simulate/`` (keys, match, scope, change, entra,
phones, devices, oath, default, plan); this module only runs them in order with the settings passed
as parameters (a one-row temp table ``sim_settings``), so a million users cost a handful of set-based
queries and no per-user Python. Stages hand over through ``sim_*`` temp tables on the connection,
dropped at the end. For the run DuckDB's memory is bounded (``runner.sql`` bounded): past the bound
the temp tables spill to disk instead of growing the process to most of the machine's RAM.

The plan table (default ``plan``) has exactly the columns of :data:`PLAN_COLUMNS`: one ``user`` row per
MFA Server user, and for users whose action is ``migrate`` one row per phone, backup phone, device,
OATH token and default method outcome. The table is a set (no stored order: sorting millions of rows
would cost every reader); :func:`export` writes it in plan order. ``ref``, ``value``, ``upn`` and
``entra_id`` are NULL when they do not apply (the CSV shows NULL as empty). ``writable`` and the base
reason per action come from the plan's vocabulary, :mod:`analysis.simulate.actions`.

:func:`simulate` returns a :class:`~analysis.simulate.plan.Plan` and stamps it in ``plan_meta``, so
readers can tell whether the table is still current.

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
from analysis.simulate import actions
from analysis.simulate.plan import Plan, beside, check_table, current, stamp, unstamp
from analysis.simulate.settings import Settings
from analysis.sources.groupnames import require_group
from analysis.sqlfiles import sql

#: The plan's columns, in order.
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
#: The columns of the exported plan file, in order (queries/simulate/runner.sql export_plan).
EXPORT_COLUMNS: tuple[str, ...] = ("username", "upn", "item", "ref", "action", "value", "reason")
#: The columns of ``plan_diff`` (what-if) as exported (export_diff).
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
#: Stages in run order, one file each (``plan`` is the last one and takes the table name).
STAGES: tuple[str, ...] = (
    "simulate/keys",
    "simulate/match",
    "simulate/scope",
    "simulate/change",
    "simulate/entra",
    "simulate/phones",
    "simulate/devices",
    "simulate/oath",
    "simulate/default",
)


def simulate(con: duckdb.DuckDBPyConnection, settings: Settings, table: str = "plan") -> Plan:
    """Plan every MFA Server user in the workspace under ``settings`` into ``table`` (created/replaced)."""
    _run(con, settings, table, None)
    return stamp(con, table, settings)


def ensure_plan(con: duckdb.DuckDBPyConnection, settings: Settings, table: str = "plan") -> Plan:
    """The current plan for ``settings`` in ``table``: reused when it is current, else simulated."""
    return current(con, settings, table) or simulate(con, settings, table)


def simulate_users(
    con: duckdb.DuckDBPyConnection, settings: Settings, usernames: Iterable[str], table: str = "plan_replan"
) -> None:
    """Plan only the MFA Server users with these usernames (exactly as stored) into ``table``.

    Matching still considers every MFA user that could claim the same Entra user, so the "two MFA users
    on one Entra user" rule gives the same answer as a full run; the cost is a few index-free scans of
    the key columns, not a full simulation. Used by the executor to re-plan a drifted user. The table
    holds only those users, so it is never stamped as a plan.
    """
    _run(con, settings, table, list(usernames))


def settings_table(con: duckdb.DuckDBPyConnection, settings: Settings, *, restricted: bool = False) -> None:
    """The one-row temp table ``sim_settings`` that the stages and the readiness checks join."""
    require_group(con, settings.group, f"settings key 'scope.group' in {settings.source}")
    con.execute(sql("simulate/settings"), _settings_params(settings) | {"restricted": restricted})


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
    plan_sql = sql("simulate/plan", plan=check_table(table))
    _check_workspace(con)
    unstamp(con, table)
    con.execute(sql("simulate/runner.bounded"))
    try:
        con.execute(sql("simulate/macros"))
        settings_table(con, settings, restricted=usernames is not None)
        con.execute(sql("simulate/runner.subjects"), {"usernames": usernames or []})
        con.execute(sql("simulate/actions"), actions.sql_params())
        for stage in STAGES:
            con.execute(sql(stage))
            if stage == "simulate/keys" and usernames is not None:
                con.execute(sql("simulate/subjects"))
        con.execute(plan_sql)
    finally:
        con.execute(sql("simulate/runner.cleanup"))
        con.execute(sql("simulate/runner.unbounded"))


def _check_workspace(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a workspace whose phones were never parsed, instead of planning every phone as invalid."""
    try:
        missing = con.execute(sql("simulate/runner.check_phones")).fetchone()
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
_ORDER = {"items": list(actions.ITEMS)}


def summary(con: duckdb.DuckDBPyConnection, plan: Plan) -> dict[str, Any]:
    """Counts for a one-screen summary.

    ``{"users": {action: n}, "outcomes": {item: {action: n}}, "writable": {writable: n}}``; ``users``
    counts the ``user`` rows, ``outcomes`` every other row.
    """
    users: dict[str, int] = {}
    outcomes: dict[str, dict[str, int]] = {}
    writable: dict[str, int] = {}
    rows = con.execute(sql("simulate/runner.summary", plan=plan.table), _ORDER).fetchall()
    for item, action, wr, n in rows:
        if item == "user":
            users[action] = int(n)
        else:
            outcomes.setdefault(item, {})[action] = outcomes.get(item, {}).get(action, 0) + int(n)
            writable[wr] = writable.get(wr, 0) + int(n)
    return {"users": users, "outcomes": outcomes, "writable": writable}


def diff_table(after: str) -> str:
    """Where :func:`compare` puts a comparison with the plan table ``after``: beside it (in memory or not)."""
    return beside(after, "plan_diff")


def compare(con: duckdb.DuckDBPyConnection, before: Plan, after: Plan) -> dict[str, Any]:
    """Compare two plans of the same workspace (what-if).

    Writes :func:`diff_table` (``plan_diff``, or ``whatif_mem.plan_diff`` beside a plan in memory): one
    row per user, item and ref whose action or value differs, with ``before_*`` from ``before`` and
    ``after_*`` from ``after`` (a side without that outcome is NULL), and returns ``{"counts": [(item,
    action, n_before, n_after, delta), ...], "changed_users": n, "changed_outcomes": n, "diff": table}``.
    """
    diff = diff_table(after.table)
    tables = {"plan_a": before.table, "plan_b": after.table}
    con.execute(sql("simulate/runner.compare", diff=diff, **tables))
    counts = [
        (i, a, int(x), int(y), int(y) - int(x))
        for i, a, x, y in con.execute(sql("simulate/runner.compare_counts", **tables), _ORDER).fetchall()
    ]
    row = con.execute(sql("simulate/runner.diff_counts", diff=diff)).fetchone()
    changed_users, changed = (int(row[0]), int(row[1])) if row else (0, 0)
    return {"counts": counts, "changed_users": changed_users, "changed_outcomes": changed, "diff": diff}


def diff_head(con: duckdb.DuckDBPyConnection, limit: int, diff: str = "plan_diff") -> list[tuple[Any, ...]]:
    """The first ``limit`` rows of the last :func:`compare` (into ``diff``), in plan order."""
    return con.execute(sql("simulate/runner.diff_head", diff=diff), _ORDER | {"limit": limit}).fetchall()


def export(con: duckdb.DuckDBPyConnection, plan: Plan, path: str, reveal_phones: bool = False) -> int:
    """Write a current plan to ``path`` in plan order (:data:`EXPORT_COLUMNS`); returns the rows written.

    CSV (UTF-8, header, through the product's one CSV writer), Parquet or JSON (one array) by the path's
    extension. Phone numbers (the values of phone and backup-phone rows) are masked unless
    ``reveal_phones``. A stale plan is refused.
    """
    plan.require_current(con)
    return _export(
        con, sql("simulate/runner.export_plan", plan=plan.table), EXPORT_COLUMNS, path, reveal_phones
    )


def export_diff(
    con: duckdb.DuckDBPyConnection, path: str, reveal_phones: bool = False, diff: str = "plan_diff"
) -> int:
    """Write the last :func:`compare` (into ``diff``, :data:`DIFF_COLUMNS`) like :func:`export`."""
    return _export(con, sql("simulate/runner.export_diff", diff=diff), DIFF_COLUMNS, path, reveal_phones)


def _export(
    con: duckdb.DuckDBPyConnection, query: str, columns: tuple[str, ...], path: str, reveal_phones: bool
) -> int:
    from analysis.output import masking, tables

    def shown(batch: Any) -> Any:
        return (batch if reveal_phones else masking.mask_plan_batch(batch)).select(list(columns))

    return tables.write(con, query, path, params=_ORDER, transform=shown)
