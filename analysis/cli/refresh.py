"""CLI of ``mfa-migrate refresh``: read chosen users again from Graph as their latest state
(:mod:`analysis.execute.refresh`). It is a writer: it takes the workspace's writer role, like ``batch run``.
"""

from __future__ import annotations

import argparse
from contextlib import closing
from pathlib import Path

from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.cli.connection import add_connection_arguments, add_read_arguments
    from analysis.cli.execute import workspace_arg

    p = sub.add_parser(
        "refresh",
        help="read chosen users' authentication methods from Graph again and keep them as their latest state",
        description=(
            "Read the chosen users' authentication methods and sign-in preferences from Microsoft Graph (or "
            "the local emulator) and keep each read, with its time, as the user's latest state over the "
            "snapshot. Users Graph would not let it read are kept as not read, with the reason."
        ),
    )
    workspace_arg(p)
    choose = p.add_mutually_exclusive_group(required=True)
    choose.add_argument(
        "--users", type=Path, metavar="FILE", help="one UPN or Entra object id per line (or a CSV)"
    )
    choose.add_argument(
        "--group", metavar="NAME_OR_ID", help="an Entra group's transitive members (snapshot)"
    )
    choose.add_argument("--batch", metavar="N", help="a batch's users (number or name)")
    choose.add_argument("--all", action="store_true", help="every Entra user of the snapshot")
    add_connection_arguments(p, writes=False)
    add_read_arguments(p)
    p.set_defaults(handler=_refresh)


def _refresh(args: argparse.Namespace, console: Console) -> int:
    from analysis.cli.connection import check_read_arguments
    from analysis.cli.execute import writer
    from analysis.cli.execute_run import connect
    from analysis.execute.refresh import Choice, choose, refresh

    check_read_arguments(args)
    budget = str(args.read_budget)
    choice = Choice(users_file=args.users, group=args.group, batch=args.batch, everyone=args.all)
    what = (
        "--all"
        if args.all
        else f"--users {args.users}"
        if args.users
        else (f"--group {args.group}" if args.group else f"--batch {args.batch}")
    )
    with writer(args.workspace, f"mfa-migrate refresh {what}", console) as con:
        users = choose(con, choice)  # a wrong name or batch is reported before signing in
        with closing(connect(args, console)) as connection:
            result = refresh(
                con,
                connection.client,
                choice,
                console,
                concurrency=args.concurrency,
                read_budget=int(budget) if budget.isdigit() else budget,
                users=users,
            )
    counters = result.counters
    console.table(
        ["users", "read", "not read", "reads", "reads/s", "429s", "seconds"],
        [
            [
                result.users,
                result.read,
                len(result.not_read),
                result.requests,
                f"{result.reads_per_second:.0f}",
                int(counters.get("throttled", 0)),
                f"{result.seconds:.1f}",
            ]
        ],
        title=f"Refreshed from Entra ({choice.describe()})",
    )
    if result.not_read:
        console.table(
            ["user", "not read because"],
            result.not_read[:50],
            title=f"{len(result.not_read)} user(s) not read: they keep their earlier state",
        )
        return 1
    return 0
