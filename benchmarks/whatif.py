"""Benchmark: the dashboard's What-if at N users (default 1,000,000), without the browser.

Times the work the What-if page does after *Compare* (``analysis.dashboard.plans._fill_whatif`` and
``_whatif``), step by step with the same core calls and queries: simulate the what-if settings in memory
(``whatif_mem.plan_b``), compare it with the current ``plan`` (``whatif_mem.plan_diff``), the what-if
plan's readiness score alone under the same ``[retirement]`` settings (``tenant_score``: the score and
blocked deltas), and the page's three reads (the Sankey flow, the first 5,000 differences, the writable
split). Two baselines, measured in the same run on the same workspace: simulating the current settings
once, and the way the page did it before (the what-if stored in the workspace as ``plan_b`` /
``plan_diff``, a full readiness run, the flow as a second join of both plans). Target (issue 13 item 11):
≤ 5 s at 1,000,000 users.

    .venv/bin/python benchmarks/whatif.py --users 1000000 --workdir /work/bench [--whatif device-limit]
"""

from __future__ import annotations

import argparse
import os
import resource
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
#: The what-ifs to choose from (``--whatif``). ``selection`` (every method but "phone"): the page's own
#: example and the heaviest kind, since it changes outcomes in every stage from the phones on (1.3M of
#: 3.8M outcomes at 1M users). ``device-limit`` (3 instead of 5): the question the product exists for,
#: which changes a few percent of the outcomes.
WHATIFS: dict[str, dict[str, dict[str, object]]] = {
    "selection": {"migrate": {"methods": ["backup_phone", "mobile_app", "oath_token"]}},
    "device-limit": {"limits": {"device_limit": 3}},
}
BEFORE = "before: "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1_000_000, help="MFA Server users to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="what-ifs to time (median reported)")
    parser.add_argument("--workdir", type=Path, help="keep generated data here (reused)")
    parser.add_argument("--whatif", choices=sorted(WHATIFS), default="selection", help="the what-if to time")
    args = parser.parse_args()

    ws, stage = prepare(args.users, args.seed, workdir(args.workdir, "bench-whatif-"))
    con = workspace.connect(ws)
    steps: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}  # CPU seconds of both DuckDB threads: steadier than wall on a busy host

    def timed(name: str, work):  # type: ignore[no-untyped-def]
        start, cpu = time.perf_counter(), time.process_time()
        result = work()
        steps.setdefault(name, []).append(time.perf_counter() - start)
        cpus.setdefault(name, []).append(time.process_time() - cpu)
        return result

    try:
        base = timed("baseline: simulate the current settings", lambda: simulate(con, Settings.default()))
        other = Settings.from_dict(WHATIFS[args.whatif], source="benchmark")
        for _ in range(args.repeat):
            whatif = timed("simulate in memory", lambda: simulate(con, other, table="whatif_mem.plan_b"))
            result = timed("compare", lambda w=whatif: compare(con, base, w))
            timed(
                "readiness score alone",
                lambda w=whatif: readiness.tenant_score(con, w, retirement=Retirement()),
            )
            tables = {"plan_a": base.table, "plan_b": whatif.table, "diff": result["diff"]}
            timed("flow, differences, writable", lambda t=tables: _reads(con, t))
        rss = [_peak_mb()]
        for _ in range(args.repeat):
            stored = timed(BEFORE + "simulate into plan_b", lambda: simulate(con, other, table="plan_b"))
            timed(BEFORE + "compare into plan_diff", lambda w=stored: compare(con, base, w))
            timed(
                BEFORE + "full readiness of plan_b",
                lambda w=stored: readiness.run(con, w, retirement=Retirement()).score.tenant,
            )
            tables = {"plan_a": base.table, "plan_b": stored.table, "diff": "plan_diff"}
            timed(BEFORE + "flow as a join, reads", lambda t=tables: _reads(con, t, joined=True))
        rss.append(_peak_mb())
    finally:
        con.close()

    rows = [(name, statistics.median(t)) for name, t in steps.items()]
    now = sum(sec for name, sec in rows if not name.startswith(("baseline", BEFORE)))
    before = sum(sec for name, sec in rows if name.startswith(BEFORE))
    baseline = dict(rows)["baseline: simulate the current settings"]
    cpu = {name: statistics.median(t) for name, t in cpus.items()}
    print(f"## What-if ({args.whatif}), {args.users:,} users (machine: 2 cores)\n")
    print("| step | seconds (median) | CPU seconds (median) |\n|---|---|---|")
    for name, seconds in stage.items():
        print(f"| setup: {name} | {seconds:.1f} | |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {cpu[name]:.2f} |")
    cpu_now = sum(c for name, c in cpu.items() if not name.startswith(("baseline", BEFORE)))
    cpu_before = sum(c for name, c in cpu.items() if name.startswith(BEFORE))
    print(
        f"| **what-if total** | **{now:.2f}** (target ≤ {TARGET_SECONDS:.0f} s: "
        f"{'met' if now <= TARGET_SECONDS else 'NOT met'}) | {cpu_now:.2f} |"
    )
    print(f"| what-if total, as before | {before:.2f} | {cpu_before:.2f} |")
    print(f"| before / now | {before / now:.2f} | {cpu_before / cpu_now:.2f} |")
    print(f"| what-if / baseline simulate | {now / baseline:.2f} |")
    print(f"| peak RSS: baseline and what-ifs in memory / then also stored | {rss[0]:,} / {rss[1]:,} MB |")
    print(f"| load average (1, 5, 15 min) at the end | {', '.join(f'{x:.1f}' for x in os.getloadavg())} |")
    return 0


#: The flow the page drew before it was read from the comparison: a second join of both plans.
JOINED_FLOW = """
SELECT coalesce(a.item, b.item) AS item, a.action AS a, b.action AS b, count(*) AS n
FROM plan AS a FULL OUTER JOIN plan_b AS b
  ON a.user_id = b.user_id AND a.item = b.item AND coalesce(a.ref, '') = coalesce(b.ref, '')
GROUP BY ALL ORDER BY item, n DESC
"""


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _reads(con, tables: dict[str, str], joined: bool = False) -> None:  # type: ignore[no-untyped-def]
    con.execute(JOINED_FLOW if joined else sql("dashboard/plans.whatif_flow", **tables)).df()
    con.execute(sql("dashboard/plans.whatif_diff", **tables), {"limit": 5000}).df()
    con.execute(sql("dashboard/plans.whatif_writable", **tables)).df()


if __name__ == "__main__":
    sys.exit(main())
