"""Benchmark: every readiness check on a generated tenant (default 1,000,000 MFA Server users).

Generates the data with ``analysis.sample``, loads it, simulates the plan, then times readiness alone
(the shared temp tables plus every check, the score and the runbook; not the simulation, not the
export). Target (issue 4): at most 10 s for 1,000,000 users on the 2-core machine. Prints a markdown
table; the simulation's own time is shown for scale, as the ratio readiness / simulate.

    .venv/bin/python benchmarks/readiness.py --users 1000000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import prepare, workdir  # noqa: E402

from analysis.readiness import checks as readiness  # noqa: E402
from analysis.simulate.runner import simulate  # noqa: E402
from analysis.simulate.settings import Settings  # noqa: E402
from analysis.sources import workspace  # noqa: E402

TARGET_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000, help="MFA Server users to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs to time (median reported)")
    parser.add_argument("--workdir", type=Path, help="keep generated data here (reused)")
    args = parser.parse_args()

    work = workdir(args.workdir, "bench-readiness-")
    ws, stage = prepare(args.users, args.seed, work)

    settings = Settings.default()
    con = workspace.connect(ws)
    try:
        start = time.perf_counter()
        plan = simulate(con, settings, table="plan")
        stage["simulate"] = time.perf_counter() - start
        plan_rows = con.execute("SELECT count(*) FROM plan").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()

    con = workspace.connect(ws, read_only=True)  # readiness needs no write access
    runs = []
    try:
        for _ in range(args.repeat):
            cpu = time.process_time()
            report = readiness.run(con, plan)
            runs.append((report.timings["readiness"], time.process_time() - cpu, report))
    finally:
        con.close()
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    report = sorted(runs, key=lambda r: r[0])[len(runs) // 2][2]
    findings = sum(r.count for r in report.results)

    print(f"## Readiness, {args.users:,} users (machine: 2 cores)\n")
    print("| measure | value |\n|---|---|")
    for name, seconds in stage.items():
        print(f"| {name} | {seconds:.1f} s |")
    print(f"| plan rows | {plan_rows:,} |")
    print(f"| checks | {len(report.results)} |")
    print(f"| findings | {findings:,} |")
    print(f"| readiness: shared temp tables | {report.timings['prepare']:.2f} s |")
    print(f"| readiness: all checks | {report.timings['checks']:.2f} s |")
    print(f"| readiness: score + runbook | {report.timings['score_runbook']:.2f} s |")
    print(f"| **readiness total (median of {len(runs)})** | **{wall:.2f} s** (CPU {cpu:.1f} s) |")
    print(f"| target | ≤ {TARGET_SECONDS:.0f} s: {'met' if wall <= TARGET_SECONDS else 'NOT met'} |")
    if "simulate" in stage:
        print(f"| ratio readiness / simulate | {wall / stage['simulate']:.2f} |")
    print("\nSlowest checks:\n\n| check | findings | seconds |\n|---|---|---|")
    for r in sorted(report.results, key=lambda r: -r.seconds)[:8]:
        print(f"| {r.check.id} | {r.count:,} | {r.seconds:.2f} |")
    print(f"\nscore {report.score.tenant['score']} ({report.score.status}); data in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
