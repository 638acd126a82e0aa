"""``mfa-migrate simulate`` (the plan) and ``mfa-migrate whatif`` (two settings compared).

Both read a workspace (``--workspace FILE``) or load one from ``--datafile`` and ``--tenant`` first,
through the shared source options in :mod:`analysis.cli.common`. The plan stays in the workspace as
table ``plan`` (what-if: ``plan_a``/``plan_b`` and ``plan_diff``); ``--out`` exports it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from analysis.console import Console
from analysis.errors import UserError

#: Rows of per-user differences the what-if prints before pointing at --out.
SHOWN_CHANGES = 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``simulate`` and ``whatif``."""
    from analysis.cli import common

    p = sub.add_parser(
        "simulate",
        help="predict what the Migration Utility would do for every user (the plan)",
        description=(
            "Run the Migration Utility's sync rules (docs/simulate.md) over the workspace and write the "
            "plan: one row per user and per phone, backup phone, device, OATH token and default-method "
            "outcome."
        ),
    )
    common.add_source_args(p)
    p.add_argument(
        "--settings", type=Path, metavar="TOML", help="what-if settings (default: the utility's defaults)"
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PLAN.csv",
        help="write the plan: username,upn,item,ref,action,value,reason (.csv, .parquet or .json)",
    )
    common.add_reveal_arg(p)
    p.set_defaults(handler=run_simulate)

    w = sub.add_parser(
        "whatif",
        help="compare the plans of two settings files",
        description=(
            "Simulate twice, with the first and the second --settings file, and show the outcome counts side "
            "by side and every user whose outcome differs."
        ),
    )
    common.add_source_args(w)
    w.add_argument(
        "--settings",
        type=Path,
        action="append",
        metavar="TOML",
        required=True,
        help="give exactly two: the current settings (A), then the what-if (B)",
    )
    w.add_argument(
        "--out",
        type=Path,
        metavar="DIFF.csv",
        help="write every differing outcome with before/after (.csv, .parquet or .json)",
    )
    common.add_reveal_arg(w)
    w.set_defaults(handler=run_whatif)


def _wrote(console: Console, n: int, what: str, path: Path, reveal: bool) -> None:
    from analysis.output.masking import MASKED_NOTE, REVEALED_NOTE

    console.info(f"Wrote {n:,} {what} to {path}")
    console.info(REVEALED_NOTE if reveal else MASKED_NOTE)


def _settings(path: Path | None) -> Any:
    from analysis import settingsfile

    return settingsfile.read(path).whatif


def _check_out(path: Path | None) -> None:
    from analysis.output.tables import check_path

    if path is not None:
        check_path(path)


def run_simulate(args: argparse.Namespace, console: Console) -> int:
    from analysis.cli import common
    from analysis.simulate import runner as sim

    settings = _settings(args.settings)
    _check_out(args.out)
    with common.workspace_connection(args, console) as con:
        plan = sim.simulate(con, settings, "plan")
        counts = sim.summary(con, plan)
        print_summary(console, counts, settings.describe())
        if args.out:
            n = sim.export(con, plan, str(args.out), reveal_phones=args.reveal_phones)
            _wrote(console, n, "plan rows", args.out, args.reveal_phones)
    return 0


def print_summary(console: Console, counts: dict[str, Any], describe: str) -> None:
    """The one-screen summary: users per action, outcomes per item and action (with who can write them)."""
    users = counts["users"]
    total = sum(users.values())
    outcomes = sum(sum(a.values()) for a in counts["outcomes"].values())
    console.info(f"Plan for {total:,} MFA Server users, {outcomes:,} method outcomes")
    console.info(f"Settings: {describe}")
    console.table(
        ["user action", "users", "share"],
        [(a, f"{n:,}", f"{100 * n / total:.1f}%" if total else "") for a, n in users.items()],
        title="Users",
    )
    rows = []
    for item, actions in counts["outcomes"].items():
        for action, n in actions.items():
            rows.append((item, action, f"{n:,}"))
    if rows:
        console.table(["item", "action", "outcomes"], rows, title="Outcomes")
    w = counts["writable"]
    if w:
        console.info(
            "Who carries them out: "
            + ", ".join(f"{k} {w[k]:,}" for k in ("graph", "utility", "none") if k in w)
            + " (graph = this tool, utility = Microsoft's Migration Utility, none = nothing to write)"
        )


def run_whatif(args: argparse.Namespace, console: Console) -> int:
    from analysis.cli import common
    from analysis.simulate import runner as sim

    if len(args.settings) != 2:
        raise UserError(
            f"whatif needs exactly two --settings files (current, then what-if); got {len(args.settings)}"
        )
    a, b = (_settings(p) for p in args.settings)
    _check_out(args.out)
    with common.workspace_connection(args, console) as con:
        result = sim.compare(con, sim.simulate(con, a, "plan_a"), sim.simulate(con, b, "plan_b"))
        console.info(f"A: {args.settings[0]}  ({a.describe()})")
        console.info(f"B: {args.settings[1]}  ({b.describe()})")
        console.table(
            ["item", "action", "A", "B", "delta"],
            [(i, act, f"{x:,}", f"{y:,}", f"{d:+,}" if d else "0") for i, act, x, y, d in result["counts"]],
            title="Outcomes (A vs B)",
        )
        console.info(
            f"{result['changed_users']:,} users have a different outcome "
            f"({result['changed_outcomes']:,} outcomes differ)"
        )
        if result["changed_outcomes"]:
            shown = sim.diff_head(con, SHOWN_CHANGES, result["diff"])
            console.table(
                ["username", "item", "ref", "A action", "A value", "B action", "B value"],
                shown,
                title=f"Changed outcomes (first {min(SHOWN_CHANGES, result['changed_outcomes'])})",
            )
        if args.out:
            n = sim.export_diff(con, str(args.out), reveal_phones=args.reveal_phones, diff=result["diff"])
            _wrote(console, n, "changed outcomes", args.out, args.reveal_phones)
        elif result["changed_outcomes"] > SHOWN_CHANGES:
            console.info("Give --out DIFF.csv to write all of them.")
    return 0
