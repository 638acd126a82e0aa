"""The workspace: one DuckDB file holding the MFA Server data and the tenant snapshot (docs/workspace.md).

:func:`load` replaces every source table in one transaction, so a failed load leaves the previous
workspace exactly as it was, and tables the product keeps across loads (``migration_marks``, batches,
journals, ...) are never touched. Work that can fail on bad input (reading the snapshot's JSONL files)
happens before the transaction, because a failed DuckDB statement aborts the transaction it runs in.

Secrets never reach the file: the datafile's rows travel as in-memory Arrow chunks and the loader's SQL
reduces OATH secrets and device tokens to SHA-256 fingerprints and PIN hashes to ``has_pin`` before
anything is inserted. ``rejects.raw`` shows ``<redacted>`` in their place.
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from analysis import __version__
from analysis.console import Console
from analysis.errors import UserError
from analysis.sources import access, export_csv, shrink, sidecar, sqlrun, workspace_file
from analysis.sources import datafile as pfdata
from analysis.sources import tenant as snapshot
from analysis.sources.files import FactsPool, datafile_kind
from analysis.sqlfiles import sql

SCHEMA = "sources/schema"

_REPLACED_TABLE = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to an existing workspace; any other file is refused (:mod:`.workspace_file`). Lock
    conflicts surface as ``duckdb.IOException`` so callers (the dashboard) can fall back to read-only;
    :func:`load` turns them into a :class:`UserError`."""
    return workspace_file.open_workspace(Path(path), read_only=read_only)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every canonical table that does not exist yet. Never replaces one (unlike a load), so it is
    safe on a loaded workspace; it gives an unloaded one the right (empty) tables."""
    existing = {
        name.lower()
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
    }
    for statement in duckdb.extract_statements(sql(SCHEMA)):
        match = _REPLACED_TABLE.match(_strip_comments(statement.query))
        if match and match.group(1).lower() in existing:
            continue
        con.execute(statement)


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


@dataclass(frozen=True)
class LoadSummary:
    """What a load did: its id and time, rows per table, rejects by source and reason, warnings."""

    load_id: str
    loaded_at: datetime
    workspace: Path
    datafile_kind: str  # 'pfdata' | 'csv'
    counts: dict[str, int]
    rejects: list[tuple[str, str, int]]  # (source, reason, rows)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return sum(n for _, _, n in self.rejects)


def load(
    workspace: Path, datafile: Path, tenant: Path, console: Console, *, allow_shrink: bool = False
) -> LoadSummary:
    """Load ``datafile`` (SQLite pfdata or Export Users CSV, told apart by content) and the tenant snapshot
    directory ``tenant`` into ``workspace``, replacing the previous load atomically. A load that would
    leave no users, or fewer than half of the previous load's, is refused unless ``allow_shrink``
    (:mod:`.shrink`)."""
    started = time.monotonic()
    workspace, datafile, tenant = Path(workspace), Path(datafile), Path(tenant)
    kind = datafile_kind(datafile)
    snap = snapshot.locate(tenant)
    export = export_csv.open_csv(datafile) if kind == "csv" else None
    if kind == "pfdata":
        pfdata.connect(datafile).close()  # the layout check, before anything is touched
    warnings = list(snap.warnings) + (export.warnings if export else [])

    existed = workspace.exists() and workspace.stat().st_size > 0  # an empty file holds nothing to keep
    if not workspace.parent.exists():
        raise UserError(f"The folder {workspace.parent} for the workspace does not exist. Create it first.")
    with sidecar.writer_role(workspace, "mfa-migrate load"):  # one writer at a time
        return _load(
            workspace, datafile, tenant, console, kind, snap, export, warnings, existed, started, allow_shrink
        )


def _load(
    workspace: Path,
    datafile: Path,
    tenant: Path,
    console: Console,
    kind: str,
    snap: snapshot.TenantSnapshot,
    export: export_csv.ExportCsv | None,
    warnings: list[str],
    existed: bool,
    started: float,
    allow_shrink: bool,
) -> LoadSummary:
    facts = FactsPool()
    for path in (*snap.files.values(), datafile):
        facts.submit(path)
    try:
        con = _open_for_load(workspace)
    except BaseException:
        facts.close()
        raise
    load_id = uuid.uuid4().hex
    loaded_at = datetime.now(UTC)
    ok = False
    try:
        before = shrink.held(con)  # what the previous load left, to compare the new one with
        sqlrun.run(con, "sources/workspace.load_settings")
        sqlrun.run(con, "sources/macros")
        with ExitStack() as stack:
            feed = stack.enter_context(pfdata.DatafileFeed(datafile)) if kind == "pfdata" else None
            snapshot.stage(con, snap, facts)
            sqlrun.run(con, "sources/workspace.load_unordered")
            with _transaction(con):
                sqlrun.run(con, SCHEMA)
                # the snapshot first: its staging tables are freed before the datafile's rows arrive
                snapshot.insert(con, snap)
                snapshot.drop_stage(con)
                if feed is not None:
                    rows = _load_pfdata(con, datafile, feed)
                else:
                    assert export is not None
                    rows = _load_csv(con, export)
                _check_mfa_duplicates(con, datafile)
                from analysis.sources.phones import fill_phone_tables

                fill_phone_tables(con)
                from analysis.campaign import history

                history.observe_snapshot(con, loaded_at)  # the snapshot as taken, kept across loads
                from analysis.sources import latest

                latest.apply(con)  # users read again after this snapshot keep their later state
                if not allow_shrink:
                    shrink.check(con, before, datafile, tenant)
                _record_load(con, load_id, loaded_at, kind, datafile, rows, snap, facts)
            summary = _summarise(con, load_id, loaded_at, workspace, kind, warnings, started)
        ok = True
    finally:
        facts.close()
        _cleanup(con)
        if not ok and not existed:
            for leftover in (workspace, workspace.with_name(workspace.name + ".wal")):
                leftover.unlink(missing_ok=True)
    for warning in warnings:
        console.warn(warning)
    return summary


def _open_for_load(workspace: Path) -> duckdb.DuckDBPyConnection:
    if workspace.exists() and not workspace.is_file():
        raise UserError(f"The workspace {workspace} is not a file. Give a file name, e.g. work/mfa.duckdb.")
    if not workspace.parent.exists():
        raise UserError(f"The folder {workspace.parent} for the workspace does not exist. Create it first.")
    try:
        return access.write(workspace, new_ok=True)
    except duckdb.Error as exc:
        raise UserError(
            f"{workspace} cannot be opened as a DuckDB workspace ({exc}). Give a new file name, or the "
            "workspace file an earlier load wrote."
        ) from None


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _cleanup(con: duckdb.DuckDBPyConnection) -> None:
    try:
        snapshot.drop_stage(con)
        for view in ("mfa_users_checked", "mfa_devices_checked", "mfa_users_stage", "mfa_devices_stage"):
            con.execute(f"DROP VIEW IF EXISTS {view}")
        con.execute("RESET memory_limit")
        con.execute("RESET preserve_insertion_order")
    except duckdb.Error:
        pass
    finally:
        con.close()


def _with_frame(
    con: duckdb.DuckDBPyConnection, name: str, frame: pa.Table, action: Callable[[], None]
) -> None:
    """Run ``action`` while ``frame`` is visible to SQL as ``name`` (in memory only)."""
    con.register(name, frame)
    try:
        action()
    finally:
        con.unregister(name)


#: Per staged kind: (JSON chunk to stage, check, insert, rejects) queries.
_STAGED: dict[str, tuple[str, str, str, str]] = {
    "users": (
        "sources/workspace.mfa_users_from_json",
        "sources/workspace.mfa_users_check",
        "sources/workspace.mfa_users_insert",
        "sources/workspace.mfa_users_rejects",
    ),
    "devices": (
        "sources/workspace.mfa_devices_from_json",
        "sources/workspace.mfa_devices_check",
        "sources/workspace.mfa_devices_insert",
        "sources/workspace.mfa_devices_rejects",
    ),
}


def _insert_checked(con: duckdb.DuckDBPyConnection, kind: str, rows: int, params: dict[str, object]) -> None:
    """Insert a staged batch of ``kind`` ('users' | 'devices') in one pass; only a batch that had unusable
    rows is read a second time, for its rejects."""
    _, check, insert, rejects = _STAGED[kind]
    sqlrun.run(con, check)
    ((inserted,),) = sqlrun.fetch(con, insert, params)
    if inserted < rows:
        sqlrun.run(con, rejects, params)


def _load_pfdata(con: duckdb.DuckDBPyConnection, datafile: Path, feed: pfdata.DatafileFeed) -> int:
    small_con = pfdata.connect(datafile)
    try:
        small = pfdata.read_small_tables(small_con)
    finally:
        small_con.close()
    _with_frame(con, "pf_small", small, lambda: sqlrun.run(con, "sources/workspace.mfa_small_insert"))
    params: dict[str, dict[str, object]] = {
        "users": {"source": f"{datafile.name}:users", "details_known": True},
        "devices": {"source": f"{datafile.name}:devices"},
    }

    def take(kind: str, rows: int) -> None:
        sqlrun.run(con, _STAGED[kind][0])
        _insert_checked(con, kind, rows, params[kind])

    for kind, chunk in feed:
        _with_frame(con, "pf_chunk", chunk, functools.partial(take, kind, chunk.num_rows))
    sqlrun.run(con, "sources/workspace.mfa_devices_orphans", params["devices"])
    return feed.users_read


def _load_csv(con: duckdb.DuckDBPyConnection, export: export_csv.ExportCsv) -> int:
    source = export.path.name
    params: dict[str, object] = {"source": source, "details_known": False}
    for chunk in export.chunks():
        take = functools.partial(_insert_checked, con, "users", chunk.stage.num_rows, params)
        _with_frame(con, "mfa_users_stage", chunk.stage, take)
        if chunk.extra.num_rows:
            _with_frame(
                con,
                "csv_extra",
                chunk.extra,
                lambda: sqlrun.run(con, "sources/workspace.mfa_user_extra_insert"),
            )
        if chunk.rejects:
            line, column, reason, raw = (list(x) for x in zip(*chunk.rejects, strict=True))
            frame = pa.table(
                {
                    "line": pa.array(line, pa.int64()),
                    "column": pa.array(column, pa.string()),
                    "reason": pa.array(reason, pa.string()),
                    "raw": pa.array(raw, pa.string()),
                }
            )
            _with_frame(
                con,
                "reader_rejects",
                frame,
                lambda: sqlrun.run(con, "sources/workspace.rejects_insert", {"source": source}),
            )
    return export.rows_read


def _check_mfa_duplicates(con: duckdb.DuckDBPyConnection, datafile: Path) -> None:
    duplicates = sqlrun.fetch(con, "sources/workspace.mfa_duplicates")
    if not duplicates:
        return
    shown = []
    for what, key, lines, n in duplicates:
        if what == "device_id":
            shown.append(f"device_id {key} ({n} times)")
        else:
            where = ", ".join(str(x) for x in lines) + (" ..." if n > len(lines) else "")
            shown.append(f"{what} '{key}' (rows {where})")
    raise UserError(
        f"The datafile {datafile} has the same key more than once: {'; '.join(shown)}. Each MFA Server user "
        "must appear once (usernames compare exactly as stored): remove or rename the duplicates in the MFA "
        "Server, or in the export, and load again."
    )


def _record_load(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    loaded_at: datetime,
    kind: str,
    datafile: Path,
    datafile_rows: int,
    snap: snapshot.TenantSnapshot,
    facts: FactsPool,
) -> None:
    sources = [("datafile", datafile, datafile_rows)]
    for name, path in snap.files.items():
        sources.append((f"tenant/{name}", path, snap.records.get(name)))  # type: ignore[arg-type]
    frame = pa.table(
        {
            "source": pa.array([s for s, _, _ in sources], pa.string()),
            "path": pa.array([str(p.absolute()) for _, p, _ in sources], pa.string()),
            "sha256": pa.array([facts.get(p).sha256 for _, p, _ in sources], pa.string()),
            "rows": pa.array([r for _, _, r in sources], pa.int64()),
        }
    )
    params = {"load_id": load_id, "loaded_at": loaded_at, "datafile_kind": kind, "tool_version": __version__}
    _with_frame(
        con, "load_source_rows", frame, lambda: sqlrun.run(con, "sources/workspace.record_load", params)
    )


def _summarise(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    loaded_at: datetime,
    workspace: Path,
    kind: str,
    warnings: list[str],
    started: float,
) -> LoadSummary:
    counts = {str(table): int(n) for table, n in sqlrun.fetch(con, "sources/workspace.load_counts")}
    rejects = [(str(s), str(r), int(n)) for s, r, n in sqlrun.fetch(con, "sources/workspace.load_rejects")]
    return LoadSummary(
        load_id, loaded_at, workspace, kind, counts, rejects, warnings, round(time.monotonic() - started, 2)
    )
