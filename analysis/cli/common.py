"""Arguments and helpers shared by commands that read a workspace.

Commands such as simulate, whatif and readiness take either an existing workspace (``--workspace FILE``)
or the raw inputs (``--datafile PATH --tenant DIR``), which are then loaded into a temporary workspace
that is removed when the process ends.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analysis.console import Console
from analysis.errors import UserError


def add_source_args(parser: argparse.ArgumentParser) -> None:
    """``--workspace FILE``, or ``--datafile PATH --tenant DIR`` (checked by :func:`open_workspace`)."""
    group = parser.add_argument_group("input (either a workspace, or a datafile and a tenant snapshot)")
    group.add_argument(
        "--workspace", type=Path, metavar="FILE", help="a workspace written by `mfa-migrate load`"
    )
    group.add_argument(
        "--datafile", type=Path, metavar="PATH",
        help="PhoneFactor.pfdata (SQLite) or the Export Users CSV, loaded into a temporary workspace",
    )  # fmt: skip
    group.add_argument(
        "--tenant", type=Path, metavar="DIR", help="tenant snapshot directory (with --datafile)"
    )


def open_workspace(args: argparse.Namespace, console: Console) -> Path:
    """The workspace to read: ``--workspace`` as given (it must exist), or a temporary one loaded from
    ``--datafile`` and ``--tenant``."""
    workspace = getattr(args, "workspace", None)
    datafile = getattr(args, "datafile", None)
    tenant = getattr(args, "tenant", None)
    if workspace is not None and (datafile is not None or tenant is not None):
        raise UserError(
            "Give either --workspace FILE, or --datafile PATH with --tenant DIR, not both: a workspace "
            "already holds a loaded datafile and snapshot (reload it with `mfa-migrate load` to change them)."
        )
    if workspace is not None:
        path = Path(workspace)
        if not path.is_file():
            raise UserError(
                f"The workspace {path} does not exist. Create it with `mfa-migrate load --datafile PATH "
                f"--tenant DIR --workspace {path}`, or give --datafile and --tenant instead of --workspace."
            )
        return path
    if datafile is None and tenant is None:
        raise UserError(
            "Say what to read: --workspace FILE (written by `mfa-migrate load`), or --datafile PATH "
            "(PhoneFactor.pfdata or the Export Users CSV) together with --tenant DIR (a tenant snapshot)."
        )
    if datafile is None or tenant is None:
        missing = "--tenant DIR" if tenant is None else "--datafile PATH"
        raise UserError(
            f"{missing} is missing: --datafile and --tenant go together (the MFA Server data and the tenant "
            "snapshot to compare it with). Or give --workspace FILE instead."
        )
    from analysis.sources.workspace import load

    folder = Path(tempfile.mkdtemp(prefix="mfa-migrate-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "workspace.duckdb"
    summary = load(path, Path(datafile), Path(tenant), console)
    users, entra = summary.counts.get("mfa_users", 0), summary.counts.get("entra_users", 0)
    rejected = (
        f" ({summary.rejected} row(s) rejected; `mfa-migrate load` lists them)" if summary.rejected else ""
    )
    console.info(
        f"Loaded {users} MFA Server user(s) and {entra} Entra user(s) into a temporary workspace{rejected}."
    )
    return path


@contextmanager
def workspace_connection(args: argparse.Namespace, console: Console) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to :func:`open_workspace`'s workspace, given back on exit (these commands
    store their plan in it). Another process holding the file is waited for a moment, then named."""
    from analysis.sources import access

    path = open_workspace(args, console)
    with access.writing(path) as con:
        yield con


def add_reveal_arg(p: argparse.ArgumentParser) -> None:
    """``--reveal-phones``: every command that writes phone numbers masks them unless asked."""
    p.add_argument(
        "--reveal-phones",
        action="store_true",
        help="write phone numbers in full (default: masked, e.g. +49 30•••••89)",
    )
