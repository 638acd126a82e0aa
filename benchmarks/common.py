"""What the 1M-user benchmarks share: one generated sample and its workspace, reused between them.

``--workdir DIR`` keeps ``DIR/sample-N`` (``mfa-migrate sample --users N``) and ``DIR/ws-N.duckdb`` (its
load), so the simulate, readiness and dashboard benchmarks can run one after another on the same data
without generating and loading a million users each time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def browser_benchmark_args(
    doc: str, chromium: Path, extra: tuple[tuple[str, dict[str, Any]], ...] = ()
) -> argparse.Namespace | None:
    """The options every browser benchmark takes (``--users``, ``--seed``, ``--workdir`` kept between
    runs) plus ``extra``; None, after saying so, when Debian's chromium is missing."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000, help="MFA Server users to generate")
    parser.add_argument("--seed", type=int, default=7)
    for flag, options in extra:
        parser.add_argument(flag, **options)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=ROOT / "benchmarks" / "out" / "dashboard",
        help="keeps the generated data and workspace (reused when present)",
    )
    args = parser.parse_args()
    if not chromium.exists():
        print(f"{chromium} is missing: `make chromium` installs it", file=sys.stderr)
        return None
    args.workdir.mkdir(parents=True, exist_ok=True)
    return args


def workdir(given: Path | None, prefix: str) -> Path:
    """``given`` (created if needed), else a new temporary directory."""
    work = given or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    return work


def run_child(cmd: list[str]) -> tuple[float, float, float]:
    """Run ``cmd`` from the project root, its output discarded; its wall seconds, CPU seconds and peak
    RSS in MB (``os.wait4``: that one child's own figures, nothing inherited from this process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"benchmark setup failed (exit {code}): {' '.join(cmd)}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def prepare(users: int, seed: int, work: Path) -> tuple[Path, dict[str, float]]:
    """The workspace of an N-user sample under ``work`` (generated and loaded when missing), and the
    seconds each setup step took (empty when everything was reused).

    Generation and load run as ``mfa-migrate sample`` and ``mfa-migrate load`` in child processes: a
    1,000,000-user sample peaks near 5 GB while it is generated, and a child forked from a process that
    big would report that peak as its own (Linux keeps ``ru_maxrss`` across fork and exec). Each step's
    peak RSS goes to stderr."""
    data, ws = work / f"sample-{users}", work / f"ws-{users}.duckdb"
    cli = [sys.executable, "-m", "analysis"]
    steps = {
        "generate": (
            data / "PhoneFactor.pfdata",
            [*cli, "sample", "--users", str(users), "--seed", str(seed), "--out", str(data)],
        ),
        "load": (
            ws,
            [
                *cli,
                "load",
                "--datafile",
                str(data / "PhoneFactor.pfdata"),
                "--tenant",
                str(data / "tenant"),
                "--workspace",
                str(ws),
            ],
        ),
    }
    stage: dict[str, float] = {}
    for name, (made, cmd) in steps.items():
        if made.exists():
            continue
        seconds, cpu, rss_mb = run_child(cmd)
        stage[name] = seconds
        print(f"setup {name}: {seconds:.1f} s, CPU {cpu:.1f} s, peak RSS {rss_mb:,.0f} MB", file=sys.stderr)
    return ws, stage
