"""What the 1M-user benchmarks share: one generated sample and its workspace, reused between them.

``--workdir DIR`` keeps ``DIR/sample-N`` (``mfa-migrate sample --users N``) and ``DIR/ws-N.duckdb`` (its
load), so the simulate, readiness and dashboard benchmarks can run one after another on the same data
without generating and loading a million users each time.
"""

from __future__ import annotations

import argparse
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


def prepare(users: int, seed: int, work: Path) -> tuple[Path, dict[str, float]]:
    """The workspace of an N-user sample under ``work`` (generated and loaded when missing), and the
    seconds each setup step took (empty when everything was reused)."""
    from analysis import sample
    from analysis.console import CaptureConsole
    from analysis.sources import workspace

    data, ws = work / f"sample-{users}", work / f"ws-{users}.duckdb"
    console = CaptureConsole()
    stage: dict[str, float] = {}
    if not (data / "PhoneFactor.pfdata").exists():
        start = time.perf_counter()
        sample.generate(data, users, seed=seed, console=console)
        stage["generate"] = time.perf_counter() - start
    if not ws.exists():
        start = time.perf_counter()
        workspace.load(ws, data / "PhoneFactor.pfdata", data / "tenant", console)
        stage["load"] = time.perf_counter() - start
    return ws, stage
