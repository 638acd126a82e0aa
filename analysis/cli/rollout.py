"""CLI of Staged Rollout, the federation cut-over and ``sync`` (the interval loop)."""

from __future__ import annotations

import argparse
from contextlib import closing
from pathlib import Path

from analysis.cli.execute import as_arg, connected_actor, workspace_arg, writer
from analysis.cli.execute_run import concurrency_arg, connect, stop_on_signals
from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _register_rollout(sub)
    _register_cutover(sub)
    _register_sync(sub)


def _register_rollout(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.cli.connection import add_connection_arguments

    rollout = sub.add_parser("rollout", help="Staged Rollout of cloud MFA (delegated sign-in)")
    rsub = rollout.add_subparsers(dest="rollout_command", metavar="ACTION", required=True)
    for name, help_text in (
        ("status", "the MFA staged rollout policy and its groups"),
        ("add-group", "add a group to MFA staged rollout"),
        ("remove-group", "remove a group from MFA staged rollout"),
    ):
        p = rsub.add_parser(name, help=help_text)
        workspace_arg(p)
        if name != "status":
            p.add_argument("group", metavar="GROUP", help="group display name or id")
        add_connection_arguments(p)
        as_arg(p)
        p.set_defaults(handler=_rollout, rollout_action=name)


def _rollout(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.rollout import add_group, remove_group, status

    command = f"mfa-migrate rollout {args.rollout_action}"
    with writer(args.workspace, command, console) as con, closing(connect(args, console)) as connection:
        actor = connected_actor(args, connection)
        if args.rollout_action == "status":
            return status(con, connection.client, console)
        if args.rollout_action == "add-group":
            return add_group(con, connection.client, console, args.group, actor=actor)
        return remove_group(con, connection.client, console, args.group, actor=actor)


def _register_cutover(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.cli.connection import add_connection_arguments

    p = sub.add_parser(
        "cutover", help="set a federated domain's federatedIdpMfaBehavior (reject = Entra does MFA)"
    )
    workspace_arg(p)
    p.add_argument("--domain", required=True, help="the federated domain, e.g. contoso.com")
    p.add_argument("--to", required=True, choices=("reject", "enforce", "accept"), help="the new behaviour")
    p.add_argument("--confirm", action="store_true", help="really change the tenant")
    p.add_argument("--force", action="store_true", help="reject even though readiness has open blockers")
    p.add_argument("--settings", type=Path, metavar="TOML", help="settings for the readiness check")
    add_connection_arguments(p)
    as_arg(p)
    p.set_defaults(handler=_cutover)


def _cutover(args: argparse.Namespace, console: Console) -> int:
    from analysis import settingsfile
    from analysis.execute.rollout import cutover

    settings = settingsfile.read(args.settings).whatif
    command = f"mfa-migrate cutover {args.domain}"
    with writer(args.workspace, command, console) as con, closing(connect(args, console)) as connection:
        return cutover(
            con,
            connection.client,
            console,
            args.domain,
            args.to,
            settings=settings,
            confirm=args.confirm,
            force=args.force,
            actor=connected_actor(args, connection),
        )


def _register_sync(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.cli.connection import add_connection_arguments

    p = sub.add_parser(
        "sync", help="reload, re-plan and migrate changed users on an interval (stops on SIGTERM)"
    )
    p.add_argument("--datafile", required=True, type=Path, help="MFA Server datafile (or Export Users CSV)")
    p.add_argument(
        "--tenant", required=True, type=Path, help="tenant snapshot directory, reloaded each round"
    )
    workspace_arg(p)
    p.add_argument("--interval", default="15m", help="time between rounds: 90s, 15m, 1h (default 15m)")
    p.add_argument(
        "--auto-approve", choices=("changed-only",), help="approve batches of changed users automatically"
    )
    p.add_argument("--settings", type=Path, metavar="TOML")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument(
        "--snapshot", action="store_true", help="take a fresh --tenant snapshot from Graph each round"
    )
    add_connection_arguments(p)
    p.add_argument("--tap-out", type=Path, metavar="FILE")
    concurrency_arg(p)
    as_arg(p)
    p.set_defaults(handler=_sync)


def _sync(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.autorun import AutorunOptions, parse_interval, run_sync

    options = AutorunOptions(
        workspace=args.workspace,
        datafile=args.datafile,
        tenant=args.tenant,
        settings=args.settings,
        actor=args.actor,
        auto_approve=args.auto_approve,
        snapshot=args.snapshot,
        once=args.once,
        concurrency=args.concurrency,
        tap_out=args.tap_out,
    )
    interval = parse_interval(args.interval)
    with stop_on_signals(console) as stop:
        return run_sync(
            options, console, interval=interval, connect=lambda: connect(args, console, stop), stop=stop
        )
