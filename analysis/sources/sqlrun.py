"""Run a ``queries/<area>/<name>.sql`` file that may hold several statements against DuckDB.

DuckDB splits the text itself (``duckdb.extract_statements``), so a ``;`` inside a string literal is
safe, and each statement gets only the named parameters it uses.
"""

from __future__ import annotations

from typing import Any

import duckdb

from analysis.sqlfiles import sql


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> None:
    """Execute every statement of query file ``name`` in order."""
    params = params or {}
    for statement in duckdb.extract_statements(sql(name)):
        wanted = {key: params[key] for key in statement.named_parameters}
        con.execute(statement, wanted or None)


def fetch(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Rows of the single query in file ``name``."""
    params = params or {}
    (statement,) = duckdb.extract_statements(sql(name))
    wanted = {key: params[key] for key in statement.named_parameters}
    return con.execute(statement, wanted or None).fetchall()
