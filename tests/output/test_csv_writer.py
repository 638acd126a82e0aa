"""The one CSV writer: formula cells defused, harmless numbers kept, any input shape, streamed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from analysis.errors import UserError
from analysis.output import csvfile, tables


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_cells_a_spreadsheet_would_run_are_defused(cell: str) -> None:
    out = rows(csvfile.to_bytes(pd.DataFrame({"name": [cell], "n": [1]})))
    assert out == [["name", "n"], ["'" + cell, "1"]]


@pytest.mark.parametrize("cell", ["+49 30•••••89", "+44 7400100011", "+1 2015550119x55", "-5", "+3.5", "bob"])
def test_numbers_and_phone_numbers_stay_as_they_are(cell: str) -> None:
    out = rows(csvfile.to_bytes(pd.DataFrame({"value": [cell]})))
    assert out == [["value"], [cell]]


def test_every_input_shape_and_empty_results() -> None:
    frame = pd.DataFrame({"a": ["=1", None], "b": [[1, 2], {"k": 1}]})
    assert rows(csvfile.to_bytes(frame)) == [["a", "b"], ["'=1", "[1, 2]"], ["", "{'k': 1}"]]
    table = pa.table({"a": ["=x", "y"]})
    assert rows(csvfile.to_bytes(table))[1:] == [["'=x"], ["y"]]
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    assert rows(csvfile.to_bytes(reader))[1:] == [["'=x"], ["y"]]
    assert rows(csvfile.to_bytes(pd.DataFrame({"a": pd.Series([], dtype="string")}))) == [["a"]]


def test_a_transform_runs_on_every_batch_before_defusing() -> None:
    table = pa.table({"a": ["x", "y"]})
    shout = lambda b: pa.record_batch([pa.array(["=" + v for v in b.column(0).to_pylist()])], names=["a"])  # noqa: E731
    assert rows(csvfile.to_bytes(table, shout))[1:] == [["'=x"], ["'=y"]]


def test_query_exports_in_each_format(tmp_path: Path) -> None:
    con = duckdb.connect()
    query = "SELECT i, '=cmd' || i AS cell FROM range(250000) t(i) ORDER BY i"
    assert tables.write(con, query, tmp_path / "q.csv") == 250_000
    with (tmp_path / "q.csv").open(encoding="utf-8", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["i", "cell"] and got[1] == ["0", "'=cmd0"] and len(got) == 250_001
    assert tables.write(con, query, tmp_path / "q.parquet") == 250_000
    assert con.execute(f"SELECT count(*), max(i) FROM '{tmp_path / 'q.parquet'}'").fetchone() == (
        250_000,
        249_999,
    )
    assert tables.write(con, "SELECT 1 AS one", tmp_path / "q.json") == 1
    assert (tmp_path / "q.json").read_text().strip().startswith("[")


def test_a_bad_export_path_is_a_user_error(tmp_path: Path) -> None:
    con = duckdb.connect()
    with pytest.raises(UserError, match="must end in"):
        tables.write(con, "SELECT 1", tmp_path / "q.txt")
    with pytest.raises(UserError, match="does not exist"):
        tables.write(con, "SELECT 1", tmp_path / "missing" / "q.csv")
