"""Benchmark: run an N-user batch against the emulator throttled at Graph's write budget, scaled down.

Builds N users (``--source crafted``, the default: the executor tests' four user shapes — new mobile
+ alternate + default, office + default, PATCHed mobile + default, mobile + migration-group hand-off —
in a workspace and a matching tenant snapshot; or ``--source sample``: ``analysis.sample`` loaded
through the loader, with hardware OATH tokens), freezes every user to migrate into one approved batch,
starts ``mfa-migrate emulator --throttle-writes 300/15`` on 127.0.0.1
(Graph's 3,000 writes per 150 s, scaled down ten times in window, same rate: 20 writes/s) and runs the
batch exactly as ``mfa-migrate batch run`` does. Prints a markdown table:

* the sustained write rate (writes answered, divided by the time from the first write intent to the
  last write answer, both taken from the journal) as a fraction of the budget's rate (target >= 90%);
* 429s received, and writes refused by Graph;
* wall time of the run, and the users and writes done.

    .venv/bin/python benchmarks/execute.py --users 20000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from analysis.console import CaptureConsole  # noqa: E402
from analysis.execute.actors import Actor  # noqa: E402
from analysis.execute.batches import approve  # noqa: E402
from analysis.execute.options import ExecOptions  # noqa: E402
from analysis.execute.policy import set_policy  # noqa: E402
from analysis.execute.runner import RunOptions, run_batch  # noqa: E402
from analysis.execute.selection import Selection, create_batch  # noqa: E402
from analysis.graph.auth import AppOnlyAuth  # noqa: E402
from analysis.graph.client import GraphClient  # noqa: E402
from analysis.graph.emulator.launcher import start_emulator  # noqa: E402
from analysis.graph.ratelimit import writes_budget  # noqa: E402
from analysis.simulate.runner import simulate  # noqa: E402
from analysis.simulate.settings import Settings  # noqa: E402
from analysis.sources.workspace import load  # noqa: E402
from analysis.sqlfiles import sql  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--users", type=int, default=20000, help="MFA Server users to generate (default 20000)"
    )
    parser.add_argument("--budget", default="300/15", help="emulator and client write budget N/SECONDS")
    parser.add_argument("--concurrency", type=int, default=4, help="$batch requests in flight")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--source", choices=("crafted", "sample"), default="crafted", help="how the users are made"
    )
    parser.add_argument("--keep", type=Path, help="keep the generated data and workspace here")
    args = parser.parse_args()
    limit, _, period = args.budget.partition("/")
    budget_writes, budget_seconds = int(limit), float(period)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-execute-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.monotonic()
        data = work / "data"
        datafile: Path | None = None
        migration_group = "MFA Migration - Wave 3"
        if args.source == "sample":
            from analysis.sample import generate

            if not (data / "PhoneFactor.pfdata").exists():
                generate(data, args.users, seed=args.seed)
            workspace = work / "ws.duckdb"
            if workspace.exists():
                workspace.unlink()
            datafile = data / "PhoneFactor.pfdata"
            load(workspace, datafile, data / "tenant", CaptureConsole())
            tenant_src = data / "tenant"
        else:
            sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "execute")]
            import exec_tenant as crafted  # the executor tests' crafted migration

            shutil.rmtree(data, ignore_errors=True)
            workspace, tenant_src = crafted.build(data, args.users)
            migration_group = crafted.GROUP_NAME
        con = duckdb.connect(str(workspace))
        settings = Settings.default()
        plan = simulate(con, settings, table="plan_batch")
        created = create_batch(
            con,
            name="bench",
            plan=plan,
            selection=Selection(where="true"),
            options=ExecOptions(handoff="group", migration_group=migration_group),
            actor="bench-creator",
        )
        con.execute("DROP TABLE plan_batch")
        # One identity creates and approves here, so the workspace's four-eyes rule is off, on record.
        set_policy(con, "four_eyes", "off", Actor.current(), "benchmark: a single identity")
        approve(con, created.batch.batch_id, "bench-approver")
        prepared = time.monotonic() - t0
        print(f"prepared {created.users} users / {created.rows} rows in {prepared:.0f}s", file=sys.stderr)

        tenant = work / "tenant-run"
        shutil.rmtree(tenant, ignore_errors=True)
        shutil.copytree(tenant_src, tenant)
        with start_emulator(tenant, "--throttle-writes", args.budget) as emu:
            auth = AppOnlyAuth(
                authority=emu.authority,
                client_id=emu.client_id,
                credential=emu.client_secret,
                graph_url=emu.graph_url,
                ca_file=emu.ca_file,
            )
            bucket = writes_budget(budget_writes, budget_seconds)  # the CLI's own rule
            client = GraphClient(
                emu.graph_url,
                auth,
                ca_file=emu.ca_file,
                write_budget=bucket,
                max_connections=args.concurrency + 4,
            )
            started = time.monotonic()
            result = run_batch(
                con,
                client,
                created.batch.batch_id,
                CaptureConsole(),
                actor="bench-runner",
                options=RunOptions(concurrency=args.concurrency, datafile=datafile),
                replan=None,
            )
            wall = time.monotonic() - started
            stats = emu.stats()
            counters = client.counters.as_dict()
            client.close()
        span_row = con.execute(sql("execute/run.write_span"), {"batch_id": created.batch.batch_id}).fetchone()
        assert span_row is not None
        first, last, answered, refused = span_row
        con.close()
        span = (last - first).total_seconds() if first and last else float("nan")
        rate = answered / span if span else float("nan")
        budget_rate = budget_writes / budget_seconds
        rows = [
            ("users in the batch", f"{created.users:,}"),
            ("users done", f"{result.done:,} (drifted {result.drifted}, failed {result.failed})"),
            ("writes answered ok", f"{answered:,}"),
            (
                "budget (emulator and client)",
                f"{budget_writes} writes / {budget_seconds:g} s = {budget_rate:.1f}/s",
            ),
            ("sustained write rate", f"{rate:.2f}/s"),
            ("**fraction of budget**", f"**{100 * rate / budget_rate:.1f}%**"),
            (
                "429s received",
                f"{int(counters.get('throttled', 0))} (emulator throttled {stats.get('throttled', 0)})",
            ),
            ("writes refused by Graph", str(refused)),
            ("write phase (first intent → last answer)", f"{span:.0f} s"),
            ("wall time of the run", f"{wall:.0f} s"),
            ("preparation (generate, load, plan, freeze)", f"{prepared:.0f} s"),
        ]
        print(f"\n| {args.users:,} users, `--throttle-writes {args.budget}` | value |\n|---|---|")
        for name, value in rows:
            print(f"| {name} | {value} |")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
