"""CLI of the data area: ``load`` (datafile + tenant snapshot into a workspace)."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands to the parser."""
    load = sub.add_parser(
        "load",
        help="load the MFA Server data and a tenant snapshot into a workspace",
        description=(
            "Load the MFA Server datafile (PhoneFactor.pfdata in SQLite format, or the console's Export "
            "Users CSV; told apart by content) and a tenant snapshot directory into a DuckDB workspace. "
            "Loading again replaces the previous load in one transaction; batches, journals and migration "
            "marks are kept. Rows that cannot be used are listed in the workspace's rejects table."
        ),
    )
    load.add_argument("--datafile", required=True, type=Path, metavar="PATH",
                      help="PhoneFactor.pfdata (or a copy), or the Export Users CSV")  # fmt: skip
    load.add_argument("--tenant", required=True, type=Path, metavar="DIR",
                      help="tenant snapshot directory (users.jsonl, groups.jsonl, ...)")  # fmt: skip
    load.add_argument("--workspace", required=True, type=Path, metavar="FILE",
                      help="the workspace file to write (created if missing)")  # fmt: skip
    load.add_argument("--allow-shrink", action="store_true",
                      help="accept a load that leaves no MFA Server or Entra users, or fewer than half "
                           "of the previous load's (refused otherwise)")  # fmt: skip
    load.set_defaults(handler=run_load)


def run_load(args: argparse.Namespace, console: Console) -> int:
    from analysis.sources.workspace import load

    summary = load(args.workspace, args.datafile, args.tenant, console, allow_shrink=args.allow_shrink)
    console.info(
        f"Loaded {args.datafile} ({summary.datafile_kind}) and {args.tenant} into {args.workspace} "
        f"in {summary.seconds:.1f} s (load {summary.load_id})."
    )
    console.table(
        ["table", "rows"], [(t, f"{n:,}") for t, n in summary.counts.items()], title="Rows per table:"
    )
    if summary.rejects:
        console.table(
            ["source", "reason", "rows"],
            [(s, r, f"{n:,}") for s, r, n in summary.rejects],
            title=f"Rejected rows ({summary.rejected:,}; details in the workspace's rejects table):",
        )
    else:
        console.info("No rows were rejected.")
    return 0
