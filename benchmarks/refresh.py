"""Benchmark: ``mfa-migrate refresh --all`` of an N-user workspace against the local Graph emulator.

Generates and loads an N-user sample (``benchmarks/common.py``: ``mfa-migrate sample`` + ``load``, kept
under ``--workdir`` and reused), serves its tenant snapshot with ``mfa-migrate emulator`` on 127.0.0.1,
and refreshes every Entra user exactly as ``mfa-migrate refresh --all`` does (the writer role, an
app-only token, concurrency 4, ``$batch`` envelopes of 10 users x {beta ``authentication/methods``,
beta ``signInPreferences``}, stored in parts of 2,000 users, laid over the snapshot at the end). For each
read budget it prints the users read, reads sent, reads per second and their ratio to the budget's
rate (one resource unit per read), HTTP requests and 429s. The wall time includes storing the reads
and laying them over the snapshot.

    nice .venv/bin/python benchmarks/refresh.py --users 100000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
from common import prepare, workdir  # noqa: E402

from analysis.console import CaptureConsole  # noqa: E402
from analysis.execute.refresh import Choice, refresh  # noqa: E402
from analysis.execute.store import writer  # noqa: E402
from analysis.graph.auth import AppOnlyAuth  # noqa: E402
from analysis.graph.client import GraphClient  # noqa: E402
from analysis.graph.emulator.launcher import start_emulator  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100_000, help="MFA Server users to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=4, help="$batch requests in flight")
    parser.add_argument(
        "--budgets", default="auto", help="read budgets to measure, comma-separated: auto, off or RU per 10 s"
    )
    parser.add_argument("--workdir", type=Path, help="keeps the generated sample and workspace (reused)")
    args = parser.parse_args()
    work = workdir(args.workdir, "bench-refresh-")
    ws, stage = prepare(args.users, args.seed, work)
    tenant = work / f"sample-{args.users}" / "tenant"
    con = duckdb.connect(str(ws), read_only=True)
    row = con.execute("SELECT count(*) FROM entra_users").fetchone()
    con.close()
    entra = int(row[0]) if row else 0
    rows = []
    with start_emulator(tenant) as emu:
        for budget in args.budgets.split(","):
            auth = AppOnlyAuth(
                authority=emu.authority,
                client_id=emu.client_id,
                credential=emu.client_secret,
                graph_url=emu.graph_url,
                ca_file=emu.ca_file,
            )
            client = GraphClient(
                emu.graph_url, auth, ca_file=emu.ca_file, max_connections=args.concurrency + 4
            )
            started = time.monotonic()
            with writer(ws, "benchmark: mfa-migrate refresh --all") as lease:
                result = refresh(
                    lease,
                    client,
                    Choice(everyone=True),
                    CaptureConsole(),
                    concurrency=args.concurrency,
                    read_budget=int(budget) if budget.isdigit() else budget,
                )
            wall = time.monotonic() - started
            client.close()
            per_second = result.requests / wall
            limit = result.read_budget
            ratio = f"{100 * per_second / (limit / 10):.1f}%" if limit else "–"
            rows.append(
                (
                    budget if not limit else f"{budget} ({limit} RU / 10 s = {limit / 10:.0f}/s)",
                    f"{result.users:,}",
                    f"{result.read:,}",
                    f"{len(result.not_read):,}",
                    f"{result.requests:,}",
                    f"{wall:.0f} ({result.store_seconds:.0f})",
                    f"{per_second:.0f}",
                    ratio,
                    f"{int(result.counters.get('requests', 0)):,}",
                    str(int(result.counters.get("throttled", 0))),
                )
            )
    con = duckdb.connect(str(ws), read_only=True)
    kept = con.execute("SELECT count(*), min(source) FROM entra_latest").fetchone()
    con.close()
    setup = ", ".join(f"{k} {v:.0f} s" for k, v in stage.items()) or "reused"
    print(f"\n{args.users:,} MFA Server users, {entra:,} Entra users; setup: {setup}; kept: {kept}")
    print(
        "| read budget | users | read | not read | reads sent | wall (s) (storing) | reads/s | of the budget "
        "| HTTP requests | 429s |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
