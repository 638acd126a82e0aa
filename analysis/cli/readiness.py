"""``mfa-migrate readiness``: simulate, run every check, and export the report (HTML, JSON, CSV).

The format follows each ``--out`` file's suffix; ``--out`` may be given several times to write several
formats from one run. ``--baseline OLD.json`` compares with an earlier JSON report (new / fixed / still
open per check). ``--fail-on`` turns findings into a non-zero exit code for scheduled runs and CI.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import settingsfile
from analysis.cli.common import add_reveal_arg, add_source_args, workspace_connection
from analysis.console import Console

if TYPE_CHECKING:  # imported when the command runs: pandas would slow every other command's start
    from analysis.readiness import checks as readiness

#: Exit code when ``--fail-on`` finds findings of that severity (2 is a usage error, 1 a bug).
EXIT_FINDINGS = 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``readiness`` command."""
    p = sub.add_parser(
        "readiness",
        help="report who will migrate cleanly, what blocks the rest, and where the runbook stands",
        description=(
            "Simulate the Migration Utility under the settings, run every readiness check "
            "(docs/checks.md), score users per tenant and MFA Server group, mark the runbook steps, and "
            "write the report. The format follows the --out suffix: .html (self-contained, opens "
            "offline), .json (docs/report-schema.md) or .csv (one row per finding)."
        ),
    )
    add_source_args(p)
    p.add_argument("--settings", type=Path, metavar="FILE", help="what-if settings (TOML); else the defaults")
    p.add_argument(
        "--out",
        type=Path,
        action="append",
        default=[],
        metavar="REPORT",
        help="report file: REPORT.html, REPORT.json or REPORT.csv (repeat for several formats)",
    )
    p.add_argument(
        "--per-user",
        type=Path,
        metavar="USERS.csv",
        help="who is not ready and why: one row per user with every reason and its remediation "
        "(.csv, .parquet or .json)",
    )
    p.add_argument(
        "--baseline",
        type=Path,
        metavar="OLD.json",
        help="an earlier JSON report: adds new / fixed / still-open findings per check",
    )
    p.add_argument(
        "--fail-on",
        choices=("never", "blocker", "warning"),
        default="never",
        help=f"exit {EXIT_FINDINGS} when a finding of this severity or worse exists (default: never)",
    )
    add_reveal_arg(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    from analysis.errors import UserError
    from analysis.output.tables import check_path
    from analysis.readiness import checks as readiness
    from analysis.readiness import report as export
    from analysis.readiness.report import baseline, notready
    from analysis.simulate.runner import simulate

    loaded = settingsfile.read(args.settings)
    settings = loaded.whatif
    if not args.out and not args.per_user:
        raise UserError("give --out REPORT.html|.json|.csv, --per-user USERS.csv, or both")
    outs = [export.check_path(p) for p in args.out]  # fail before the long part, not after
    per_user = check_path(args.per_user, "--per-user") if args.per_user else None
    old = baseline.load(args.baseline) if args.baseline else None
    with workspace_connection(args, console) as con:
        rep = readiness.run(con, simulate(con, settings), retirement=loaded.retirement)
    if old is not None:
        rep.baseline = baseline.compare(rep, old, str(args.baseline))
    for path in outs:
        export.write(rep, path, args.reveal_phones)
        console.info(f"wrote {path}")
    if per_user is not None:
        n = notready.write(rep, per_user, args.reveal_phones)
        console.info(f"wrote {per_user}: {n:,} users not ready, each with every reason and its remediation")
    if args.reveal_phones:
        from analysis.output.masking import REVEALED_NOTE

        console.warn(REVEALED_NOTE)
    _summarise(rep, console)
    return EXIT_FINDINGS if _fails(rep, args.fail_on) else 0


def _summarise(rep: readiness.Report, console: Console) -> None:
    t = rep.score.tenant
    score = "n/a" if t["score"] is None else f"{t['score']:.1f}"
    console.info(
        f"readiness {score}/100 ({rep.score.status}): {t['users']} users, {t['ready']} ready, "
        f"{t['with_warnings']} with warnings, {t['blocked']} blocked"
    )
    ret = rep.retirement
    left = ret["days_left"]
    when = f"in {left} days" if left > 0 else "today" if left == 0 else f"{-left} days ago"
    tiers = ", ".join(f"{t} {n}" for t, n in ret["tiers"].items() if t != "unknown" or n)
    delivery = "" if ret["phone_delivery"] == "microsoft" else " (own telecom provider: phones keep working)"
    console.info(f"phone codes stop on {ret['date']} ({when}){delivery}; priority tiers: {tiers}")
    fired = [r for r in rep.results if r.count]
    if fired:
        console.table(
            ["severity", "check", "findings", "users"],
            [[r.check.severity, r.check.id, r.count, r.users] for r in fired],
            title="Checks with findings",
        )
    if rep.score.gates:
        console.warn("tenant-level blockers: " + ", ".join(rep.score.gates))
    if rep.baseline is not None:
        tot = rep.baseline.totals()
        console.info(
            f"since the baseline: {tot['new']} new, {tot['fixed']} fixed, {tot['still_open']} still open"
        )


def _fails(rep: readiness.Report, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    worst = {"blocker": ("blocker",), "warning": ("blocker", "warning")}[fail_on]
    return any(r.count and r.check.severity in worst for r in rep.results)
