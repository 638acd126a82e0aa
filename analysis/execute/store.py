"""The workspace as execution uses it, through :mod:`analysis.sources.access` (docs/workspace.md,
"Several processes"), with execution's own tables in place (:func:`analysis.execute.batches.ensure_schema`;
a reload never drops or replaces them).

* :func:`open_reader` — ``batch list``/``show``/``explain``: a read lease; they run beside a writer.
* :func:`open_workspace` — short writes (``batch create``/``approve``): a write lease, closed by the caller.
* :func:`writer` — long work that changes the tenant (``batch run``/``verify``/``rollback``, Staged
  Rollout, ``sync``): the writer role (one such process at a time, named when another is refused) and a
  lease that lets go of the file at the pipeline's safe points when someone waits for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute.batches import ensure_schema
from analysis.sources import access, sidecar


def _exists(path: Path | str) -> None:
    if not Path(path).is_file():
        raise UserError(
            f"workspace {path} does not exist; create it with `mfa-migrate load ... --workspace {path}`"
        )


def open_workspace(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open an existing workspace for a short write, with execution's tables in place."""
    _exists(path)
    con = access.write(path)
    try:
        ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con


def open_reader(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open an existing workspace to read batches (read-only unless this process writes it already)."""
    _exists(path)
    return access.read(path)


def has_batches(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether execution's tables exist (a read lease on a workspace that never had a batch finds none)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'batches' "
        "AND table_catalog = current_database()"
    ).fetchone()
    return bool(row and row[0])


@contextmanager
def writer(
    path: Path | str, command: str, console: Console | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The writer role for ``command`` and a long-running write lease, for the block's duration."""
    _exists(path)
    with sidecar.writer_role(path, command) as earlier:
        if earlier is not None and console is not None:
            console.warn(
                f"the workspace's last writer, {earlier.describe()}, ended without letting go (killed?); "
                "taking over (its journal is intact: a batch it was running resumes)"
            )
        con = access.hold(path)
        try:
            ensure_schema(con)
            yield con
        finally:
            con.close()
