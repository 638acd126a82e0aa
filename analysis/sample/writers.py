"""Write the generated tables: the SQLite datafile and the tenant snapshot directory.

JSON Lines at scale go through DuckDB (``COPY ... (FORMAT json)`` over arrow tables), the datafile
through ``sqlite3.executemany`` in chunks; both keep the generator at seconds for a million users.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from analysis.sample.tables import Table
from analysis.sqlfiles import sql

CHUNK = 50_000


def write_pfdata(
    path: Path,
    users: Table,
    devices: Table,
    meta: list[tuple[str, str]],
    settings: list[tuple[str, str, str]],
    services: list[tuple[str, str, str, int]],
) -> None:
    """PhoneFactor.pfdata in the layout queries/sources/pfdata.sql maps (SQLite)."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        for pragma in (
            "locking_mode = EXCLUSIVE",
            "page_size = 32768",
            "cache_size = -500000",
            "journal_mode = OFF",
            "synchronous = OFF",
        ):
            con.execute(f"PRAGMA {pragma}")
        con.executescript(sql("sample/writers.pfdata_schema"))
        for statement, table in (
            ("sample/writers.pfdata_user", users),
            ("sample/writers.pfdata_device", devices),
        ):
            for chunk in table.records(CHUNK):
                con.executemany(sql(statement), chunk)
        for statement, keys, rows in (
            ("sample/writers.pfdata_meta", ("key", "value"), meta),
            ("sample/writers.pfdata_setting", ("section", "key", "value"), settings),
            ("sample/writers.pfdata_service", ("service", "name", "detail", "enabled"), services),
        ):
            con.executemany(sql(statement), [dict(zip(keys, row, strict=True)) for row in rows])
        con.commit()
    finally:
        con.close()


def _with_order(table: pa.Table) -> pa.Table:
    return table.append_column("ord", pa.array(np.arange(table.num_rows, dtype=np.int64)))


def _duckdb() -> duckdb.DuckDBPyConnection:
    from analysis.sources.workspace_file import no_extension_downloads

    con = no_extension_downloads(duckdb.connect())
    con.execute("SET enable_progress_bar = false")
    return con


def write_users_jsonl(path: Path, entra_users: Table, methods: Table) -> None:
    con = _duckdb()
    try:
        con.register("sample_entra_users", _with_order(entra_users.to_arrow()))
        con.register("sample_methods", _with_order(methods.to_arrow()))
        con.execute(sql("sample/writers.users_jsonl"), {"path": str(path)})
    finally:
        con.close()


def write_ledger_jsonl(path: Path, ledger: Table) -> None:
    con = _duckdb()
    try:
        con.register("sample_ledger", _with_order(ledger.to_arrow()))
        con.execute(sql("sample/writers.ledger_jsonl"), {"path": str(path)})
    finally:
        con.close()


def write_jsonl(path: Path, objects: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for obj in objects:
            f.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")


def write_groups(path: Path, groups: list[dict[str, Any]]) -> None:
    """groups.jsonl; ``members`` given as (odata type, id) pairs are spliced in as text (a wave group of
    a big tenant has hundreds of thousands of members)."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for group in groups:
            head = {k: v for k, v in group.items() if k != "members"}
            f.write(json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1])
            f.write(',"members":[')
            f.write(
                ",".join(
                    f'{{"@odata.type":{json.dumps(t)},"id":{json.dumps(i)}}}' for t, i in group["members"]
                )
            )
            f.write("]}\n")


def write_json(path: Path, obj: dict[str, Any]) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
