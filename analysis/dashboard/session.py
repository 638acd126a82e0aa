"""The workspace this session looks at, and how it reaches the DuckDB file.

DuckDB allows one read-write handle per file per process, and a connection is not thread-safe, while
Streamlit runs every session (and every rerun) on its own thread. So the process holds ONE connection
per workspace file (``st.cache_resource``) and every thread works on its own ``cursor()`` of it.

If another process only reads the file, the dashboard opens it read-only and says so: pages show what
the workspace already holds, but nothing that writes is offered. If another process writes to it (a
load, a batch run, a sync), DuckDB lets nobody else in, and the dashboard says which file and what to do.

Everything cached is keyed on :class:`Workspace` ``key`` = path + the id of the latest load, so a new
load invalidates the caches by itself and nothing has to be cleared by hand.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from analysis.errors import UserError
from analysis.sqlfiles import sql

WORKSPACE_ENV = "MFA_MIGRATE_WORKSPACE"
DEFAULT_WORKSPACE = Path(".work") / "sample.duckdb"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "sample_data"

_bootstrap_lock = threading.Lock()
_local = threading.local()


@dataclass(frozen=True)
class Handle:
    """The process-wide connection to one workspace file."""

    path: str
    con: duckdb.DuckDBPyConnection
    read_only: bool
    why_read_only: str = ""


@dataclass(frozen=True)
class Workspace:
    """The workspace as of this rerun: its file, latest load, and the cache key derived from both."""

    path: str
    load_id: str
    loaded_at: str
    read_only: bool
    why_read_only: str

    @property
    def key(self) -> str:
        return f"{self.path}#{self.load_id}"


def configured_path() -> Path:
    """The workspace this session opens: the sidebar's choice, else the environment, else the sample."""
    chosen = st.session_state.get("workspace_path")
    raw = chosen or os.environ.get(WORKSPACE_ENV) or str(DEFAULT_WORKSPACE)
    return Path(raw).expanduser().resolve()


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


@st.cache_resource(show_spinner=False, max_entries=8)
def _handle(path: str) -> Handle:
    from analysis.sources.workspace import connect

    try:
        return Handle(path, connect(Path(path), read_only=False), read_only=False)
    except duckdb.IOException as exc:
        if not _is_lock_error(exc):
            raise
    try:  # another process reads it (read-only): we can read too
        con = connect(Path(path), read_only=True)
    except duckdb.IOException as exc:
        if not _is_lock_error(exc):
            raise
        raise UserError(
            f"The workspace {path} is open for writing in another process (an mfa-migrate command such as "
            "load, batch run or sync, or another dashboard). DuckDB lets only that process use it: wait for "
            "it to finish or stop it, then reload this page."
        ) from None
    why = "another process is reading the workspace, so this dashboard opened it read-only"
    return Handle(path, con, read_only=True, why_read_only=why)


def handle(path: str) -> Handle:
    """The process-wide connection (background jobs make their own cursor of it)."""
    return _handle(path)


def cursor(path: str) -> duckdb.DuckDBPyConnection:
    """This thread's cursor on the workspace at ``path`` (made on first use, remade after a reopen)."""
    handle = _handle(path)
    cursors: dict[str, tuple[Handle, duckdb.DuckDBPyConnection]] = getattr(_local, "cursors", None) or {}
    _local.cursors = cursors
    held = cursors.get(path)
    if held is None or held[0] is not handle:
        held = (handle, handle.con.cursor())
        cursors[path] = held
    return held[1]


def reopen(path: str) -> None:
    """Drop the shared connection (e.g. to retry read-write once another process let go of the file)."""
    try:
        _handle(path).con.close()
    finally:
        _handle.clear()  # type: ignore[attr-defined]


def ensure_loaded(path: Path) -> str | None:
    """Load ``sample_data/`` into a workspace that does not exist yet; returns what was done, or None."""
    if path.exists():
        return None
    with _bootstrap_lock:
        if path.exists():
            return None
        datafile, tenant = SAMPLE_DIR / "PhoneFactor.pfdata", SAMPLE_DIR / "tenant"
        if not datafile.exists() or not tenant.is_dir():
            return f"{path} does not exist and sample_data/ is incomplete, so there is nothing to open"
        from analysis.console import CaptureConsole
        from analysis.sources.workspace import load

        path.parent.mkdir(parents=True, exist_ok=True)
        load(path, datafile, tenant, CaptureConsole())
        return f"created {path} from sample_data/"


def current(path: Path) -> Workspace:
    """Open (or reuse) the workspace and read its latest load."""
    handle = _handle(str(path))
    row = cursor(str(path)).execute(sql("dashboard/session.latest_load")).fetchone()
    load_id, loaded_at = (row[0], str(row[1])) if row else ("none", "")
    return Workspace(str(path), load_id, loaded_at, handle.read_only, handle.why_read_only)
