"""``mfa-migrate progress``: the re-registration campaign since a baseline, per tier and per wave.

Reads the workspace's history of snapshots and reads (docs/progress.md); the plan is reused when it is
current for the settings, else simulated first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import settingsfile
from analysis.console import Console
from analysis.errors import UserError

if TYPE_CHECKING:  # imported when the command runs: keeps every other command's start fast
    from analysis.campaign import progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``progress`` command."""
    p = sub.add_parser(
        "progress",
        help="the re-registration campaign since a baseline: registrations per tier and wave, still P1",
        description=(
            "Compare every user's Entra methods at the baseline with the latest observation (snapshots "
            "loaded, verify and refresh reads; docs/progress.md): per priority tier at the baseline and "
            "per wave (batch), how many registered Microsoft Authenticator, a passkey (FIDO2) or a "
            "software OATH token since, who is still P1, and the days left to the retirement date."
        ),
    )
    p.add_argument(
        "--workspace", type=Path, metavar="FILE", required=True, help="a workspace written by `load`"
    )
    p.add_argument(
        "--baseline",
        default="first",
        metavar="DATE|first",
        help="the observation to compare with: 'first' (default), or the last one on or before DATE (UTC)",
    )
    p.add_argument(
        "--settings", type=Path, metavar="FILE", help="settings file (TOML): [retirement], what-if"
    )
    p.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    p.add_argument(
        "--out",
        type=Path,
        metavar="P1.csv",
        help="write the users who are still P1 (.csv, .parquet or .json)",
    )
    p.set_defaults(handler=run)


def _baseline(text: str) -> str | dt.date:
    if text.strip().lower() == "first":
        return "first"
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--baseline {text!r}: give 'first' or a day like 2026-12-01") from None


def run(args: argparse.Namespace, console: Console) -> int:
    from analysis.campaign import progress
    from analysis.cli.common import workspace_connection
    from analysis.output.tables import check_path, write_frame
    from analysis.simulate.runner import ensure_plan

    loaded = settingsfile.read(args.settings)
    baseline = _baseline(args.baseline)
    out = check_path(args.out) if args.out else None
    with workspace_connection(args, console) as con:
        plan = ensure_plan(con, loaded.whatif)
        figures, still = progress.measure(con, plan, loaded.retirement, baseline)
    if out is not None:
        n = write_frame(still, out)  # CSV through the one CSV writer (formula cells defused)
        if not args.json:
            console.info(f"wrote {out}: {n:,} users still P1")
    if args.json:
        console.info(json.dumps(figures.to_dict(), indent=2, sort_keys=True))
        return 0
    _show(figures, console)
    return 0


def _show(p: progress.Progress, console: Console) -> None:
    from analysis.campaign.progress import COUNTS

    left = p.days_left
    when = f"{left} days left" if left > 0 else "today" if left == 0 else f"{-left} days ago"
    delivery = "" if p.retirement.phones_stop else " (own telecom provider: phones keep working)"
    console.info(
        f"progress from {_at(p.baseline)} to {_at(p.latest)} ({p.observations} observations); "
        f"phone codes stop on {p.retirement.date.isoformat()} ({when}){delivery}; still P1: {p.still_p1:,}"
    )
    heads = ["users", "observed", "Authenticator", "passkey", "software OATH", "any"]
    console.table(
        ["tier at baseline", *heads, "P1 now", "P2 now", "P3 now"],
        [[t["tier"], *(t[k] for k in COUNTS), t["now_p1"], t["now_p2"], t["now_p3"]] for t in p.tiers],
        title="Registered since the baseline, per tier",
    )
    if p.waves:
        console.table(
            ["wave", *heads, "P1 at baseline", "P1 now"],
            [[w["wave"], *(w[k] for k in COUNTS), w["base_p1"], w["now_p1"]] for w in p.waves],
            title="Per wave (batch)",
        )
    console.table(
        ["observed", "P1", "P2", "P3", "unknown", "registered since baseline"],
        [
            [_at(t["observed_at"]), t["p1"], t["p2"], t["p3"], t["unknown"], t["registered"]]
            for t in p.timeline
        ],
        title="Over time",
    )


def _at(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
