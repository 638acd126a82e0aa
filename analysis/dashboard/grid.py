"""The Users grid: every MFA Server user, filtered, sorted and paged in DuckDB (so 1,000,000 users work).

Once per stored readiness report the dashboard builds one narrow table, ``dashboard_grid`` (one row per
MFA Server user: outcome, readiness status, finding counts and checks, MFA Server state, Entra now,
what the plan does; ``queries/dashboard/grid_build.sql``) and records its key in ``dashboard_cache``
(kind ``grid``). A page, a filter or a sort is then one query over that table (plus one count); an
export streams the same query through the product's writers with phone numbers masked unless revealed.
A workspace opened read-only gets the table in an in-memory database attached to the connection.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.dashboard import outcomes
from analysis.dashboard.session import Workspace, cursor, handle
from analysis.sqlfiles import sql

_lock = threading.Lock()
STORED = "dashboard_grid"
MEMORY = "dashboard_mem.grid"  # read-only workspaces
#: Sortable columns: key -> (label, column). Every column the grid shows can be sorted by; text sorts
#: ignore case (see TEXT_SORTS).
SORTS: dict[str, tuple[str, str]] = {
    "username": ("MFA Server username", "username"),
    "name": ("Name", "name"),
    "mfa_group": ("MFA Server group", "mfa_group"),
    "outcome": ("Outcome", "outcome_label"),
    "status": ("Readiness", "status"),
    "findings": ("Findings", "findings"),
    "blockers": ("Blocker findings", "blockers"),
    "warnings": ("Warning findings", "warnings"),
    "mfa_method": ("MFA Server default method", "mfa_method"),
    "mfa_phone": ("MFA Server phone", "mfa_phone"),
    "mfa_backup_phone": ("MFA Server backup phone", "mfa_backup_phone"),
    "mfa_devices": ("Devices on MFA Server", "mfa_devices"),
    "mfa_oath": ("OATH token on MFA Server", "mfa_oath"),
    "upn": ("Entra UPN", "upn"),
    "entra_default": ("Entra default method", "entra_default"),
    "entra_mobile": ("Entra mobile phone", "entra_mobile"),
    "entra_authenticators": ("Authenticator apps in Entra", "entra_authenticators"),
    "after_plan": ("After the plan", "after_plan"),
    "graph_writes": ("Graph writes", "graph_writes"),
    "plan_problems": ("Plan rows that fail", "plan_problems"),
}
TEXT_SORTS = frozenset(
    {"username", "name", "mfa_group", "outcome", "status", "mfa_method", "mfa_phone", "mfa_backup_phone",
     "mfa_oath", "upn", "entra_default", "entra_mobile", "after_plan"}
)  # fmt: skip
#: Columns that hold one phone number each, and those that may hold several ("a; b").
PHONE_COLUMNS = ("mfa_phone", "mfa_backup_phone")
PHONE_LIST_COLUMNS = ("entra_mobile", "entra_alternate", "entra_office")
#: What an export holds, in order (the grid's own columns; phone numbers masked unless revealed).
EXPORT_COLUMNS = (
    "user_id", "username", "name", "email", "sid", "mfa_group", "enabled", "outcome", "status",
    "blockers", "warnings", "infos", "finding_titles", "mfa_method", "mfa_phone", "mfa_backup_phone",
    "mfa_devices", "mfa_oath", "upn", "entra_id", "entra_default", "entra_system_preferred",
    "entra_mobile", "entra_alternate", "entra_office", "entra_authenticators", "entra_oath_tokens",
    "entra_methods_error", "after_plan", "graph_writes", "utility_rows", "plan_problems",
)  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """What the grid keeps; ``None`` (or ``""`` for text) means no filter."""

    outcomes: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    check_id: str | None = None
    severities: tuple[str, ...] | None = None
    mfa_groups: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    entra_group: str | None = None
    text: str = ""

    def params(self) -> dict[str, Any]:
        out = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}
        out["text"] = self.text.strip()
        return out

    @property
    def active(self) -> bool:
        return any(v for v in asdict(self).values())


@dataclass(frozen=True)
class Grid:
    """The grid table for one report, and how to reach it."""

    path: str
    table: str
    key: str


# ------------------------------------------------------------------------------------------ building
def ensure(ws: Workspace, plan: Any, report: Any, skip_disabled: bool) -> Grid:
    """The grid for this plan and report, built on first use (then reused by every session)."""
    with _lock:
        cur = cursor(ws.path)
        if handle(ws.path).read_only:
            return _in_memory(ws, cur, plan, report, skip_disabled)
        if _stored_key(cur) != report.key or not _exists(cur, STORED):
            _build(cur, STORED, plan.table, report, skip_disabled)
            cur.execute(
                sql("dashboard/cache_put"),
                {"kind": "grid", "key": report.key, "fingerprint": None, "doc": None},
            )
        return Grid(ws.path, STORED, report.key)


_memory_key: dict[str, str] = {}


def _in_memory(ws: Workspace, cur: duckdb.DuckDBPyConnection, plan: Any, report: Any, skip: bool) -> Grid:
    if _memory_key.get(ws.path) != report.key:
        attached = cur.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = 'dashboard_mem'"
        )
        if not (attached.fetchone() or (0,))[0]:
            cur.execute("ATTACH ':memory:' AS dashboard_mem (READ_ONLY false)")
        _build(cur, MEMORY, plan.table, report, skip)
        _memory_key[ws.path] = report.key
    return Grid(ws.path, MEMORY, report.key)


def _stored_key(cur: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = cur.execute(sql("dashboard/cache_get"), {"kind": "grid"}).fetchone()
    except duckdb.CatalogException:
        return None
    return str(row[0]) if row else None


def _exists(cur: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(cur.execute(sql("dashboard/table_exists"), {"table_name": table}).fetchone()[0])  # type: ignore[index]


def _build(
    cur: duckdb.DuckDBPyConnection, table: str, plan_table: str, report: Any, skip_disabled: bool
) -> None:
    from analysis.readiness import checks as readiness

    catalogue = readiness.catalogue()
    checks = pa.table(
        {
            "check_id": [c.id for c in catalogue],
            "severity": [c.severity for c in catalogue],
            "title": [c.title for c in catalogue],
            "rank": [readiness.SEVERITIES.index(c.severity) for c in catalogue],
        }
    )
    actions = pa.table(
        {
            "action": list(outcomes.ACTIONS),
            "label": [label for label, _ in outcomes.ACTIONS.values()],
            "tone": [tone for _, tone in outcomes.ACTIONS.values()],
        }
    )
    held = getattr(report, "_findings", None) or {}
    findings = "dashboard_findings"
    registered = ["grid_checks", "grid_actions"]
    if held:  # the report is not stored (read-only workspace): its findings are in memory
        frames = [df.assign(check_id=cid)[["check_id", "user_id"]] for cid, df in held.items() if len(df)]
        cur.register(
            "grid_findings", pd.concat(frames) if frames else pd.DataFrame({"check_id": [], "user_id": []})
        )
        findings = "grid_findings"
        registered.append(findings)
    cur.register("grid_checks", checks)
    cur.register("grid_actions", actions)
    try:
        text = (
            sql("dashboard/grid_build")
            .replace("{grid}", table)
            .replace("{plan}", _checked(plan_table))
            .replace("{findings}", findings)
        )
        cur.execute(text, {"skip_disabled": bool(skip_disabled)})
        index = table.replace(".", "_") + "_user"
        cur.execute(sql("dashboard/grid_index").replace("{grid}", table).replace("{index}", index))
    finally:
        for name in registered:
            cur.unregister(name)


def _checked(table: str) -> str:
    """A plan table name as the dashboard's plan module hands it out (never user input)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", table):
        raise ValueError(f"not a plan table name: {table!r}")
    return table


# ------------------------------------------------------------------------------------------ reading
def _text(grid: Grid, name: str, sort: str = "username", descending: bool = False) -> str:
    if sort not in SORTS:
        raise ValueError(f"not a grid column: {sort!r}")
    column = f"lower(g.{SORTS[sort][1]})" if sort in TEXT_SORTS else f"g.{SORTS[sort][1]}"
    order = f"{column} {'DESC' if descending else 'ASC'} NULLS LAST"
    return (
        sql(f"dashboard/{name}")
        .replace("{where}", sql("dashboard/grid_where"))
        .replace("{grid}", grid.table)
        .replace("{order}", order)
        .replace("{columns}", ", ".join(f"g.{c}" for c in EXPORT_COLUMNS))
    )


def count(grid: Grid, filters: Filters) -> int:
    row = cursor(grid.path).execute(_text(grid, "grid_count"), filters.params()).fetchone()
    return int(row[0]) if row else 0


def page(grid: Grid, filters: Filters, sort: str, descending: bool, offset: int, limit: int) -> pd.DataFrame:
    """The rows of one page, in order: the ids first (a narrow top-N), then their rows by index."""
    cur = cursor(grid.path)
    params = {**filters.params(), "offset": int(offset), "limit": int(limit)}
    ids = [int(r[0]) for r in cur.execute(_text(grid, "grid_page", sort, descending), params).fetchall()]
    rows = cur.execute(_text(grid, "grid_rows"), {"ids": ids}).df()
    position = {user_id: i for i, user_id in enumerate(ids)}
    return rows.sort_values("user_id", key=lambda s: s.map(position)).reset_index(drop=True)


def facets(grid: Grid) -> pd.DataFrame:
    return cursor(grid.path).execute(sql("dashboard/grid_facets").replace("{grid}", grid.table)).df()


def entra_groups(path: str) -> pd.DataFrame:
    return cursor(path).execute(sql("dashboard/grid_entra_groups")).df()


# ------------------------------------------------------------------------------------------ not ready
def not_ready(
    grid: Grid, report: Any, filters: Filters, ids: list[int] | None, reveal_phones: bool
) -> pd.DataFrame:
    """Who is not ready and why (analysis.readiness.report.notready's columns) among the filtered users:
    the users ``ids`` (one page, in that order), or all of them when ``ids`` is None."""
    from analysis.readiness.report import notready

    cur = cursor(grid.path)
    held = getattr(report, "_findings", None) or {}
    source = "dashboard_findings"
    if held:  # not stored (read-only workspace): this report's findings are in memory
        frames = [df.assign(check_id=cid) for cid, df in held.items() if len(df)]
        cur.register(
            "notready_held", pd.concat(frames) if frames else pd.DataFrame(columns=["check_id", "user_id"])
        )
        source = "notready_held"
    try:
        text = _text(grid, "notready_findings").replace("{findings}", source)
        rows = cur.execute(text, {**filters.params(), "ids": ids}).df()
    finally:
        if held:
            cur.unregister(source)
    users = notready.users(rows, reveal_phones)
    if ids is not None:
        position = {user_id: i for i, user_id in enumerate(ids)}
        users = users.sort_values("user_id", key=lambda s: s.map(position)).reset_index(drop=True)
    return users


def not_ready_export(grid: Grid, report: Any, filters: Filters, fmt: str, reveal_phones: bool) -> bytes:
    """Every filtered user who is not ready, with every reason and its remediation, as CSV or Parquet."""
    import tempfile
    from pathlib import Path

    from analysis.output import tables

    users = not_ready(grid, report, filters, None, reveal_phones)
    with tempfile.TemporaryDirectory(prefix="mfa-migrate-notready-") as tmp:
        out = Path(tmp) / f"not-ready.{fmt}"
        tables.write_frame(users, out)
        return out.read_bytes()


# ------------------------------------------------------------------------------------------ exports
def masker(reveal_phones: bool) -> Callable[[pa.RecordBatch], pa.RecordBatch] | None:
    """The batch transform an export applies: mask the phone columns unless revealed."""
    if reveal_phones:
        return None
    from analysis.output import masking

    def mask(batch: pa.RecordBatch) -> pa.RecordBatch:
        for i, name in enumerate(batch.schema.names):
            if name in PHONE_COLUMNS:
                batch = batch.set_column(i, name, masking.mask_array(batch.column(i)))
            elif name in PHONE_LIST_COLUMNS:
                batch = batch.set_column(i, name, masking.mask_text_array(batch.column(i)))
        return batch

    return mask


def export(grid: Grid, filters: Filters, sort: str, descending: bool, fmt: str, reveal_phones: bool) -> bytes:
    """The filtered users, in the grid's order, as CSV or Parquet bytes (all columns of the grid)."""
    import tempfile
    from pathlib import Path

    from analysis.output import tables

    query = _text(grid, "grid_export", sort, descending)
    with tempfile.TemporaryDirectory(prefix="mfa-migrate-grid-") as tmp:
        out = Path(tmp) / f"users.{fmt}"
        tables.write(handle(grid.path).con, query, out, filters.params(), masker(reveal_phones))
        return out.read_bytes()
