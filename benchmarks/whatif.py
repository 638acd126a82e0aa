"""Benchmark: the dashboard's What-if at N users (default 1,000,000), without the browser.

Times the work the What-if page does after *Compare* (``analysis.dashboard.plans._fill_whatif`` and
``_whatif``), step by step with the same core calls and queries: simulate the what-if settings into
``plan_b``, compare it with the current ``plan`` (``plan_diff``), readiness of the what-if plan under
the same ``[retirement]`` settings (the score and blocked deltas), and the page's three reads (the
Sankey flow, the first 5,000 differences, the writable split). The baseline, measured in the same run
on the same workspace: simulating the current settings once (what any what-if must at least redo
without reusing stages). Target (issue 13 item 11): ≤ 5 s at 1,000,000 users.

    .venv/bin/python benchmarks/whatif.py --users 1000000 --workdir /work/bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import prepare, workdir  # noqa: E402

from analysis.readiness import checks as readiness  # noqa: E402
from analysis.readiness.retirement import Retirement  # noqa: E402
from analysis.simulate.runner import compare, simulate  # noqa: E402
from analysis.simulate.settings import Settings  # noqa: E402
from analysis.sources import workspace  # noqa: E402
from analysis.sqlfiles import sql  # noqa: E402

TARGET_SECONDS = 5.0
#: A selection change (every method but "phone"): the page's own example and the heaviest kind, since it
#: changes outcomes in every stage from the phones on.
WHATIF = {"migrate": {"methods": ["backup_phone", "mobile_app", "oath_token"]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1_000_000, help="MFA Server users to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="what-ifs to time (median reported)")
    parser.add_argument("--workdir", type=Path, help="keep generated data here (reused)")
    args = parser.parse_args()

    ws, stage = prepare(args.users, args.seed, workdir(args.workdir, "bench-whatif-"))
    con = workspace.connect(ws)
    steps: dict[str, list[float]] = {}

    def timed(name: str, work):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = work()
        steps.setdefault(name, []).append(time.perf_counter() - start)
        return result

    try:
        base = timed("baseline: simulate the current settings", lambda: simulate(con, Settings.default()))
        other = Settings.from_dict(WHATIF, source="benchmark")
        for _ in range(args.repeat):
            whatif = timed("simulate into plan_b", lambda: simulate(con, other, table="plan_b"))
            timed("compare (plan_diff)", lambda w=whatif: compare(con, base, w))
            timed(
                "readiness of plan_b (score, blocked)",
                lambda w=whatif: readiness.run(con, w, retirement=Retirement()).score.tenant,
            )
            timed("flow, differences, writable", lambda: _reads(con))
    finally:
        con.close()

    rows = [(name, statistics.median(t)) for name, t in steps.items()]
    total = sum(s for name, s in rows if not name.startswith("baseline"))
    baseline = dict(rows)["baseline: simulate the current settings"]
    print(f"## What-if, {args.users:,} users (machine: 2 cores)\n")
    print("| step | seconds (median) |\n|---|---|")
    for name, seconds in stage.items():
        print(f"| setup: {name} | {seconds:.1f} |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    print(
        f"| **what-if total** | **{total:.2f}** (target ≤ {TARGET_SECONDS:.0f} s: "
        f"{'met' if total <= TARGET_SECONDS else 'NOT met'}) |"
    )
    print(f"| what-if / baseline simulate | {total / baseline:.2f} |")
    print(f"| load average (1, 5, 15 min) at the end | {', '.join(f'{x:.1f}' for x in os.getloadavg())} |")
    return 0


def _reads(con) -> None:  # type: ignore[no-untyped-def]
    con.execute(sql("dashboard/plans.whatif_flow")).df()
    con.execute(sql("dashboard/plans.whatif_diff"), {"limit": 5000}).df()
    con.execute(sql("dashboard/plans.whatif_writable")).df()


if __name__ == "__main__":
    sys.exit(main())
