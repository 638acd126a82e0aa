"""CLI of the workspace policy: ``policy show`` and ``policy set KEY VALUE``.

The four-eyes rule and what counts as a distinct approver belong to the workspace
(:mod:`analysis.execute.policy`); every change is recorded with the proven identity of who made it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.cli.signin import add_sign_in_arguments
from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.execute.policy import SETTINGS

    policy = sub.add_parser("policy", help="the workspace's approval policy (four-eyes rule)")
    psub = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    p = psub.add_parser("show", help="the policy in force, who set it and when, and its history")
    p.add_argument(
        "--workspace", required=True, type=Path, metavar="FILE", help="the workspace (DuckDB file)"
    )
    p.set_defaults(handler=_show)
    p = psub.add_parser(
        "set",
        help="change a setting: "
        + "; ".join(
            f"{key} = {' | '.join(values)} (default {default})" for key, (values, default) in SETTINGS.items()
        ),
    )
    p.add_argument(
        "--workspace", required=True, type=Path, metavar="FILE", help="the workspace (DuckDB file)"
    )
    p.add_argument("key", choices=sorted(SETTINGS), help="the setting")
    p.add_argument("value", help="its new value")
    p.add_argument("--note", help="why (recorded with the change)")
    p.add_argument(
        "--as", dest="actor", metavar="NAME", help="a display label; your OS user is what is recorded"
    )
    add_sign_in_arguments(p)
    p.set_defaults(handler=_set)


def _workspace_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", required=True, type=Path, metavar="FILE", help="the workspace (DuckDB file)"
    )


def _show(args: argparse.Namespace, console: Console) -> int:
    from analysis.cli.execute import open_workspace
    from analysis.execute.policy import history, read_policy

    con = open_workspace(args.workspace)
    try:
        policy = read_policy(con)
        changes = history(con)
    finally:
        con.close()
    console.table(
        ["setting", "value"],
        [[key, s.describe] for key, s in policy.settings.items()],
        title="Workspace policy",
    )
    console.info(f"Four-eyes rule: {policy.rule}.")
    if changes:
        console.table(["at", "setting", "value", "changed by", "note"], changes, title="Changes")
    else:
        console.info("No changes: the defaults are in force.")
    return 0


def _set(args: argparse.Namespace, console: Console) -> int:
    from analysis.cli.execute import actor_from_args, open_workspace
    from analysis.execute.policy import read_policy, set_policy

    who = actor_from_args(args, console)
    con = open_workspace(args.workspace)
    try:
        setting = set_policy(con, args.key, args.value, who, args.note)
        policy = read_policy(con)
    finally:
        con.close()
    console.info(f"Policy {setting.key} is now {setting.describe}.")
    if policy.four_eyes:
        console.info(f"Four-eyes rule: {policy.rule}.")
    else:
        console.warn(f"Four-eyes rule: {policy.rule}. `batch show`, approvals and the dashboard say so.")
    return 0
