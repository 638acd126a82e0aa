"""A plan: a table the simulator wrote, and what it was made from, so every reader knows if it is current.

:func:`analysis.simulate.runner.simulate` returns a :class:`Plan` and stamps the same facts in the
workspace's ``plan_meta`` table (one row per plan table): the settings (canonical TOML and its SHA-256
fingerprint), the workspace's latest load, a fingerprint of the migration marks, and the tool version.
A plan is *current* while all of those still hold: a new load, a verified batch (new marks), another
version of the tool, or the table re-simulated with other settings each make it stale. Readiness,
batches, exports and the dashboard take a ``Plan`` instead of a bare table name and ask it.

A plan *in memory* (``whatif_mem.plan_b``: the dashboard's what-if) lives in an in-memory database
attached to the process's DuckDB instance (``whatif_mem``): nothing is written to the workspace file, so
it is cheaper to make and works on a read-only workspace, and its stamp is kept beside it
(``whatif_mem.plan_meta``), so no other process ever sees a stamp for a table it cannot read. It lasts
as long as the process holds the workspace open.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass

import duckdb

from analysis import __version__
from analysis.errors import UserError
from analysis.simulate.settings import Settings
from analysis.sqlfiles import sql

#: The in-memory database a plan in memory lives in (attached by :func:`unstamp`, before a run).
MEMORY = "whatif_mem"
#: Tables a plan may be written to (table names cannot be SQL parameters, so they come from this list).
PLAN_TABLES: frozenset[str] = frozenset(
    {"plan", "plan_a", "plan_b", "plan_batch", "plan_replan", "whatif_mem.plan_b"}
)


@dataclass(frozen=True)
class Plan:
    """A plan table and the settings, load and migration marks it was simulated from."""

    table: str
    settings: Settings
    load_id: str | None
    marks: str
    tool_version: str = __version__

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the settings' canonical TOML (what batches record too)."""
        return self.settings.fingerprint()

    @property
    def key(self) -> str:
        """Changes whenever the table's content may: a cache key for anything derived from this plan."""
        parts = (self.table, self.fingerprint, self.load_id or "", self.marks, self.tool_version)
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def is_current(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Whether ``table`` still holds this plan and the workspace has not moved on since."""
        return self.stale_reason(con) is None

    def stale_reason(self, con: duckdb.DuckDBPyConnection) -> str | None:
        """Why this plan is no longer current (for error messages), or None when it is."""
        stamped = read_stamp(con, self.table)
        if stamped != self:
            return f"table {self.table} was simulated again since (or never stamped)"
        load_id, marks = workspace_state(con)
        if load_id != self.load_id:
            return f"the workspace was loaded again (load {load_id}) after this plan (load {self.load_id})"
        if marks != self.marks:
            return "users were marked migrated or read again (a batch was verified) after this plan"
        if self.tool_version != __version__:
            return f"the plan was made by mfa-migrate {self.tool_version}, this is {__version__}"
        return None

    def require_current(self, con: duckdb.DuckDBPyConnection) -> None:
        """Raise a UserError saying why, when the plan is stale."""
        reason = self.stale_reason(con)
        if reason is not None:
            raise UserError(f"the plan in table {self.table} is out of date: {reason}; simulate again")


def check_table(table: str) -> str:
    if table not in PLAN_TABLES:
        raise ValueError(f"plan table must be one of {sorted(PLAN_TABLES)}, not {table!r}")
    return table


def in_memory(table: str) -> bool:
    """Whether the plan table is in the process's memory, not the workspace (see the module docstring)."""
    return check_table(table).startswith(f"{MEMORY}.")


def beside(table: str, name: str) -> str:
    """The table ``name`` in the database that holds the plan table ``table`` (the workspace, or memory)."""
    return f"{MEMORY}.{name}" if in_memory(table) else name


def _meta(table: str) -> str:
    """Where ``table``'s stamp is kept: the workspace's ``plan_meta``, or beside a plan in memory."""
    return beside(table, "plan_meta")


def workspace_state(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str]:
    """(latest load id, migration-marks fingerprint): what a plan depends on besides its settings."""
    from analysis.sources.latest import fingerprint

    row = con.execute(sql("simulate/runner.workspace_state")).fetchone()
    assert row is not None
    later = fingerprint(con)  # users read again since the snapshot (verify, refresh)
    return (None if row[0] is None else str(row[0])), str(row[1]) + (f"|{later}" if later else "")


def unstamp(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Forget what ``table`` holds (before it is replaced, so a failed run never looks current)."""
    if in_memory(table):
        con.execute(sql("simulate/runner.attach_memory"))
    meta = _meta(table)
    con.execute(sql("simulate/runner.meta_schema", meta=meta))
    con.execute(sql("simulate/runner.meta_clear", meta=meta), {"table_name": table})


def stamp(con: duckdb.DuckDBPyConnection, table: str, settings: Settings) -> Plan:
    """Record that ``table`` now holds the plan for ``settings`` on the workspace as it is."""
    load_id, marks = workspace_state(con)
    plan = Plan(check_table(table), settings, load_id, marks)
    meta = _meta(table)
    con.execute(sql("simulate/runner.meta_schema", meta=meta))
    con.execute(
        sql("simulate/runner.meta_stamp", meta=meta),
        {
            "table_name": table,
            "settings_toml": settings.to_toml(),
            "settings_fingerprint": plan.fingerprint,
            "load_id": load_id,
            "marks": marks,
            "tool_version": plan.tool_version,
        },
    )
    return plan


def read_stamp(con: duckdb.DuckDBPyConnection, table: str = "plan") -> Plan | None:
    """The plan ``table`` was last stamped with (current or not), or None (never simulated here)."""
    try:
        query = sql("simulate/runner.meta_read", meta=_meta(table))
        row = con.execute(query, {"table_name": table}).fetchone()
    except duckdb.CatalogException:  # no plan_meta yet (read-only workspace never simulated)
        return None
    if row is None:
        return None
    toml, _fingerprint, load_id, marks, version = row
    settings = Settings.from_dict(tomllib.loads(toml), source=f"the stamp of table {table}")
    return Plan(table, settings, load_id, marks, version)


def current(con: duckdb.DuckDBPyConnection, settings: Settings, table: str = "plan") -> Plan | None:
    """The plan in ``table`` if it is current and was made with exactly ``settings``, else None."""
    plan = read_stamp(con, table)
    if plan is None or plan.settings != settings or not plan.is_current(con):
        return None
    return plan
