"""Automatic synchronization: reload, re-plan, and migrate changed users on an interval (docs/executing.md).

Each round:

1. (optionally) take a fresh tenant snapshot from Graph into ``--tenant``;
2. reload the workspace from the datafile and the snapshot;
3. plan every user; users whose plan says ``migrate`` and who are in no unfinished batch are put into
   new batches: ``sync-<time>-changed`` for users migrated before whose data changed since, and
   ``sync-<time>-new`` for users never migrated;
4. with ``--auto-approve changed-only`` the *changed* batch is approved automatically (recorded as
   approver ``sync:auto-approve changed-only``); a first migration always waits for a person to run
   ``batch approve`` (between rounds: sync holds the workspace only while a round runs);
5. every approved (or interrupted) ``sync-`` batch is run and verified, through the same code as
   ``batch run`` and ``batch verify``.

SIGTERM or SIGINT stops cleanly (the command line sets the stop event): the running batch stops within
seconds with its journal intact, and the next round (or ``batch run``) resumes it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.console import Console
from analysis.errors import UserError

AUTO_APPROVER = "sync:auto-approve changed-only"


@dataclass(frozen=True)
class AutorunOptions:
    """What ``mfa-migrate sync`` was asked to do (built by the command line from its flags)."""

    workspace: Path
    datafile: Path
    tenant: Path
    settings: Path | None = None
    actor: str | None = None
    auto_approve: str | None = None  # "changed-only" or None
    snapshot: bool = False  # take a fresh tenant snapshot each round
    once: bool = False
    concurrency: int = 4
    tap_out: Path | None = None


def parse_interval(text: str) -> float:
    """``90s``, ``15m``, ``1h``, ``1.5``(seconds) → seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text or "")
    if not match:
        raise UserError(f"--interval {text!r}: give a number with s, m or h, e.g. 15m")
    value = float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]
    if value <= 0:
        raise UserError("--interval must be more than zero")
    return value


def run_sync(
    args: AutorunOptions,
    console: Console,
    *,
    interval: float,
    connect: Callable[[], Any],
    stop: threading.Event,
) -> int:
    """Rounds until ``stop`` is set (the command line sets it on SIGINT/SIGTERM) or ``--once``."""
    rounds = 0
    while not stop.is_set():
        rounds += 1
        started = time.monotonic()
        sync_round(args, console, connect=connect, stop=stop, round_no=rounds)
        if args.once or stop.is_set():
            break
        console.info(f"round {rounds} took {time.monotonic() - started:.1f}s; next in {interval:g}s")
        stop.wait(interval)
    console.info("sync stopped")
    return 0


def sync_round(
    args: AutorunOptions,
    console: Console,
    *,
    connect: Callable[[], Any],
    stop: threading.Event,
    round_no: int,
) -> None:
    from analysis import settingsfile
    from analysis.execute.actors import Actor
    from analysis.execute.batches import approve, current_actor
    from analysis.execute.selection import Selection, create_batch
    from analysis.execute.store import writer
    from analysis.simulate.runner import simulate
    from analysis.sources import sidecar
    from analysis.sources.workspace import load
    from analysis.sqlfiles import sql

    loaded = settingsfile.read(args.settings)
    actor = current_actor(args.actor)
    connection = connect()
    try:
        if args.snapshot:
            from analysis.graph.collect import take_snapshot

            take_snapshot(connection.client, args.tenant, console, tenant_id=connection.tenant_id, force=True)
        if stop.is_set():
            return
        # the writer role for the round only: between rounds a person can approve, or run, a batch
        command = f"mfa-migrate sync (round {round_no})"
        with sidecar.writer_role(args.workspace, command):
            load(args.workspace, args.datafile, args.tenant, console)
            with writer(args.workspace, command, console) as con:
                plan = simulate(con, loaded.whatif, table="plan_batch")
                try:
                    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                    groups = {
                        kind: [int(r[0]) for r in con.execute(sql(query)).fetchall()]
                        for kind, query in (
                            ("changed", "execute/autorun.changed"),
                            ("new", "execute/autorun.new"),
                        )
                    }
                    created = {}
                    for kind, ids in groups.items():
                        if ids:
                            made = create_batch(
                                con,
                                name=f"sync-{stamp}-{round_no}-{kind}",
                                plan=plan,
                                selection=Selection(user_ids=ids),
                                options=loaded.execute,
                                actor=actor,
                            )
                            created[kind] = made.batch
                            console.info(
                                f"round {round_no}: batch {made.batch.name} with {made.users} {kind} user(s)"
                            )
                finally:
                    con.execute(sql("execute/replan.drop_plan_batch"))
                if "changed" in created and args.auto_approve == "changed-only":
                    approve(
                        con,
                        created["changed"].batch_id,
                        Actor.current(via=AUTO_APPROVER),
                        "automatic: users migrated before, changed since",
                        automatic=True,
                    )
                if "new" in created:
                    console.info(
                        f"batch {created['new'].name} holds users never migrated; approve it with "
                        f"`mfa-migrate batch approve {created['new'].batch_id}` to include it in the next "
                        "round"
                    )
                for batch_id, name in con.execute(sql("execute/autorun.runnable")).fetchall():
                    if stop.is_set():
                        return
                    try:
                        _run_and_verify(args, console, con, connection, batch_id, name, actor, stop, round_no)
                    except UserError as exc:  # e.g. the plan changed and the approval was voided: next batch
                        console.warn(f"round {round_no}: batch {name} not run: {exc}")
    finally:
        connection.close()


def _run_and_verify(
    args: AutorunOptions,
    console: Console,
    con: Any,
    connection: Any,
    batch_id: int,
    name: str,
    actor: str,
    stop: threading.Event,
    round_no: int,
) -> None:
    """Run one sync batch (resuming it if interrupted) and verify it, as ``batch run`` + ``batch verify``."""
    from analysis.execute.replan import replan_drifted, replan_hash
    from analysis.execute.runner import RunOptions, run_batch
    from analysis.execute.verify import verify_batch

    result = run_batch(
        con,
        connection.client,
        batch_id,
        console,
        actor=actor,
        options=RunOptions(
            concurrency=args.concurrency, tap_out=args.tap_out, datafile=args.datafile, stop=stop
        ),
        replan=lambda b: replan_hash(con, b),
        replan_users=lambda b, lives: replan_drifted(con, b, lives),
    )
    console.info(
        f"round {round_no}: batch {name} is {result.batch.state} ({result.done} done, "
        f"{result.drifted} drifted, {result.failed} failed, {result.pending} not finished)"
    )
    if result.batch.state in ("completed", "partial") and not stop.is_set():
        v = verify_batch(con, connection.client, batch_id, console, actor=actor)
        console.info(f"round {round_no}: batch {name} verified {100 * v.agreement:.1f}%, {v.marked} marked")
