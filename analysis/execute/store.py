"""The workspace as execution uses it: opened read-write, with execution's own tables in place
(:func:`analysis.execute.batches.ensure_schema`; a reload never drops or replaces them)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analysis.errors import UserError
from analysis.execute.batches import ensure_schema
from analysis.sources.workspace_file import open_workspace as connect


def open_workspace(path: Path) -> duckdb.DuckDBPyConnection:
    """Open an existing workspace read-write with execution's tables in place."""
    if not Path(path).is_file():
        raise UserError(
            f"workspace {path} does not exist; create it with `mfa-migrate load ... --workspace {path}`"
        )
    try:
        con = connect(path)  # only a workspace: another program's database is refused untouched
    except duckdb.IOException as exc:
        raise UserError(
            f"cannot open workspace {path}: {str(exc).splitlines()[0]}. Another mfa-migrate process (a "
            "running batch, sync, or the dashboard) may hold it; wait for it to finish."
        ) from None
    ensure_schema(con)
    return con
