"""What a file given as a workspace is, and the one way the product opens a DuckDB file (docs/workspace.md).

mfa-migrate writes only into its own workspaces. A DuckDB file is one when it holds the marker table
``mfa_migrate_workspace`` with a format version this version reads (:data:`FORMAT_VERSION`). A workspace
written before the marker existed is recognised by its ``loads`` and ``load_sources`` tables and gets the
marker the first time it is opened for writing. Every other file is refused with one line saying what it
is (a SQLite database, a text file, another program's DuckDB database, ...), and it is looked at only by
reading its first bytes and, for a DuckDB file, opening it read-only, so nothing in it changes.

DuckDB never downloads or autoloads an extension on a connection of the product
(:func:`no_extension_downloads`): the file's kind is decided from its bytes before DuckDB opens it, so a
SQLite datafile given as the workspace never reaches DuckDB's SQLite reader.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import duckdb

from analysis import __version__
from analysis.errors import UserError
from analysis.sqlfiles import sql

#: The workspace format this version writes and reads; a later version that changes the layout raises it.
FORMAT_VERSION = 1
MARKER = "mfa_migrate_workspace"
#: Tables every workspace written before the marker existed has (``mfa-migrate load`` made both).
LEGACY_TABLES = frozenset({"loads", "load_sources"})

Kind = Literal["missing", "empty", "duckdb", "sqlite", "text", "binary", "directory", "special"]


def no_extension_downloads(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Turn off DuckDB's extension autoinstall and autoload on ``con``'s database; returns ``con``."""
    con.execute(sql("sources/workspace_file.no_extension_downloads"))
    return con


def sniff(path: Path) -> Kind:
    """The kind of file at ``path``, from its first bytes (never by opening it with DuckDB)."""
    if not path.exists():
        return "missing"
    if path.is_dir():
        return "directory"
    if not path.is_file():
        return "special"
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise UserError(
            f"The workspace {path} cannot be read ({exc.strerror}). Check its permissions."
        ) from None
    if not head:
        return "empty"
    if head[8:12] == b"DUCK":
        return "duckdb"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if b"\x00" not in head and _is_text(head):
        return "text"
    return "binary"


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is still text
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def _not_a_workspace(path: Path, kind: Kind) -> UserError:
    what = {
        "sqlite": "a SQLite database (the MFA Server datafile? give that as --datafile)",
        "text": "a text file",
        "binary": "neither a DuckDB file nor text",
        "directory": "a folder",
        "special": "not a regular file",
    }[kind]
    return UserError(
        f"{path} is {what}, not an mfa-migrate workspace; it was left untouched. Give a new file name for "
        "the workspace (e.g. work/mfa.duckdb) or one that `mfa-migrate load` wrote."
    )


def open_workspace(path: Path, *, read_only: bool = False, new_ok: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the workspace at ``path``, refusing any file that is not one of this product's.

    ``new_ok`` (the loader) also accepts a missing or empty file, and a DuckDB file without any table,
    and creates the workspace there. A lock held by another process surfaces as ``duckdb.IOException``
    (the dashboard falls back to read-only on it); everything else the user can act on is a
    :class:`UserError`.
    """
    path = Path(path)
    kind = sniff(path)
    if kind in ("missing", "empty"):
        if not new_ok:
            why = "it does not exist" if kind == "missing" else "it is empty"
            raise UserError(
                f"{path} holds no workspace yet ({why}). Create it with "
                f"`mfa-migrate load --datafile PATH --tenant DIR --workspace {path}`."
            )
        check_writable(path)
        if kind == "empty":
            path.unlink()  # DuckDB cannot open a 0-byte file; there is nothing in it to keep
        return _marked(_connect(path, read_only=False))
    if kind != "duckdb":
        raise _not_a_workspace(path, kind)
    if not read_only:
        check_writable(path)
    state = _identify_untouched(path)
    if state == "blank" and not new_ok:
        raise UserError(
            f"{path} is an empty DuckDB database, not a loaded workspace. Load into it with "
            f"`mfa-migrate load --datafile PATH --tenant DIR --workspace {path}`."
        )
    con = _connect(path, read_only=read_only)
    return con if read_only else _marked(con)


def connect_known(path: Path, *, read_only: bool, mark: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a file this process already identified as a workspace (:func:`open_workspace` did, earlier):
    one open instead of two, for the short-lived connections of :mod:`analysis.sources.access`."""
    con = _connect(path, read_only=read_only)
    return _marked(con) if mark else con


def check_writable(path: Path) -> None:
    """DuckDB writes the file and, beside it, a ``.wal`` journal: both need a writable folder."""
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"The folder {folder} for the workspace does not exist. Create it first.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(
            f"The folder {folder} is read-only for you, and the workspace {path.name} needs to be written "
            "there (with its .wal journal beside it). Use a folder you can write to, e.g. copy the workspace."
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(
            f"The workspace {path} is read-only for you. Make it writable, or copy it and use the copy."
        )


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    return no_extension_downloads(duckdb.connect(str(path), read_only=read_only))


def _identify_untouched(path: Path) -> Literal["ours", "legacy", "blank"]:
    """Open ``path`` read-only to decide whose it is; refuse another program's database or a newer one."""
    try:
        con = _connect(path, read_only=True)
    except duckdb.ConnectionException:
        # this process already holds the file read-write (the dashboard's shared connection): it opened
        # it through this function, so it was checked then; look again through that same instance
        con = _connect(path, read_only=False)
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise
        raise UserError(
            f"{path} looks like a DuckDB file but cannot be opened: {_first_line(exc)}."
        ) from None
    try:
        return _identify(con, path)
    finally:
        con.close()


def _identify(con: duckdb.DuckDBPyConnection, path: Path) -> Literal["ours", "legacy", "blank"]:
    tables = [str(r[0]) for r in con.execute(sql("sources/workspace_file.tables")).fetchall()]
    names = {t.lower() for t in tables}
    if MARKER in names:
        ((version,),) = con.execute(sql("sources/workspace_file.marker_read")).fetchall()
        if version is not None and int(version) > FORMAT_VERSION:
            raise UserError(
                f"The workspace {path} was written by a newer mfa-migrate (workspace format {version}; this "
                f"version reads format {FORMAT_VERSION}). Use that version, or load into a new file."
            )
        return "ours"
    if names >= LEGACY_TABLES:
        return "legacy"
    if not names:
        return "blank"
    shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
    raise UserError(
        f"{path} is a DuckDB database of another program (tables {shown}), not an mfa-migrate workspace; it "
        "was left untouched. Give a new file name for the workspace, or one that `mfa-migrate load` wrote."
    )


def _marked(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Write the marker (a no-op when it is there) on a read-write connection to a workspace."""
    try:
        mark(con)
    except BaseException:
        con.close()
        raise
    return con


def mark(con: duckdb.DuckDBPyConnection) -> None:
    """Make the database behind ``con`` an mfa-migrate workspace (once; later calls change nothing)."""
    params = {"format_version": FORMAT_VERSION, "created_by": f"mfa-migrate {__version__}"}
    con.execute(sql("sources/workspace_file.marker_write"), params)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
