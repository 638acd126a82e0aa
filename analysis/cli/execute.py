"""CLI of execution: ``batch create|list|show|approve|explain|run|verify|rollback``, ``rollout``,
``cutover``, ``sync``.

Everything that changes the tenant needs an approved batch or an explicit ``--confirm``. Who did what
is recorded: the operating-system account always (from the kernel, not the environment), the Entra user
when the operator signs in (``--sign-in``); ``--as NAME`` adds a display label that proves nothing and
never satisfies the four-eyes rule (:mod:`analysis.execute.actors`, :mod:`analysis.execute.policy`). Running,
verifying and rolling back are in :mod:`analysis.cli.execute_run`; what only reads a batch (``list``,
``show``, ``explain``) in :mod:`analysis.cli.execute_read`; Staged Rollout, the cut-over and ``sync`` in
:mod:`analysis.cli.rollout`.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.cli.signin import add_sign_in_arguments
from analysis.console import Console
from analysis.errors import UserError

if TYPE_CHECKING:  # imported when a command runs, not at start-up
    from analysis.execute.options import ExecOptions


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands to the parser."""
    from analysis.cli import execute_read, execute_run, policy, rollout

    batch = sub.add_parser("batch", help="create, approve, run, verify and roll back batches of users")
    bsub = batch.add_subparsers(dest="batch_command", metavar="ACTION", required=True)
    _register_batch(bsub)
    execute_read.register(bsub)
    execute_run.register(bsub)
    rollout.register(sub)
    policy.register(sub)


def workspace_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", required=True, type=Path, metavar="FILE", help="the workspace (DuckDB file)"
    )


def as_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="actor",
        metavar="NAME",
        help="a display label recorded next to your OS user; it proves nothing and never counts as a "
        "different approver",
    )


def batch_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("batch", metavar="N", help="batch number or name")


def open_workspace(path: Path) -> Any:
    """A short write (create, approve): the workspace for as long as the command takes."""
    from analysis.execute.store import open_workspace as open_

    return open_(path)


def open_reader(path: Path) -> Any:
    """A read (list, show, explain): works beside a running batch, the dashboard and other readers."""
    from analysis.execute.store import open_reader as open_

    return open_(path)


def writer(path: Path, command: str, console: Console) -> Any:
    """Long work that changes the tenant: the writer role (one at a time) and a pausing connection."""
    from analysis.execute.store import writer as writer_

    return writer_(path, command, console)


# ---------------------------------------------------------------------------------------- batch


def _register_batch(bsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = bsub.add_parser("create", help="freeze the plan rows of chosen users into a draft batch")
    workspace_arg(p)
    p.add_argument("--name", required=True, help="a unique name, e.g. wave-1")
    choose = p.add_mutually_exclusive_group(required=True)
    choose.add_argument("--users", type=Path, metavar="FILE", help="one username or UPN per line (or a CSV)")
    choose.add_argument(
        "--group", metavar="NAME_OR_ID", help="an Entra group's transitive members (snapshot)"
    )
    choose.add_argument(
        "--where",
        metavar="SQL",
        help="SQL predicate on the plan, e.g. \"item = 'oath_token'\" or \"tier = 'P1' AND item = 'phone'\"",
    )
    choose.add_argument(
        "--tier",
        choices=("P1", "P2", "P3"),
        help="the users of one priority tier after the phone retirement date ([retirement] settings; "
        "P1: nothing usable then)",
    )
    p.add_argument("--settings", type=Path, metavar="TOML", help="simulator settings (+ optional [execute])")
    p.add_argument(
        "--only-ready",
        action="store_true",
        help="leave out selected users with a blocker finding (readiness); they are counted, not taken",
    )
    p.add_argument(
        "--campaign",
        action="store_true",
        help="a re-registration campaign: write nothing of the plan, issue each user a Temporary Access "
        "Pass (to the run's --tap-out file only), e.g. with --tier P1",
    )
    p.add_argument(
        "--campaign-group",
        metavar="GROUP",
        help="with --campaign: first add each user to this communication group (display name or id; "
        "default: [execute] campaign_group); rollback removes the users it added",
    )
    as_arg(p)
    add_sign_in_arguments(p)
    p.set_defaults(handler=_batch_create)

    p = bsub.add_parser("approve", help="approve a draft batch (binds to its plan hash)")
    workspace_arg(p)
    batch_arg(p)
    p.add_argument("--note", help="approval note (change ticket, ...)")
    as_arg(p)
    add_sign_in_arguments(p)
    p.set_defaults(handler=_batch_approve)


def _batch_create(args: argparse.Namespace, console: Console) -> int:
    from analysis import settingsfile
    from analysis.execute import gate, handoffs
    from analysis.execute.policy import read_policy
    from analysis.execute.selection import Selection, create_batch
    from analysis.simulate.runner import simulate
    from analysis.sqlfiles import sql

    settings = settingsfile.read(args.settings)
    who = actor_from_args(args, console)
    con = open_workspace(args.workspace)
    try:
        plan = simulate(con, settings.whatif, table="plan_batch")
        try:
            found = gate.findings(con, plan, settings.retirement)
            created = create_batch(
                con,
                name=args.name,
                plan=plan,
                selection=Selection(
                    users_file=args.users,
                    group=args.group,
                    where=args.where,
                    tier=args.tier,
                    retirement=settings.retirement,
                ),
                options=_campaign_options(settings.execute, args),
                actor=who,
                exclude=gate.blocked(found) if args.only_ready else frozenset(),
                why_excluded="not ready (a blocker finding; --only-ready)",
            )
            gate.store(con, created.batch.batch_id, found)
        finally:
            con.execute(sql("execute/replan.drop_plan_batch"))
        b = created.batch
        console.info(
            f"Created batch {b.batch_id} ({b.name}): {created.users} user(s), {created.rows} plan row(s), "
            f"plan hash {b.plan_hash[:16]}, state draft, by {b.created_by}."
        )
        if created.excluded:
            console.info(
                "Selected but nothing to migrate: " + ", ".join(f"{a} {n}" for a, n in created.excluded) + "."
            )
        if created.overlapping:
            console.warn(f"{created.overlapping} of these users are also in another unfinished batch")
        checked = gate.of_batch(con, b.batch_id)
        if checked is not None and checked.blocked_users:
            console.warn(
                f"readiness: {checked.sentence()}. Run with --only-ready to leave users with blocker "
                "findings out."
            )
        elif checked is not None:
            console.info(f"Readiness: {checked.sentence()}.")
        console.info(f"Hand-off: {handoffs.of_batch(con, b).sentence()}.")
        policy = read_policy(con)
        if policy.four_eyes:
            rule = " by someone else" + (
                " signed in as another Entra user"
                if policy.approval == "signed_in"
                else " (another OS account)"
            )
        else:
            rule = ""
            console.warn(f"The four-eyes rule is {policy.rule}.")
        console.info(
            f"Next: review with `batch show {b.batch_id}`, then approve it{rule}: `batch approve "
            f"{b.batch_id}`."
        )
    finally:
        con.close()
    return 0


def _campaign_options(options: ExecOptions, args: argparse.Namespace) -> ExecOptions:
    """The batch's options: a campaign's (``--campaign``, its ``--campaign-group``) or the file's."""
    if args.campaign_group is not None and not args.campaign:
        raise UserError("--campaign-group goes with --campaign (a re-registration campaign batch)")
    if not args.campaign:
        return options
    group = options.campaign_group if args.campaign_group is None else args.campaign_group.strip()
    return replace(options, campaign=True, campaign_group=group)


def _batch_approve(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute import gate, handoffs
    from analysis.execute.batches import approve
    from analysis.execute.policy import read_policy

    who = actor_from_args(args, console)
    con = open_workspace(args.workspace)
    try:
        b = approve(con, args.batch, who, args.note)
        policy = read_policy(con)
        checked = gate.of_batch(con, b.batch_id)
        handed = handoffs.of_batch(con, b)
    finally:
        con.close()
    console.info(f"Approved batch {b.batch_id} ({b.name}) as {b.approved_by}; plan hash {b.plan_hash[:16]}.")
    if checked is not None:
        say = console.warn if checked.blocked_users else console.info
        say(f"readiness of its users: {checked.sentence()}")
    console.info(f"Hand-off: {handed.sentence()}.")
    if not policy.four_eyes:
        console.warn(f"The four-eyes rule is {policy.rule}; nobody else looked at this batch.")
    return 0


def actor_from_args(args: argparse.Namespace, console: Console) -> Any:
    """Who runs this command: this process's OS account, the ``--as`` label, and the Entra user when
    ``--sign-in`` was given (a device-code sign-in against the tenant; :mod:`analysis.cli.signin`)."""
    from analysis.execute.actors import Actor

    entra = None
    if getattr(args, "sign_in", False):
        from analysis.cli.signin import sign_in

        entra = sign_in(args, console)
    return Actor.current(args.actor, entra)


def connected_actor(args: argparse.Namespace, connection: Any) -> str:
    """The actor of a command that talks to Graph: this process's OS account and ``--as`` label, and,
    when the operator signed in with ``--device-code``, the Entra user of that sign-in (the sign-in is
    made here, before anything is written, so the record names who wrote)."""
    from analysis.execute.actors import Actor, EntraUser
    from analysis.graph.auth import DeviceCodeAuth
    from analysis.graph.errors import AuthError

    entra = None
    if isinstance(connection.auth, DeviceCodeAuth):
        try:
            connection.auth.token()
        except AuthError as exc:
            raise UserError(f"sign-in failed: {exc}") from None
        who = connection.auth.signed_in
        entra = EntraUser(who.upn, who.oid, who.tenant_id) if who else None
    return Actor.current(args.actor, entra).text
