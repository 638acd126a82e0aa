"""CLI commands of the Graph area: ``snapshot`` (collect a tenant) and ``emulator`` (serve one locally).

Two engineers share this file: each subcommand registers itself in its own ``_register_*`` function.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands to the parser."""
    _register_snapshot(sub)
    _register_emulator(sub)


# ------------------------------------------------------------------------------------------ snapshot
def _register_snapshot(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.graph.connect import add_connection_arguments

    parser = sub.add_parser(
        "snapshot",
        help="read the tenant's current Entra state into a snapshot directory",
        description=(
            "Read users (all, or a group's transitive members) with their authentication methods and "
            "default method, groups, the authentication methods policy, staged rollout policies and "
            "domains from Microsoft Graph (or the local emulator) into a tenant snapshot directory."
        ),
    )
    add_connection_arguments(parser)
    parser.add_argument("--group", metavar="NAME_OR_ID", help="only this group's transitive user members")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="snapshot directory to write")
    parser.add_argument("--force", action="store_true", help="replace a snapshot already in --out")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel $batch requests (default 4)")
    parser.add_argument(
        "--read-budget",
        default="auto",
        metavar="RU",
        help="resource units per 10 s: a number, 'auto' (80%% of the tenant's quota) or 'off'",
    )
    parser.set_defaults(handler=_snapshot)


def _snapshot(args: argparse.Namespace, console: Console) -> int:
    from analysis.errors import UserError
    from analysis.graph.collect import take_snapshot
    from analysis.graph.connect import connect

    if args.concurrency < 1:
        raise UserError("--concurrency must be at least 1.")
    if args.read_budget not in ("auto", "off") and not str(args.read_budget).isdigit():
        raise UserError(f"--read-budget must be a number, 'auto' or 'off', not {args.read_budget!r}.")
    connection = connect(args, console, max_connections=args.concurrency + 2)
    try:
        result = take_snapshot(
            connection.client,
            args.out,
            console,
            tenant_id=connection.tenant_id,
            group=args.group,
            concurrency=args.concurrency,
            read_budget=args.read_budget,
            force=args.force,
        )
    finally:
        connection.close()
    counters = result.counters
    console.table(
        ["users", "groups", "domains", "methods errors", "requests", "retries", "429s", "seconds"],
        [
            [
                result.users,
                result.groups,
                result.domains,
                result.methods_errors,
                int(counters.get("requests", 0)),
                int(counters.get("retries", 0)),
                int(counters.get("throttled", 0)),
                f"{result.seconds:.1f}",
            ]
        ],
        title=f"Snapshot written to {result.out}",
    )
    return 0


# ------------------------------------------------------------------------------------------ emulator
def _register_emulator(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The local Graph emulator's subcommand (owned by the emulator's engineer)."""
