"""Benchmark: the SQL simulator against the plain Python reference on a generated tenant.

Generates the data with ``analysis.sample`` (default 1,000,000 MFA Server users, seed 7), loads it into
a workspace, then, each in its own fresh process so peak RSS belongs to it alone:

* ``simulate``: ``analysis.simulate.runner.simulate`` (settings: the defaults), timed ``--repeat`` times, the
  median reported; the connection is opened before the clock starts.
  Generation and load run in children of their own (``common.prepare``), so nothing of theirs is
  counted in the simulator's peak.
* ``reference``: ``tests/simulate/reference.py`` on the same workspace: read the tables into Python,
  then plan user by user. Phones are read from ``mfa_phones`` (``phones="table"``), the same input
  the SQL reads, so both sides do the same work. The time includes reading the tables.

Both plans are reduced to counts per (item, action, writable) and compared. Targets (issue 3):
simulate 1M users in at most 15 s and at least 20 times faster than the reference.

    .venv/bin/python benchmarks/simulate.py --users 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 15.0
TARGET_RATIO = 20.0

# Each measurement runs in a child process: a clean heap, so ru_maxrss is that step's peak alone.
SIMULATE_CHILD = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from analysis.sources import workspace
from analysis.simulate.settings import Settings
from analysis.simulate.runner import simulate
con = workspace.connect(sys.argv[2])
times, cpus = [], []
for _ in range(int(sys.argv[3])):
    start, cpu = time.perf_counter(), time.process_time()
    simulate(con, Settings.default(), "plan")
    times.append(time.perf_counter() - start)
    cpus.append(time.process_time() - cpu)
rows = con.execute("SELECT count(*) FROM plan").fetchone()[0]
counts = con.execute("SELECT item, action, writable, count(*) FROM plan GROUP BY ALL").fetchall()
con.close()
print(json.dumps({"seconds": statistics.median(times), "runs": times, "rows": rows,
                  "cpu": statistics.median(cpus),
                  "counts": sorted([list(c) for c in counts]),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

REFERENCE_CHILD = r"""
import json, resource, sys, time
from collections import Counter
sys.path.insert(0, sys.argv[1])
import importlib.util
spec = importlib.util.spec_from_file_location("reference", sys.argv[1] + "/tests/simulate/reference.py")
reference = importlib.util.module_from_spec(spec)
sys.modules["reference"] = reference  # dataclasses look their module up there
spec.loader.exec_module(reference)
import duckdb
from analysis.simulate.settings import Settings
con = duckdb.connect(sys.argv[2], read_only=True)
start, cpu = time.perf_counter(), time.process_time()
ref = reference.Reference(con, phones="table")
loaded = time.perf_counter() - start
rows = ref.plan(Settings.default())
seconds = time.perf_counter() - start
cpu = time.process_time() - cpu
con.close()
counts = Counter((r[4], r[6], r[8]) for r in rows)
print(json.dumps({"seconds": seconds, "load_seconds": loaded, "rows": len(rows), "cpu": cpu,
                  "counts": sorted([[*k, n] for k, n in counts.items()]),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code, str(ROOT), *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"benchmark step failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1_000_000, help="MFA Server users to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="simulate runs to time (median reported)")
    parser.add_argument("--no-reference", action="store_true", help="time the simulator only")
    parser.add_argument("--workdir", type=Path, help="keep the generated data and workspace here (reused)")
    args = parser.parse_args()

    from common import prepare, workdir

    ws, stage = prepare(args.users, args.seed, workdir(args.workdir, "bench-simulate-"))

    sim = child(SIMULATE_CHILD, str(ws), str(args.repeat))
    ref = None if args.no_reference else child(REFERENCE_CHILD, str(ws))

    sim_s = float(sim["seconds"])  # type: ignore[arg-type]
    print(f"## Simulate, {args.users:,} users (machine: 2 cores)\n")
    print("| measure | value |\n|---|---|")
    for name, seconds in stage.items():
        print(f"| {name} (setup, not timed below) | {seconds:.1f} s |")
    print(f"| load average (1, 5, 15 min) at the end | {', '.join(f'{x:.1f}' for x in os.getloadavg())} |")
    print(f"| plan rows | {sim['rows']:,} |")
    runs = ", ".join(f"{t:.2f}" for t in sim["runs"])  # type: ignore[attr-defined]
    print(
        f"| simulate, median of {args.repeat} ({runs} s) "
        f"| **{sim_s:.2f} s** (target ≤ {TARGET_SECONDS:.0f} s) |"
    )
    print(f"| simulate CPU, median (both DuckDB threads) | {float(sim['cpu']):.1f} s |")  # type: ignore[arg-type]
    print(f"| simulate peak RSS (whole process) | {float(sim['rss_mb']):,.0f} MB |")  # type: ignore[arg-type]
    if ref is not None:
        ref_s = float(ref["seconds"])  # type: ignore[arg-type]
        print(
            f"| Python reference (read tables {float(ref['load_seconds']):.1f} s + plan) "  # type: ignore[arg-type]
            f"| {ref_s:.1f} s |"
        )
        print(f"| reference CPU | {float(ref['cpu']):.1f} s |")  # type: ignore[arg-type]
        print(f"| reference peak RSS | {float(ref['rss_mb']):,.0f} MB |")  # type: ignore[arg-type]
        print(f"| **reference / simulate** | **{ref_s / sim_s:.1f}×** (target ≥ {TARGET_RATIO:.0f}×) |")
        agree = ref["counts"] == sim["counts"] and ref["rows"] == sim["rows"]
        print(f"| outcome counts per item, action, writable agree | {'yes' if agree else 'NO'} |")
        if not agree:
            print("\nreference:", ref["counts"], "\nsimulate:", sim["counts"], file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
