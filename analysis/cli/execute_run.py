"""CLI of the commands that talk to Graph for a batch: ``batch run``, ``batch verify``,
``batch rollback``.

SIGINT (Ctrl+C) and SIGTERM stop a run or rollback within seconds: nothing new is sent, answers on
their way are recorded, the batch ends ``partial`` with the reason, and running the command again
resumes it. An unreachable Graph is reported on stderr as it happens (what, since when, next try) and
given up after ``--give-up-after`` seconds, the same clean way.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from analysis.cli.execute import as_arg, batch_arg, connected_actor, workspace_arg, writer
from analysis.console import Console
from analysis.errors import UserError


def register(bsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.cli.connection import add_connection_arguments

    p = bsub.add_parser("run", help="carry out an approved batch through Graph (resumes an interrupted run)")
    workspace_arg(p)
    batch_arg(p)
    add_connection_arguments(p)
    p.add_argument(
        "--datafile", type=Path, help="MFA Server datafile for OATH secrets (default: the loaded one)"
    )
    p.add_argument(
        "--tap-out", type=Path, metavar="FILE", help="where Temporary Access Passes go (mode 0600)"
    )
    concurrency_arg(p)
    active_users_arg(p)
    settle_arg(p)
    as_arg(p)
    p.set_defaults(handler=_batch_run)

    p = bsub.add_parser(
        "verify", help="compare predicted with actual for a batch that ran; mark migrated users"
    )
    workspace_arg(p)
    batch_arg(p)
    add_connection_arguments(p)
    concurrency_arg(p)
    as_arg(p)
    p.set_defaults(handler=_batch_verify)

    p = bsub.add_parser(
        "rollback",
        help="undo this batch's own writes from the journal and before-images (also for a crashed run)",
    )
    workspace_arg(p)
    batch_arg(p)
    add_connection_arguments(p)
    p.add_argument("--confirm", action="store_true", help="really change the tenant")
    concurrency_arg(p)
    active_users_arg(p)
    settle_arg(p)
    as_arg(p)
    p.set_defaults(handler=_batch_rollback)


def concurrency_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, help="$batch requests in flight (default 4)")


def active_users_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--active-users",
        type=int,
        default=400,
        metavar="N",
        help="users worked on at once (default 400); fewer spreads a batch's writes over time",
    )


def settle_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--settle",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="after an interrupted run, wait this long after its last unanswered write before re-reading "
        "(default 60: Graph's timeout for these calls)",
    )


@contextmanager
def stop_on_signals(console: Console) -> Iterator[threading.Event]:
    """An event that SIGINT and SIGTERM set (instead of killing the process) while the block runs."""
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}

    def _stop(signum: int, _frame: Any) -> None:
        if not stop.is_set():
            console.warn(
                f"received {signal.Signals(signum).name}: stopping within seconds; what was sent is "
                "journaled, and running the same command again resumes"
            )
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def check_flags(args: argparse.Namespace) -> None:
    """Refuse bad numbers before anything is opened or signed in to."""
    from analysis.graph.connect import parse_write_budget

    if getattr(args, "concurrency", 1) < 1:
        raise UserError("--concurrency must be at least 1")
    if getattr(args, "active_users", 1) < 1:
        raise UserError("--active-users must be at least 1")
    if hasattr(args, "write_budget"):
        parse_write_budget(args.write_budget)


def connect(args: argparse.Namespace, console: Console, stop: threading.Event | None = None) -> Any:
    """The Graph connection for the parsed flags; every wait in it ends when ``stop`` is set."""
    from analysis.cli.connection import connect_from_args
    from analysis.graph.reachability import Reachability

    check_flags(args)
    return connect_from_args(
        args,
        console,
        max_connections=getattr(args, "concurrency", 4) + 4,
        reachability=Reachability(report=console.warn, stop=stop),
    )


def _batch_run(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.replan import replan_drifted, replan_hash
    from analysis.execute.runner import RunOptions, run_batch, summary_rows

    check_flags(args)
    with (
        stop_on_signals(console) as stop,
        writer(args.workspace, f"mfa-migrate batch run {args.batch}", console) as con,
        closing(connect(args, console, stop)) as connection,
    ):
        result = run_batch(
            con,
            connection.client,
            args.batch,
            console,
            actor=connected_actor(args, connection),
            options=RunOptions(
                concurrency=args.concurrency,
                active_users=args.active_users,
                tap_out=args.tap_out,
                datafile=args.datafile,
                settle_seconds=args.settle,
                stop=stop,
            ),
            replan=lambda b: replan_hash(con, b),
            replan_users=lambda b, lives: replan_drifted(con, b, lives),
        )
    b = result.batch
    if result.nothing_to_do:
        console.info(f"Batch {b.batch_id} ({b.name}) is {b.state}: nothing to write.")
        return 0
    console.table(["", "count"], summary_rows(result), title=f"Batch {b.batch_id} ({b.name}): {b.state}")
    if result.stopped is not None:
        console.warn(
            f"batch {b.batch_id} stopped before it was finished ({result.stopped}); it is {b.state}, and "
            f"`batch run {b.batch_id}` resumes it"
        )
        return 1
    if b.state == "completed":
        console.info(f"Next: `batch verify {b.batch_id}`.")
        return 0
    console.warn(f"batch {b.batch_id} is {b.state}: `batch show {b.batch_id}` lists the users not done")
    return 1


def _batch_verify(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.verify import verify_batch

    check_flags(args)
    with (
        writer(args.workspace, f"mfa-migrate batch verify {args.batch}", console) as con,
        closing(connect(args, console)) as connection,
    ):
        v = verify_batch(
            con,
            connection.client,
            args.batch,
            console,
            actor=connected_actor(args, connection),
            concurrency=args.concurrency,
        )
    console.table(
        ["outcome", "rows"],
        [
            ["agrees", v.agrees],
            ["differs", v.differs],
            ["registered since", v.registered],
            ["handed off, confirmed", v.handed_off],
            ["not migrated", v.not_migrated],
            ["skipped", v.skipped],
            ["not applicable", v.not_applicable],
        ],
        title=f"Verification of batch {v.batch.batch_id} ({v.batch.name}): "
        f"{100 * v.agreement:.1f}% agreement of what Graph was asked to write",
    )
    if v.differences:
        console.table(
            ["user", "item", "action", "predicted", "actual"], v.differences[:50], title="Differences"
        )
    if v.handoffs is not None and v.handoffs.rows:
        console.info(
            f"Hand-off: {v.handoffs.sentence()}. Devices and software OATH count as registered once a read "
            "shows them in Entra, handed off only once Graph confirmed the hand-off, else not migrated."
        )
    console.info(
        f"Users fully migrated: {v.marked} of {v.users} (every row agrees or is registered; marked "
        f"migrated); batch is {v.batch.state}."
    )
    if v.pending:
        console.table(
            ["user", "pending"], v.pending[:50], title=f"{len(v.pending)} user(s) not fully migrated"
        )
    return 0 if v.differs == 0 else 1


def _batch_rollback(args: argparse.Namespace, console: Console) -> int:
    from analysis.execute.batches import current_actor
    from analysis.execute.rollback import rollback_batch

    check_flags(args)
    with writer(args.workspace, f"mfa-migrate batch rollback {args.batch}", console) as con:
        if not args.confirm:
            rollback_batch(con, None, args.batch, console, actor=current_actor(args.actor), confirm=False)  # type: ignore[arg-type]
        with stop_on_signals(console) as stop, closing(connect(args, console, stop)) as connection:
            r = rollback_batch(
                con,
                connection.client,
                args.batch,
                console,
                actor=connected_actor(args, connection),
                confirm=True,
                concurrency=args.concurrency,
                active_users=args.active_users,
                stop=stop,
                settle_seconds=args.settle,
            )
    console.info(
        f"Batch {r.batch.batch_id} ({r.batch.name}) is {r.batch.state}: {r.users} user(s), {r.restored} "
        f"write(s) undone, {r.already} already as before."
    )
    for line in r.changed_since[:50]:
        console.warn(f"left as it is: {line}")
    if len(r.changed_since) > 50:
        console.warn(f"... and {len(r.changed_since) - 50} more: `batch show {r.batch.batch_id}` lists them")
    for line in r.failed[:50]:
        console.warn(f"not rolled back: {line}")
    if r.stopped:
        console.warn(f"rollback stopped before it was finished ({r.stopped}); run it again to resume")
    return 0 if not r.failed and not r.stopped else 1
