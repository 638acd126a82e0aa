"""The workspace this session looks at, and how it reaches the DuckDB file.

The dashboard shares the workspace with other processes (a ``batch run`` in a terminal, ``batch list``,
another dashboard), so it holds the file only while a script run works on it (docs/workspace.md,
"Several processes"): the first :func:`cursor` of a run takes a lease through
:mod:`analysis.sources.access`, and :func:`released` (around every script run, in ``frame.main``) gives
it back. Within the process every thread's lease shares one DuckDB instance. A run opens the file
read-write when it can (its pages also store plans, caches and batches); when another process is using
it, the run waits a moment for it to let go (a running batch lets go at its next safe point).

``read_only`` means the file or its folder cannot be written by this dashboard's user, or, for one script
run, that a program outside this protocol keeps the file open for reading: pages then show what the
workspace holds and offer nothing that writes.

Everything cached is keyed on :class:`Workspace` ``key`` = path + the id of the latest load, so a new
load invalidates the caches by itself and nothing has to be cleared by hand.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import streamlit as st

from analysis.errors import UserError
from analysis.sources import access
from analysis.sqlfiles import sql

WORKSPACE_ENV = "MFA_MIGRATE_WORKSPACE"
DEFAULT_WORKSPACE = Path(".work") / "sample.duckdb"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "sample_data"

_bootstrap_lock = threading.Lock()
_local = threading.local()
#: Seconds a page waits for another process to let go of the workspace before saying so.
PAGE_WAIT = 8.0


@dataclass(frozen=True)
class Handle:
    """Whether this dashboard may write the workspace file (its permissions, not who holds it now)."""

    path: str
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


def handle(path: str) -> Handle:
    """May this dashboard write the workspace at ``path`` (in this script run)?"""
    p = Path(path)
    if not (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK | os.X_OK)):
        why = "the workspace file or its folder is read-only for the user this dashboard runs as"
        return Handle(path, read_only=True, why_read_only=why)
    fallback: dict[str, str] = _local.__dict__.setdefault("fallback", {})
    if path in fallback:
        return Handle(path, read_only=True, why_read_only=fallback[path])
    return Handle(path, read_only=False)


def cursor(path: str) -> duckdb.DuckDBPyConnection:
    """This thread's connection to the workspace for the current script run (taken on first use and
    given back by :func:`released`)."""
    leases: dict[str, duckdb.DuckDBPyConnection] = _local.__dict__.setdefault("leases", {})
    lease = leases.get(path)
    if lease is None:
        lease = leases[path] = _take(path)
    return lease


def _take(path: str) -> duckdb.DuckDBPyConnection:
    """Read-write when possible; while another process keeps the file for longer than a page waits
    (a program that opened it read-only and stays), read-only for this script run; else one line
    naming the holder."""
    if handle(path).read_only:
        return access.read(path, wait=PAGE_WAIT)
    try:
        return access.write(path, wait=PAGE_WAIT)
    except access.WorkspaceBusy as exc:
        holder = exc.holder
    try:
        lease = access.read(path, wait=1.0)
    except access.WorkspaceBusy:
        raise UserError(
            f"The workspace {path} is held by another process ({holder}) for longer than a page waits; "
            "reload this page when it has finished."
        ) from None
    _local.__dict__.setdefault("fallback", {})[path] = (
        f"another process ({holder}) keeps the workspace open for reading, so this page opened it "
        "read-only; reload the page to write once it has finished"
    )
    return lease


@contextmanager
def released() -> Iterator[None]:
    """Give back every connection this thread took while the block ran (one script run or fragment)."""
    try:
        yield
    finally:
        leases: dict[str, duckdb.DuckDBPyConnection] = _local.__dict__.pop("leases", {})
        _local.__dict__.pop("fallback", None)
        for lease in leases.values():
            lease.close()


def reopen(path: str) -> None:
    """Give back this thread's connection (the next :func:`cursor` takes the file again)."""
    leases: dict[str, duckdb.DuckDBPyConnection] = _local.__dict__.get("leases", {})
    lease = leases.pop(path, None)
    if lease is not None:
        lease.close()


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
    """Open the workspace for this script run and read its latest load."""
    row = cursor(str(path)).execute(sql("dashboard/session.latest_load")).fetchone()
    h = handle(str(path))  # after the cursor: a page may have had to open it read-only
    load_id, loaded_at = (row[0], str(row[1])) if row else ("none", "")
    return Workspace(str(path), load_id, loaded_at, h.read_only, h.why_read_only)
