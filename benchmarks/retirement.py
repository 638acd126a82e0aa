"""Benchmark: readiness with the retirement checks, and ``progress`` over several snapshots (1M users).

Generates the sample (``analysis.sample``, seed 7; reused from ``--workdir``), writes ``--snapshots - 1``
later snapshots of its tenant a week apart in which a growing share of users has registered Microsoft
Authenticator, a passkey or a software OATH token (``--step`` more each week), loads all of them into
one workspace (each load records its observation in the campaign's history), simulates the plan, then
times, ``--repeat`` times (median):

* the readiness run (``analysis.readiness.checks.run``, every check including the five retirement
  checks), and apart from it the state after the retirement date (``users_after_plan``) it prepares;
* ``analysis.campaign.progress.measure`` from the first snapshot to the last.

Baselines measured in the same run: a plain per-user Python loop over a sample of users (every
``N / --sample``-th), fed by bulk reads of the same tables, computing each user's tier (and, for
progress, their state at every observation), extrapolated to all users; its results are compared with
the SQL's for the sampled users. Targets (issue 12): readiness ≤ 10 s, progress ≤ 10 s at 1M users.

    nice .venv/bin/python benchmarks/retirement.py --users 1000000 --workdir /work/bench-retire
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import prepare, workdir  # noqa: E402
from tierloop import Sample, python_progress, python_tiers  # noqa: E402

from analysis.campaign import history, progress  # noqa: E402
from analysis.console import CaptureConsole  # noqa: E402
from analysis.readiness import afterdate  # noqa: E402
from analysis.readiness import checks as readiness  # noqa: E402
from analysis.readiness.retirement import Retirement  # noqa: E402
from analysis.simulate.runner import ensure_plan  # noqa: E402
from analysis.simulate.settings import Settings  # noqa: E402
from analysis.sources import workspace  # noqa: E402

TARGET_SECONDS = 10.0
TODAY = dt.date(2026, 12, 6)
METHODS = (
    "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
    "#microsoft.graph.fido2AuthenticationMethod",
    "#microsoft.graph.softwareOathAuthenticationMethod",
)
KEY = '"authenticationMethods":['


def later_tenant(base: Path, dst: Path, week: int, step: float) -> Path:
    """The tenant ``week`` weeks later: users whose hash falls under ``week * step`` registered one
    method (cumulative, so a user who registered stays registered); other files linked."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("groups.jsonl", "policies.json", "domains.jsonl", "ledger.jsonl"):
        if (base / name).exists() and not (dst / name).exists():
            os.symlink(base / name, dst / name)
    snap = json.loads((base / "snapshot.json").read_text())
    taken = dt.datetime.fromisoformat(snap["takenAt"].replace("Z", "+00:00")) + dt.timedelta(weeks=week)
    snap["takenAt"] = taken.isoformat().replace("+00:00", "Z")
    (dst / "snapshot.json").write_text(json.dumps(snap))
    share = int(week * step * 100_000)
    with (base / "users.jsonl").open(encoding="utf-8") as src, (dst / "users.jsonl").open("w") as out:
        for i, line in enumerate(src):
            if (i * 2_654_435_761) % 100_000 < share and KEY in line:
                method = json.dumps(
                    {"@odata.type": METHODS[i % 3], "id": f"bench-{i}"}, separators=(",", ":")
                )
                empty = KEY + "]" in line
                line = line.replace(KEY, KEY + method + ("" if empty else ","), 1)
            out.write(line)
    return dst


def load_all(ws: Path, pfdata: Path, tenants: list[Path]) -> list[dict[str, float]]:
    """Load every tenant in turn, timing each load and its history step."""
    ws.unlink(missing_ok=True)
    original = history.observe_snapshot
    spent: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    history.observe_snapshot = timed  # type: ignore[assignment]
    out = []
    try:
        for tenant in tenants:
            start = time.perf_counter()
            workspace.load(ws, pfdata, tenant, CaptureConsole())
            out.append({"load": time.perf_counter() - start, "history": spent[-1]})
    finally:
        history.observe_snapshot = original  # type: ignore[assignment]
    return out


def history_bytes(con: Any) -> int:
    """Bytes of the storage blocks the history tables use (an upper bound: blocks may be shared)."""
    total = 0
    for table in ("progress_ids", "progress_states", "progress_points"):
        row = con.execute(
            "SELECT count(DISTINCT block_id) FROM pragma_storage_info($t) WHERE persistent AND block_id >= 0",
            {"t": table},
        ).fetchone()
        total += int(row[0]) * 262_144
    return total


def median_of(runs: int, fn: Any) -> tuple[float, float, Any]:
    """(median wall, median CPU, last result) of ``runs`` calls."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu, start = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--snapshots", type=int, default=5)
    parser.add_argument("--step", type=float, default=0.03, help="share of users registering per week")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20_000, help="users in the Python baseline's sample")
    parser.add_argument("--workdir", type=Path, help="keep generated data here (reused)")
    args = parser.parse_args()

    work = workdir(args.workdir, "bench-retirement-")
    data = work / f"sample-{args.users}"
    setup: dict[str, float] = {}
    if not (data / "PhoneFactor.pfdata").exists():  # generated once, shared with the other benchmarks
        _, setup = prepare(args.users, args.seed, work)
    tenants = [data / "tenant"]
    start = time.perf_counter()
    for week in range(1, args.snapshots):
        tenants.append(later_tenant(data / "tenant", work / f"tenant-week{week}", week, args.step))
    setup["write later snapshots"] = time.perf_counter() - start
    ws = work / f"progress-{args.users}.duckdb"
    loads = load_all(ws, data / "PhoneFactor.pfdata", tenants)

    retirement = Retirement()
    con = workspace.connect(ws)
    try:
        start = time.perf_counter()
        plan = ensure_plan(con, Settings.default())
        setup["simulate"] = time.perf_counter() - start
        afterdate.ensure_view(con)
        points = history.points(con)
        size = con.execute("SELECT count(*) FROM progress_states").fetchone()[0]  # type: ignore[index]
        stored = history_bytes(con)

        def after_date() -> None:
            afterdate.bind(con, retirement, TODAY)
            con.execute("CREATE OR REPLACE TEMP TABLE bench_after AS FROM users_after_plan('plan')")

        ad_wall, _, _ = median_of(args.repeat, after_date)
        sql_tiers = dict(
            con.execute("SELECT user_id, tier FROM bench_after WHERE counted AND matched").fetchall()
        )
        rd_wall, rd_cpu, report = median_of(
            args.repeat, lambda: readiness.run(con, plan, retirement=retirement, today=TODAY)
        )
        pg_wall, pg_cpu, (figures, still) = median_of(
            args.repeat, lambda: progress.measure(con, plan, retirement, "first", TODAY)
        )
        sample = Sample.read(con, args.sample)
    finally:
        con.close()

    tiers_py, tiers_s = python_tiers(sample)
    prog_py, prog_s = python_progress(sample)
    scale = sample.scale
    agree_tiers = sum(tiers_py[u] == sql_tiers.get(u) for u in tiers_py)
    still_sql = {int(u) for u in still.column("user_id").to_pylist()} & set(tiers_py)
    still_py = {u for u, t in prog_py.items() if t == "P1"}
    retirement_checks = sum(r.seconds for r in report.results if r.check.id.startswith("retirement_"))

    print(f"## Retirement and progress, {args.users:,} users, {len(points)} snapshots (machine: 2 cores)\n")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| setup | seconds |\n|---|---|")
    for name, seconds in setup.items():
        print(f"| {name} | {seconds:.1f} |")
    for i, load in enumerate(loads):
        print(f"| load snapshot {i + 1} (of which history) | {load['load']:.1f} ({load['history']:.2f}) |")
    print(f"\nhistory: {size:,} stored states for {points[0].users:,} Entra users × {len(points)} snapshots")
    print("changed per snapshot: " + ", ".join(f"{p.changed:,}" for p in points))
    print(f"history on disk: at most {stored / 2**20:.1f} MB (storage blocks of the progress_* tables)")
    base = f"baseline (Python loop, {sample.users:,} users × {scale:.0f})"
    print(f"\n| measure (median of {args.repeat}) | seconds | CPU | {base} | ratio |\n|---|---|---|---|---|")
    met = {True: "met", False: "NOT met"}
    print(
        f"| state after the date | {ad_wall:.2f} | | {tiers_s * scale:.1f} "
        f"| {tiers_s * scale / ad_wall:.1f}× |"
    )
    print(f"| retirement checks (5) | {retirement_checks:.2f} | | | |")
    print(
        f"| **readiness** (all checks) | **{rd_wall:.2f}** ({met[rd_wall <= TARGET_SECONDS]}) "
        f"| {rd_cpu:.1f} | | |"
    )
    ratio = prog_s * scale / pg_wall
    print(
        f"| **progress** ({len(points)} snapshots) | **{pg_wall:.2f}** ({met[pg_wall <= TARGET_SECONDS]}) "
        f"| {pg_cpu:.1f} | {prog_s * scale:.1f} | {ratio:.1f}× |"
    )
    both, differ = len(still_py & still_sql), len(still_py ^ still_sql)
    print(
        f"\nsample agreement: tiers {agree_tiers:,}/{len(tiers_py):,}; "
        f"still P1 {both:,} both, {differ:,} differ"
    )
    print(
        f"still P1: {figures.still_p1:,}; registered since the first snapshot: "
        f"{sum(t['registered'] for t in figures.tiers):,}; data in {work}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
