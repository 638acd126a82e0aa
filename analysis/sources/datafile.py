"""Read the MFA Server datafile (SQLite ``PhoneFactor.pfdata``) through ``queries/sources/pfdata.sql``.

The datafile is opened read-only and never changed; the mapping's TEMP views live in SQLite's temp
database of this connection only. Rows leave SQLite as one JSON array each (``json_array`` runs in C),
which keeps Python's per-row work to a single object; a background thread does that reading while the
loader's DuckDB work goes on, handing over Arrow chunks through a bounded queue. Raw secrets exist only
in those in-memory chunks: the loader's SQL fingerprints them before anything is stored.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import UserError
from analysis.sources.files import SQLITE_HEADER
from analysis.sqlfiles import header, sql

MAPPING = "sources/pfdata"
CHUNK_ROWS = 100_000
BATCH_ROWS = 25_000
QUEUE_CHUNKS = 16


def _not_sqlite(path: Path) -> UserError:
    return UserError(
        f"{path} is not a SQLite datafile (its first 16 bytes are not the SQLite header). Give a copy of "
        "PhoneFactor.pfdata, or export the users from the MFA Server console (File > Export Users) and "
        "load that CSV instead."
    )


def _unreadable(path: Path, exc: sqlite3.Error) -> UserError:
    return UserError(
        f"The datafile {path} could not be read as SQLite ({exc}). It may be damaged, encrypted or copied "
        "while the MFA Server was writing it: copy it again with the MultiFactorAuth service stopped, or "
        "load the console's Export Users CSV instead."
    )


def requirements() -> dict[str, list[str]]:
    """What the mapping needs from the datafile, from its ``-- requires <table>: col, ...`` lines."""
    needs: dict[str, list[str]] = {}
    for key, value in header(MAPPING).items():
        words = key.split()
        if len(words) == 2 and words[0] == "requires":
            needs[words[1]] = [c.strip() for c in value.split(",") if c.strip()]
    return needs


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection with the mapping's views, after checking that the datafile has what it needs."""
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise _not_sqlite(path)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _unreadable(path, exc) from None
    try:
        con.text_factory = bytes
        _check_layout(con, path)
        con.executescript(sql(MAPPING))
    except sqlite3.Error as exc:
        con.close()
        raise _unreadable(path, exc) from None
    except UserError:
        con.close()
        raise
    return con


def _check_layout(con: sqlite3.Connection, path: Path) -> None:
    tables = {
        bytes(name).decode("utf-8", "replace").lower()
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    }
    missing_tables: list[str] = []
    missing_columns: list[str] = []
    for table, columns in requirements().items():
        if table.lower() not in tables:
            missing_tables.append(table)
            continue
        have = {
            bytes(row[0]).decode("utf-8", "replace").lower()
            for row in con.execute("SELECT name FROM pragma_table_info(?)", (table,))
        }
        missing_columns += [f"{table}.{c}" for c in columns if c.lower() not in have]
    if missing_tables or missing_columns:
        parts = []
        if missing_tables:
            parts.append("tables " + ", ".join(missing_tables))
        if missing_columns:
            parts.append("columns " + ", ".join(missing_columns))
        raise UserError(
            f"The datafile {path} is SQLite but lacks what the mapping queries/sources/pfdata.sql needs: "
            f"missing {'; '.join(parts)}. If your MFA Server stores these under other names, edit the views "
            "in queries/sources/pfdata.sql (and its 'requires' lines) to map them; otherwise load the "
            "console's Export Users CSV instead."
        )


def read_small_tables(con: sqlite3.Connection) -> pa.Table:
    """Settings, authentication services and meta keys as one frame ``(kind, a, b, c, d)``."""
    rows = con.execute(sql("sources/datafile.small_rows")).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    return pa.table(
        {
            name: pa.array([_text(v) for v in values], pa.string())
            for name, values in zip(("kind", "a", "b", "c", "d"), columns, strict=True)
        }
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _json_chunk(rows: list[tuple[bytes]]) -> pa.Table:
    """One Arrow column ``j`` from SQLite's JSON texts. JSON escapes newlines, so joining on one and
    splitting in Arrow is exact; undecodable bytes become U+FFFD instead of failing the load."""
    text = b"\n".join(row[0] for row in rows).decode("utf-8", "replace")
    parts = pc.split_pattern(pa.array([text], pa.large_string()), pattern="\n").flatten()
    table = pa.table({"j": parts.cast(pa.string())})
    # several record batches let DuckDB scan one chunk on more than one thread
    return pa.Table.from_batches(table.to_batches(max_chunksize=BATCH_ROWS))


class DatafileFeed:
    """Reads users, then devices, on a background thread; iterate to get ``(kind, chunk)`` pairs."""

    def __init__(self, path: Path, chunk_rows: int = CHUNK_ROWS, queue_chunks: int = QUEUE_CHUNKS) -> None:
        self.path = path
        self.chunk_rows = chunk_rows
        self.users_read = 0
        self.devices_read = 0
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=queue_chunks)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="datafile-feed", daemon=True)

    def __enter__(self) -> DatafileFeed:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.join()

    def _put(self, item: tuple[str, object]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            con = connect(self.path)
            try:
                for kind, query in (
                    ("users", "sources/datafile.users_rows"),
                    ("devices", "sources/datafile.devices_rows"),
                ):
                    cursor = con.execute(sql(query))
                    while not self._stop.is_set():
                        rows = cursor.fetchmany(self.chunk_rows)
                        if not rows:
                            break
                        if kind == "users":
                            self.users_read += len(rows)
                        else:
                            self.devices_read += len(rows)
                        if not self._put((kind, _json_chunk(rows))):
                            return
            finally:
                con.close()
            self._put(("done", None))
        except sqlite3.Error as exc:
            self._put(("error", _unreadable(self.path, exc)))
        except BaseException as exc:  # handed to the loader's thread, which decides what it means
            self._put(("error", exc))

    def __iter__(self) -> Iterator[tuple[str, pa.Table]]:
        while True:
            kind, payload = self._queue.get()
            if kind == "done":
                return
            if kind == "error":
                assert isinstance(payload, BaseException)
                raise payload
            assert isinstance(payload, pa.Table)
            yield kind, payload


def read_oath_secrets(datafile: Path, usernames: list[str]) -> dict[str, str]:
    """Raw hardware-token secrets of ``usernames`` exactly as the datafile stores them, read only at the
    moment a token is written to Entra. Users without a secret are absent from the result. The caller
    must never log, print or store the values (``fingerprint.secret_fingerprint`` gives the workspace's
    fingerprint of one)."""
    from analysis.sources.files import datafile_kind

    if datafile_kind(datafile) != "pfdata":
        raise UserError(
            f"{datafile} is not a SQLite datafile, so it holds no OATH secrets (the Export Users CSV carries "
            "none). Give the PhoneFactor.pfdata the workspace was loaded from to write hardware tokens."
        )
    con = connect(datafile)
    try:
        con.executescript(sql("sources/datafile.wanted_users"))
        con.executemany(
            "INSERT OR IGNORE INTO temp.wanted_users (username) VALUES (?)", [(u,) for u in usernames]
        )
        rows = con.execute(sql("sources/datafile.oath_secrets")).fetchall()
    except sqlite3.Error as exc:
        raise _unreadable(datafile, exc) from None
    finally:
        con.close()
    return {_text(user) or "": _text(secret) or "" for user, secret in rows}
