"""The Users grid: every MFA Server user, filtered, sorted and paged in DuckDB (so 1,000,000 users work).

Once per stored readiness report the dashboard builds one narrow table, ``dashboard_grid`` (one row per
MFA Server user: outcome, readiness status, finding counts and checks, MFA Server state, Entra now,
what the plan does; ``queries/dashboard/grid_build.sql``) and records its key in ``dashboard_cache``
(kind ``grid``). A page, a filter or a sort is then one query over that table (plus one count); an
export streams the same query through the product's writers with phone numbers masked unless revealed.
A workspace opened read-only gets the table in an in-memory database attached to the connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st

from analysis.dashboard import outcomes
from analysis.dashboard.session import Workspace, cursor, handle
from analysis.sqlfiles import sql

_lock = threading.Lock()
STORED = "dashboard_grid"
#: The grid's column layout: part of the stored key, so a grid an older version stored is rebuilt.
FORMAT = "3"  # 2: the lower-cased search column; 3: the username order ranked
MEMORY = "dashboard_mem.grid"  # read-only workspaces
#: Sortable columns: key -> (label, column). Every column the grid shows can be sorted by; text columns
#: sort without regard to case (they are built COLLATE NOCASE). The column is the one name this module
#: puts into SQL text (the __sort__ token), and only from this list.
SORTS: dict[str, tuple[str, str]] = {
    "username": ("MFA Server username", "username_order"),  # the default order: ranked in the build
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
    "tier": ("Priority tier", "tier"),
}
#: Columns that hold one phone number each, and those that may hold several ("a; b").
PHONE_COLUMNS = ("mfa_phone", "mfa_backup_phone")
PHONE_LIST_COLUMNS = ("entra_mobile", "entra_alternate", "entra_office")


@dataclass(frozen=True)
class Filters:
    """What the grid keeps; ``None`` (or ``""`` for text) means no filter."""

    outcomes: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    check_id: str | None = None
    severities: tuple[str, ...] | None = None
    mfa_groups: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    #: priority tiers after the phone retirement date: P1, P2, P3, or "none" (no tier: not known)
    tiers: tuple[str, ...] | None = None
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
        key = f"{report.key}/{FORMAT}"
        if _stored_key(cur) != key or not _exists(cur, STORED):
            _build(cur, STORED, plan.table, report, skip_disabled)
            cur.execute(
                sql("dashboard/reportcache.cache_put"),
                {"kind": "grid", "key": key, "doc": None},
            )
        return Grid(ws.path, STORED, key)


_memory_key: dict[str, str] = {}


def _in_memory(ws: Workspace, cur: duckdb.DuckDBPyConnection, plan: Any, report: Any, skip: bool) -> Grid:
    if _memory_key.get(ws.path) != report.key:
        if not cur.execute(sql("dashboard/grid.memory_attached")).fetchone()[0]:  # type: ignore[index]
            cur.execute(sql("dashboard/grid.memory_attach"))
        _build(cur, MEMORY, plan.table, report, skip)
        _memory_key[ws.path] = report.key
    return Grid(ws.path, MEMORY, report.key)


def _stored_key(cur: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = cur.execute(sql("dashboard/reportcache.cache_get"), {"kind": "grid"}).fetchone()
    except duckdb.CatalogException:
        return None
    return str(row[0]) if row else None


def _exists(cur: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = cur.execute(sql("dashboard/data.table_exists"), {"table_name": table}).fetchone()
    return bool(row and row[0])


def _build(
    cur: duckdb.DuckDBPyConnection, table: str, plan_table: str, report: Any, skip_disabled: bool
) -> None:
    from analysis.readiness import checks as readiness

    catalogue = [r.check for r in report.results]  # the severities of the day the report was made
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
    source = _findings_source(cur, report)
    from analysis.readiness import afterdate

    afterdate.bind_summary(cur, report.retirement)  # the tiers of the day and settings of the report
    cur.register("grid_checks", checks)
    cur.register("grid_actions", actions)
    try:
        build = sql("dashboard/grid.build", grid=table, plan=plan_table, findings=source)
        cur.execute(build, {"skip_disabled": bool(skip_disabled)})
        cur.execute(sql("dashboard/grid.index", grid=table, index=table.replace(".", "_") + "_user"))
    finally:
        for name in ("grid_checks", "grid_actions"):
            cur.unregister(name)
        if source == HELD:
            cur.unregister(HELD)


HELD = "grid_held_findings"


def _findings_source(cur: duckdb.DuckDBPyConnection, report: Any) -> str:
    """Where this report's findings are: the stored ``dashboard_findings``, or (a report this process
    computed but could not store: read-only workspace) a frame registered on ``cur`` as :data:`HELD`."""
    held = getattr(report, "_findings", None) or {}
    if not held:
        return "dashboard_findings"
    frames = [df.assign(check_id=cid) for cid, df in held.items() if len(df)]
    empty = pd.DataFrame(
        {c: pd.Series(dtype="object") for c in ("check_id", "subject_type", "user_id", "detail")}
    )
    cur.register(HELD, pd.concat(frames) if frames else empty)
    return HELD


# ------------------------------------------------------------------------------------------ reading
def _ids(
    grid: Grid, filters: Filters, sort: str, descending: bool, offset: int, limit: int | None
) -> tuple[list[int], int]:
    """The filtered users' ids in order (one page, or all when ``limit`` is None) and how many match."""
    if sort not in SORTS:
        raise ValueError(f"not a grid column: {sort!r}")
    cur = cursor(grid.path)
    params = {**filters.params(), "descending": bool(descending), "offset": int(offset), "limit": limit}
    query = sql("dashboard/grid.page", grid=grid.table, sort=SORTS[sort][1])
    rows = cur.execute(query, params).fetchall()
    if not rows and offset:  # past the end (the filters keep fewer users now): count them from the start
        return [], count(grid, filters)
    return [int(r[0]) for r in rows], (int(rows[0][1]) if rows else 0)


def count(grid: Grid, filters: Filters) -> int:
    return _ids(grid, filters, "username", False, 0, 1)[1]


def page(
    grid: Grid, filters: Filters, sort: str, descending: bool, offset: int, limit: int
) -> tuple[pd.DataFrame, int]:
    """One page of rows in order, and how many users match: the ids first (a narrow top-N over the sort
    key and the filtered columns), then their rows through the index."""
    ids, total = _ids(grid, filters, sort, descending, offset, limit)
    return rows(grid, ids), total


def rows(grid: Grid, ids: list[int]) -> pd.DataFrame:
    return cursor(grid.path).execute(sql("dashboard/grid.rows", grid=grid.table), {"ids": ids}).df()


def facets(grid: Grid) -> pd.DataFrame:
    """The filters' values with their counts: once per grid (every rerun of the page asks)."""
    return _facets(grid.path, grid.table, grid.key)


@st.cache_data(show_spinner=False, max_entries=8)
def _facets(path: str, table: str, key: str) -> pd.DataFrame:
    return cursor(path).execute(sql("dashboard/grid.facets", grid=table)).df()


@st.cache_data(show_spinner=False, max_entries=8)
def entra_groups(path: str, load_id: str) -> pd.DataFrame:
    """Entra groups with their transitive members, largest first: once per load."""
    return cursor(path).execute(sql("dashboard/grid.entra_groups")).df()


# ------------------------------------------------------------------------------------------ not ready
def not_ready(grid: Grid, report: Any, ids: list[int], reveal_phones: bool) -> pd.DataFrame:
    """Who is not ready and why (analysis.readiness.report.notready's columns) for the users ``ids``,
    in that order."""
    from analysis.readiness.report import notready

    cur = cursor(grid.path)
    source = _findings_source(cur, report)
    try:
        text = sql("dashboard/grid.not_ready_findings", grid=grid.table, findings=source)
        found = cur.execute(text, {"ids": ids}).df()
    finally:
        if source == HELD:
            cur.unregister(HELD)
    users = notready.users(found, reveal_phones, [r.check for r in report.results])
    position = {user_id: i for i, user_id in enumerate(ids)}
    return users.sort_values("user_id", key=lambda s: s.map(position)).reset_index(drop=True)


def not_ready_export(
    grid: Grid, report: Any, filters: Filters, sort: str, descending: bool, fmt: str, reveal_phones: bool
) -> bytes:
    """Every filtered user who is not ready, with every reason and its remediation, as CSV or Parquet."""
    import tempfile
    from pathlib import Path

    from analysis.output import tables

    ids, _ = _ids(grid, filters, sort, descending, 0, None)
    users = not_ready(grid, report, ids, reveal_phones)
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
    """The filtered users, in the grid's order, as CSV or Parquet bytes: every column of the grid, phone
    numbers masked unless revealed (streamed through the product's writers)."""
    import tempfile
    from pathlib import Path

    from analysis.output import tables

    ids, _ = _ids(grid, filters, sort, descending, 0, None)
    with tempfile.TemporaryDirectory(prefix="mfa-migrate-grid-") as tmp:
        out = Path(tmp) / f"users.{fmt}"
        query = sql("dashboard/grid.rows", grid=grid.table)
        tables.write(cursor(grid.path), query, out, {"ids": ids}, masker(reveal_phones))
        return out.read_bytes()
