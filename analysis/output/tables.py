"""Query results written to a file the user asked for: CSV (the one writer), Parquet or JSON by suffix.

Every table export of the product (the plan, a what-if's differences, the dashboard's user grid and
"not ready" list) is a query whose rows stream in Arrow batches through an optional transform (the
masking of phone numbers) into the file. CSV goes through :mod:`analysis.output.csvfile` (defused
cells); Parquet and JSON through DuckDB's own writers, reading the transformed stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from analysis.errors import UserError
from analysis.output import csvfile
from analysis.output.csvfile import Transform

SUFFIXES = (".csv", ".parquet", ".json")
_BATCH_ROWS = 100_000


def check_path(path: str | Path, option: str = "--out", suffixes: tuple[str, ...] = SUFFIXES) -> Path:
    """The path if its suffix is one of ``suffixes`` and its folder exists, else a UserError saying what to
    do."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        names = ", ".join(suffixes[:-1]) + (" or " if len(suffixes) > 1 else "") + suffixes[-1]
        raise UserError(f"{option} {p}: the file name must end in {names}")
    if not p.parent.is_dir():
        raise UserError(
            f"cannot write {option} {p}: folder {p.parent} does not exist; create it or choose another one"
        )
    return p


def stream(
    con: duckdb.DuckDBPyConnection, query: str, params: Any = None, transform: Transform | None = None
) -> pa.RecordBatchReader:
    """The query's rows as a record-batch reader, each batch transformed (read on a cursor of its own,
    so the caller's connection stays free for the writer)."""
    cur = con.cursor()
    reader = cur.sql(query, params=params).to_arrow_reader(_BATCH_ROWS)
    if transform is None:
        return reader
    # the transform may change types (masking casts to text): its schema is what it makes of no rows
    schema = transform(pa.RecordBatch.from_pylist([], schema=reader.schema)).schema

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for batch in reader:
                yield transform(batch)
        finally:
            cur.close()

    return pa.RecordBatchReader.from_batches(schema, batches())


def write(
    con: duckdb.DuckDBPyConnection,
    query: str,
    path: str | Path,
    params: Any = None,
    transform: Transform | None = None,
) -> int:
    """Write the query's rows to ``path`` (format by suffix); returns the number of rows written."""
    p = check_path(path)
    rows = stream(con, query, params, transform)
    try:
        if p.suffix.lower() == ".csv":
            return csvfile.write(rows, p)
        return _duckdb_copy(con, rows, p)
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        raise UserError(f"cannot write {p}: {exc}; choose a writable path") from None


def write_frame(df: Any, path: str | Path, option: str = "--out") -> int:
    """Write a DataFrame (or Arrow table) to ``path``, format by suffix; returns the rows written."""
    p = check_path(path, option)
    table = df if isinstance(df, pa.Table) else pa.Table.from_pandas(df, preserve_index=False)
    try:
        if p.suffix.lower() == ".csv":
            return csvfile.write(table, p)
        con = duckdb.connect()
        try:
            return _duckdb_copy(con, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()), p)
        finally:
            con.close()
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        raise UserError(f"cannot write {p}: {exc}; choose a writable path") from None


def _duckdb_copy(con: duckdb.DuckDBPyConnection, rows: pa.RecordBatchReader, path: Path) -> int:
    fmt = "FORMAT parquet" if path.suffix.lower() == ".parquet" else "FORMAT json, ARRAY true"
    counted = _Counted(rows)
    cur = con.cursor()
    try:
        cur.register("output_rows", counted.reader())
        cur.execute(f"COPY (SELECT * FROM output_rows) TO $path ({fmt})", {"path": str(path)})
    finally:
        cur.close()
    return counted.rows


class _Counted:
    """Counts the rows that pass through a reader (DuckDB's COPY does not say how many it wrote)."""

    def __init__(self, reader: pa.RecordBatchReader) -> None:
        self._reader, self.rows = reader, 0

    def reader(self) -> pa.RecordBatchReader:
        def batches() -> Iterator[pa.RecordBatch]:
            for batch in self._reader:
                self.rows += batch.num_rows
                yield batch

        return pa.RecordBatchReader.from_batches(self._reader.schema, batches())
