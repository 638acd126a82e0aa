"""Stage a tenant JSONL file into a DuckDB TEMP table, with exact line numbers for every problem.

The fast path lets DuckDB's ``read_json`` parse the whole file in parallel; the record ordinal is the line
number when the file has no blank lines (checked against the line count from :mod:`files`). If the fast
read fails (a malformed line, a line that is not an object, bad UTF-8) or the file has blank lines, the
careful path reads line-numbered text in chunks, stops at the first malformed line with its number, and
keeps lines that are JSON but not objects for the rejects table. Staging runs before the load's
transaction, because a failed DuckDB statement would abort that transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from analysis.errors import UserError
from analysis.sources import sqlrun
from analysis.sources.files import FactsPool

_CHUNK_BYTES = 64 << 20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonlKind:
    """One JSONL file of the snapshot and the SQL that stages it (names from this fixed list only)."""

    file: str  # e.g. 'users.jsonl'
    stage: str  # TEMP table the loader reads
    read_sql: str  # fast path, creates `stage` from read_json($path)
    lines_sql: str  # careful path, creates the view `lines_view` over jsonl_lines(line, text)
    lines_view: str


USERS = JsonlKind(
    "users.jsonl",
    "entra_users_stage",
    "sources/tenant.users_read",
    "sources/tenant.users_lines",
    "entra_users_lines",
)
GROUPS = JsonlKind(
    "groups.jsonl",
    "entra_groups_stage",
    "sources/tenant.groups_read",
    "sources/tenant.groups_lines",
    "entra_groups_lines",
)
DOMAINS = JsonlKind(
    "domains.jsonl",
    "entra_domains_stage",
    "sources/tenant.domains_read",
    "sources/tenant.domains_lines",
    "entra_domains_lines",
)
LEDGER = JsonlKind(
    "ledger.jsonl",
    "entra_ledger_stage",
    "sources/tenant.ledger_read",
    "sources/tenant.ledger_lines",
    "entra_ledger_lines",
)
KINDS = (USERS, GROUPS, DOMAINS, LEDGER)


def stage(con: duckdb.DuckDBPyConnection, path: Path, kind: JsonlKind, facts: FactsPool) -> int:
    """Fill ``kind.stage`` from ``path``; returns the number of records (non-blank lines) staged."""
    try:
        sqlrun.run(con, kind.read_sql, {"path": str(path)})
        ((count,),) = con.execute(f"SELECT count(*) FROM {kind.stage}").fetchall()
        if count == facts.get(path).lines:
            return int(count)
    except duckdb.Error:
        pass  # the careful path below finds out what is wrong, with line numbers
    return _stage_lines(con, path, kind)


def _stage_lines(con: duckdb.DuckDBPyConnection, path: Path, kind: JsonlKind) -> int:
    con.execute(f"DROP TABLE IF EXISTS {kind.stage}")
    label = f"tenant/{kind.file}"
    staged = 0
    first_line = 1
    created = False
    with path.open("rb") as handle:
        while raw := handle.readlines(_CHUNK_BYTES):
            if first_line == 1 and raw[0].startswith(_BOM):
                raw[0] = raw[0][len(_BOM) :]
            numbers = [first_line + i for i, text in enumerate(raw) if text.strip()]
            texts = [raw[n - first_line] for n in numbers]
            first_line += len(raw)
            if not texts:
                continue
            try:
                strings = pa.array(texts, pa.binary()).cast(pa.string())
            except pa.ArrowInvalid:
                bad = next(n for n, t in zip(numbers, texts, strict=True) if not _is_utf8(t))
                raise UserError(
                    f"{label} line {bad} is not valid UTF-8 text. The snapshot files must be UTF-8; "
                    "write the snapshot again (mfa-migrate snapshot) or re-save that file as UTF-8."
                ) from None
            con.register("jsonl_lines", pa.table({"line": pa.array(numbers, pa.int64()), "text": strings}))
            try:
                ((first_bad,),) = con.execute(
                    "SELECT min(line) FROM jsonl_lines WHERE NOT json_valid(text)"
                ).fetchall()
                if first_bad is not None:
                    bad = int(first_bad)
                    raise UserError(
                        f"{label} line {bad} is not valid JSON{_json_detail(texts[numbers.index(bad)])}. "
                        "Each line must hold one JSON object; fix or remove that line and load again."
                    )
                if not created:
                    sqlrun.run(con, kind.lines_sql)
                    con.execute(
                        f"CREATE OR REPLACE TEMP TABLE {kind.stage} AS SELECT * FROM {kind.lines_view}"
                    )
                    created = True
                else:
                    con.execute(f"INSERT INTO {kind.stage} SELECT * FROM {kind.lines_view}")
            finally:
                con.unregister("jsonl_lines")
            staged += len(numbers)
    if not created:  # an empty (or all-blank) file
        stage_empty(con, kind)
    con.execute(f"DROP VIEW IF EXISTS {kind.lines_view}")
    return staged


def stage_empty(con: duckdb.DuckDBPyConnection, kind: JsonlKind) -> None:
    """An empty ``kind.stage`` with the right columns, for a file the snapshot does not have."""
    con.register(
        "jsonl_lines", pa.table({"line": pa.array([], pa.int64()), "text": pa.array([], pa.string())})
    )
    try:
        sqlrun.run(con, kind.lines_sql)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {kind.stage} AS SELECT * FROM {kind.lines_view}")
    finally:
        con.unregister("jsonl_lines")
        con.execute(f"DROP VIEW IF EXISTS {kind.lines_view}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json_detail(text: bytes) -> str:
    """Where Python's parser trips on the line (position only: the line itself is never echoed)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f" ({exc.msg} at character {exc.colno})"
    except ValueError:
        return ""
    return ""
