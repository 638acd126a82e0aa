"""CLI of the batch commands that only read: ``batch list``, ``batch show``, ``batch explain``.

They open the workspace as readers (:func:`analysis.cli.execute.open_reader`), so they answer beside a
running batch or an open dashboard.
"""

from __future__ import annotations

import argparse

from analysis.cli.execute import batch_arg, open_reader, workspace_arg
from analysis.console import Console
from analysis.errors import UserError


def register(bsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = bsub.add_parser("list", help="the batches in the workspace")
    workspace_arg(p)
    p.set_defaults(handler=_batch_list)

    p = bsub.add_parser("show", help="a batch's summary, rows, events and verification")
    workspace_arg(p)
    batch_arg(p)
    p.add_argument("--rows", action="store_true", help="list every plan row")
    p.add_argument("--journal", action="store_true", help="list the journal")
    p.set_defaults(handler=_batch_show)

    p = bsub.add_parser(
        "explain", help="the requests a run would send now, in order (secrets redacted); sends nothing"
    )
    workspace_arg(p)
    batch_arg(p)
    p.add_argument(
        "--graph-url",
        default="https://graph.microsoft.com",
        help="the Graph service root the run will use (it appears in group references)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per request instead of a table")
    p.set_defaults(handler=_batch_explain)


def _batch_list(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import list_batches
    from analysis.execute.store import has_batches

    con = open_reader(args.workspace)
    try:
        rows = list_batches(con) if has_batches(con) else []
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
    from analysis.execute.policy import read_policy
    from analysis.execute.store import has_batches
    from analysis.execute.verify import figures as verify_figures
    from analysis.sqlfiles import sql

    con = open_reader(args.workspace)
    try:
        if not has_batches(con):
            raise UserError(f"no batch {args.batch!r}: the workspace has no batches yet")
        b = get_batch(con, args.batch)
        console.table(
            ["field", "value"],
            [
                ["batch", f"{b.batch_id} ({b.name})"],
                ["kind", "re-registration campaign (passes only)" if b.options.campaign else "migration"],
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
                *([["campaign group", b.options.campaign_group]] if b.options.campaign_group else []),
                [
                    "temporary access passes",
                    f"yes, {b.options.tap_lifetime_minutes} min"
                    + (", one-time" if b.options.tap_usable_once else "")
                    if b.options.tap or b.options.campaign
                    else "no",
                ],
                ["four-eyes rule", read_policy(con).rule],
                ["verification", verify_figures(con, b.batch_id, b.options.campaign) or "not verified"],
            ],
            title=f"Batch {b.batch_id}",
        )
        console.table(
            ["item", "action", "writable", "rows"],
            con.execute(sql("execute/show.summary"), {"batch_id": b.batch_id}).fetchall(),
            title="Plan",
        )
        console.table(
            ["status", "users"],
            con.execute(sql("execute/run.status_counts"), {"batch_id": b.batch_id}).fetchall(),
            title="Users",
        )
        problems = con.execute(
            sql("execute/show.problem_users"), {"batch_id": b.batch_id, "limit": 100}
        ).fetchall()
        if problems:
            console.table(
                ["user", "status", "detail"],
                [(u, s, d) for u, _, s, d, _ in problems],
                title="Users not done",
            )
        if args.rows:
            console.table(
                ["#", "username", "item", "ref", "action", "value", "writable", "reason"],
                con.execute(sql("execute/show.rows"), {"batch_id": b.batch_id}).fetchall(),
                title="Rows",
            )
        console.table(
            ["at", "actor", "event", "from", "to", "detail", "OS user", "Entra user"],
            events(con, b.batch_id),
            title="Events",
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
                    "ids",
                ],
                [[*r[:2], r[2][:8], *r[3:]] for r in entries(con, b.batch_id)],
                title="Journal",
            )
        diffs = con.execute(sql("execute/show.differences"), {"batch_id": b.batch_id}).fetchall()
        if diffs:
            console.table(
                ["user", "item", "action", "predicted", "actual"], diffs, title="Verification differences"
            )
    finally:
        con.close()
    return 0


def _batch_explain(args: argparse.Namespace, console: Console) -> int:
    import json

    from analysis.execute.explain import explain_batch

    con = open_reader(args.workspace)
    try:
        ex = explain_batch(con, args.batch, graph_url=args.graph_url)
    finally:
        con.close()
    b = ex.batch
    if ex.note:
        console.info(ex.note)
    if args.json:
        for p in ex.requests:
            line = {"round": p.round, "user": p.username, "step": p.step, "method": p.method, "url": p.url}
            console.info(json.dumps({**line, "body": p.body, "note": p.note or None}, sort_keys=True))
        return 0
    console.table(
        ["round", "user", "step", "method", "url", "body", "note"],
        [
            [
                p.round,
                p.username,
                p.step,
                p.method,
                p.url,
                "" if p.body is None else json.dumps(p.body),
                p.note,
            ]
            for p in ex.requests
        ],
        title=f"Batch {b.batch_id} ({b.name}): {len(ex.requests)} request(s), {ex.users} user(s) to do",
    )
    if ex.not_sent:
        console.table(["user", "step", "not sent because"], ex.not_sent, title="Steps a run would not send")
    console.info(
        "A run re-reads every user first: a user whose state drifted is skipped, and a step already in "
        "place is not sent, so it can only send less than this. Rounds go out in $batch envelopes of 20."
    )
    return 0
