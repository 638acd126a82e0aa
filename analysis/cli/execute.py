"""CLI of execution: ``batch create|list|show|approve|run|verify|rollback``, ``rollout``, ``cutover``,
``sync``.

Everything that changes the tenant needs an approved batch or an explicit ``--confirm``. Who did what
is recorded: ``--as NAME`` names the person, else the operating-system user is recorded.
"""

from __future__ import annotations

import argparse
from contextlib import closing
from pathlib import Path
from typing import Any

from analysis.console import Console
from analysis.errors import UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands to the parser."""
    _register_batch(sub)
    _register_rollout(sub)
    _register_cutover(sub)
    _register_sync(sub)


def _workspace_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace", required=True, type=Path, metavar="FILE", help="the workspace (DuckDB file)"
    )


def _as_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", metavar="NAME", help="who is doing this (default: the OS user)")


def _batch_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("batch", metavar="N", help="batch number or name")


def _concurrency_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, help="$batch requests in flight (default 4)")


def _open(path: Path) -> Any:
    from analysis.execute.store import open_workspace

    return open_workspace(path)


# ---------------------------------------------------------------------------------------- batch


def _register_batch(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.cli.connection import add_connection_arguments

    batch = sub.add_parser("batch", help="create, approve, run, verify and roll back batches of users")
    bsub = batch.add_subparsers(dest="batch_command", metavar="ACTION", required=True)

    p = bsub.add_parser("create", help="freeze the plan rows of chosen users into a draft batch")
    _workspace_arg(p)
    p.add_argument("--name", required=True, help="a unique name, e.g. wave-1")
    choose = p.add_mutually_exclusive_group(required=True)
    choose.add_argument("--users", type=Path, metavar="FILE", help="one username or UPN per line (or a CSV)")
    choose.add_argument(
        "--group", metavar="NAME_OR_ID", help="an Entra group's transitive members (snapshot)"
    )
    choose.add_argument(
        "--where", metavar="SQL", help="SQL predicate on the plan, e.g. \"item = 'oath_token'\""
    )
    p.add_argument("--settings", type=Path, metavar="TOML", help="simulator settings (+ optional [execute])")
    _as_arg(p)
    p.set_defaults(handler=_batch_create)

    p = bsub.add_parser("list", help="the batches in the workspace")
    _workspace_arg(p)
    p.set_defaults(handler=_batch_list)

    p = bsub.add_parser("show", help="a batch's summary, rows, events and verification")
    _workspace_arg(p)
    _batch_arg(p)
    p.add_argument("--rows", action="store_true", help="list every plan row")
    p.add_argument("--journal", action="store_true", help="list the journal")
    p.set_defaults(handler=_batch_show)

    p = bsub.add_parser("approve", help="approve a draft batch (binds to its plan hash)")
    _workspace_arg(p)
    _batch_arg(p)
    p.add_argument("--note", help="approval note (change ticket, ...)")
    _as_arg(p)
    p.set_defaults(handler=_batch_approve)

    p = bsub.add_parser("run", help="carry out an approved batch through Graph (resumes an interrupted run)")
    _workspace_arg(p)
    _batch_arg(p)
    add_connection_arguments(p)
    p.add_argument(
        "--datafile", type=Path, help="MFA Server datafile for OATH secrets (default: the loaded one)"
    )
    p.add_argument(
        "--tap-out", type=Path, metavar="FILE", help="where Temporary Access Passes go (mode 0600)"
    )
    _concurrency_arg(p)
    p.add_argument(
        "--settle",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="after an interrupted run, wait this long after its last unanswered write before re-reading "
        "(default 60: Graph's timeout for these calls)",
    )
    _as_arg(p)
    p.set_defaults(handler=_batch_run)

    p = bsub.add_parser(
        "verify", help="compare predicted with actual for a batch that ran; mark migrated users"
    )
    _workspace_arg(p)
    _batch_arg(p)
    add_connection_arguments(p)
    _concurrency_arg(p)
    _as_arg(p)
    p.set_defaults(handler=_batch_verify)

    p = bsub.add_parser("rollback", help="undo this batch's own writes from the recorded before-images")
    _workspace_arg(p)
    _batch_arg(p)
    add_connection_arguments(p)
    p.add_argument("--confirm", action="store_true", help="really change the tenant")
    _concurrency_arg(p)
    _as_arg(p)
    p.set_defaults(handler=_batch_rollback)


def _batch_create(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import Selection, create_batch, current_actor, read_settings
    from analysis.simulate.runner import simulate
    from analysis.sqlfiles import sql

    settings, options = read_settings(args.settings)
    con = _open(args.workspace)
    try:
        simulate(con, settings, table="plan_batch")
        try:
            created = create_batch(
                con,
                name=args.name,
                plan_table="plan_batch",
                selection=Selection(users_file=args.users, group=args.group, where=args.where),
                settings=settings,
                options=options,
                actor=current_actor(args.actor),
            )
        finally:
            con.execute(sql("execute/drop_plan_batch"))
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
        rule = " by someone other than the creator" if b.options.require_distinct_approver else ""
        console.info(
            f"Next: review with `batch show {b.batch_id}`, then approve it{rule}: `batch approve "
            f"{b.batch_id}`."
        )
    finally:
        con.close()
    return 0


def _batch_list(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import list_batches

    con = _open(args.workspace)
    try:
        rows = list_batches(con)
    finally:
        con.close()
    if not rows:
        console.info("No batches yet. Create one with `mfa-migrate batch create`.")
        return 0
    console.table(
        ["#", "name", "state", "users", "graph writes", "created by", "created", "approved by", "agreement"],
        rows,
    )
    return 0


def _batch_show(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import events, get_batch
    from analysis.execute.journal import entries
    from analysis.sqlfiles import sql

    con = _open(args.workspace)
    try:
        b = get_batch(con, args.batch)
        console.table(
            ["field", "value"],
            [
                ["batch", f"{b.batch_id} ({b.name})"],
                ["state", b.state],
                ["selection", b.selection],
                ["settings", b.settings.describe()],
                ["plan hash", b.plan_hash],
                ["created", f"{b.created_at:%Y-%m-%d %H:%M} by {b.created_by}"],
                [
                    "approved",
                    f"{b.approved_at:%Y-%m-%d %H:%M} by {b.approved_by}" if b.approved_at else "not approved",
                ],
                ["approval note", b.approval_note or ""],
                [
                    "handoff",
                    b.options.handoff
                    + (f" ({b.options.migration_group})" if b.options.migration_group else ""),
                ],
                ["approver must differ", "yes" if b.options.require_distinct_approver else "no"],
                ["agreement", "" if b.agreement is None else f"{100 * b.agreement:.1f}%"],
            ],
            title=f"Batch {b.batch_id}",
        )
        console.table(
            ["item", "action", "writable", "rows"],
            con.execute(sql("execute/show_summary"), [b.batch_id]).fetchall(),
            title="Plan",
        )
        console.table(
            ["status", "users"],
            con.execute(sql("execute/user_status_counts"), [b.batch_id]).fetchall(),
            title="Users",
        )
        problems = con.execute(sql("execute/show_problems"), [b.batch_id]).fetchall()
        if problems:
            console.table(["user", "status", "detail"], problems, title="Users not done")
        if args.rows:
            console.table(
                ["#", "username", "item", "ref", "action", "value", "writable", "reason"],
                con.execute(sql("execute/show_rows"), [b.batch_id]).fetchall(),
                title="Rows",
            )
        console.table(
            ["at", "actor", "event", "from", "to", "detail"], events(con, b.batch_id), title="Events"
        )
        if args.journal:
            console.table(
                [
                    "seq",
                    "at",
                    "run",
                    "kind",
                    "key",
                    "step",
                    "method",
                    "url",
                    "body",
                    "status",
                    "outcome",
                    "response",
                    "actor",
                ],
                [[*r[:2], r[2][:8], *r[3:]] for r in entries(con, b.batch_id)],
                title="Journal",
            )
        diffs = con.execute(sql("execute/show_differences"), [b.batch_id]).fetchall()
        if diffs:
            console.table(
                ["user", "item", "action", "predicted", "actual"], diffs, title="Verification differences"
            )
    finally:
        con.close()
    return 0


def _batch_approve(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import approve, current_actor

    con = _open(args.workspace)
    try:
        b = approve(con, args.batch, current_actor(args.actor), args.note)
    finally:
        con.close()
    console.info(f"Approved batch {b.batch_id} ({b.name}) as {b.approved_by}; plan hash {b.plan_hash[:16]}.")
    return 0


def _connect(args: argparse.Namespace, console: Console) -> Any:
    from analysis.cli.connection import connect_from_args

    if getattr(args, "concurrency", 1) < 1:
        raise UserError("--concurrency must be at least 1")
    return connect_from_args(args, console, max_connections=getattr(args, "concurrency", 4) + 4)


def _batch_run(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import current_actor
    from analysis.execute.runner import RunOptions, replan_drifted, replan_hash, run_batch, summary_rows

    with closing(_open(args.workspace)) as con, closing(_connect(args, console)) as connection:
        result = run_batch(
            con,
            connection.client,
            args.batch,
            console,
            actor=current_actor(args.actor),
            options=RunOptions(
                concurrency=args.concurrency,
                tap_out=args.tap_out,
                datafile=args.datafile,
                settle_seconds=args.settle,
            ),
            replan=lambda b: replan_hash(con, b),
            replan_users=lambda b, lives: replan_drifted(con, b, lives),
        )
    b = result.batch
    if result.nothing_to_do:
        console.info(f"Batch {b.batch_id} ({b.name}) is {b.state}: nothing to write.")
        return 0
    console.table(["", "count"], summary_rows(result), title=f"Batch {b.batch_id} ({b.name}): {b.state}")
    if result.pending:
        console.warn(f"{result.pending} user(s) not finished; run `batch run {b.batch_id}` again to resume")
        return 1
    if b.state == "completed":
        console.info(f"Next: `batch verify {b.batch_id}`.")
        return 0
    console.warn(f"batch {b.batch_id} is {b.state}: `batch show {b.batch_id}` lists the users not done")
    return 1


def _batch_verify(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import current_actor
    from analysis.execute.verify import verify_batch

    with closing(_open(args.workspace)) as con, closing(_connect(args, console)) as connection:
        v = verify_batch(
            con,
            connection.client,
            args.batch,
            console,
            actor=current_actor(args.actor),
            concurrency=args.concurrency,
        )
    console.table(
        ["outcome", "rows"],
        [
            ["agrees", v.agrees],
            ["differs", v.differs],
            ["handed to the utility", v.handed_off],
            ["skipped", v.skipped],
            ["not applicable", v.not_applicable],
        ],
        title=f"Verification of batch {v.batch.batch_id} ({v.batch.name}): "
        f"{100 * v.agreement:.1f}% agreement",
    )
    if v.differences:
        console.table(
            ["user", "item", "action", "predicted", "actual"], v.differences[:50], title="Differences"
        )
    console.info(f"{v.marked} user(s) marked migrated; batch is {v.batch.state}.")
    return 0 if v.differs == 0 else 1


def _batch_rollback(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import current_actor
    from analysis.execute.rollback import rollback_batch

    with closing(_open(args.workspace)) as con:
        if not args.confirm:
            rollback_batch(con, None, args.batch, console, actor=current_actor(args.actor), confirm=False)  # type: ignore[arg-type]
        with closing(_connect(args, console)) as connection:
            r = rollback_batch(
                con,
                connection.client,
                args.batch,
                console,
                actor=current_actor(args.actor),
                confirm=True,
                concurrency=args.concurrency,
            )
    console.info(
        f"Batch {r.batch.batch_id} ({r.batch.name}) is {r.batch.state}: {r.users} user(s), {r.restored} "
        "write(s) undone, "
        f"{r.already} already as before."
    )
    for line in r.changed_since[:50]:
        console.warn(f"left as it is: {line}")
    if len(r.changed_since) > 50:
        console.warn(f"... and {len(r.changed_since) - 50} more: `batch show {r.batch.batch_id}` lists them")
    for line in r.failed[:50]:
        console.warn(f"not rolled back: {line}")
    return 0 if not r.failed else 1


# ------------------------------------------------------------------------------- rollout / cutover / sync


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
        _workspace_arg(p)
        if name != "status":
            p.add_argument("group", metavar="GROUP", help="group display name or id")
        add_connection_arguments(p)
        _as_arg(p)
        p.set_defaults(handler=_rollout, rollout_action=name)


def _rollout(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import current_actor
    from analysis.execute.rollout import add_group, remove_group, status

    with closing(_open(args.workspace)) as con, closing(_connect(args, console)) as connection:
        actor = current_actor(args.actor)
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
    _workspace_arg(p)
    p.add_argument("--domain", required=True, help="the federated domain, e.g. contoso.com")
    p.add_argument("--to", required=True, choices=("reject", "enforce", "accept"), help="the new behaviour")
    p.add_argument("--confirm", action="store_true", help="really change the tenant")
    p.add_argument("--force", action="store_true", help="reject even though readiness has open blockers")
    p.add_argument("--settings", type=Path, metavar="TOML", help="settings for the readiness check")
    add_connection_arguments(p)
    _as_arg(p)
    p.set_defaults(handler=_cutover)


def _cutover(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import current_actor, read_settings
    from analysis.execute.rollout import cutover

    settings, _ = read_settings(args.settings)
    with closing(_open(args.workspace)) as con, closing(_connect(args, console)) as connection:
        return cutover(
            con,
            connection.client,
            console,
            args.domain,
            args.to,
            settings=settings,
            confirm=args.confirm,
            force=args.force,
            actor=current_actor(args.actor),
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
    _workspace_arg(p)
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
    _concurrency_arg(p)
    _as_arg(p)
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
    return run_sync(
        options, console, interval=parse_interval(args.interval), connect=lambda: _connect(args, console)
    )
