"""A wheel that works: built from the project, installed into a fresh virtual environment outside the
checkout, it loads, simulates and reports on the committed sample with the SQL it ships.

The new environment gets only the wheel (``--no-deps``); the dependencies come from the development
environment's site-packages through a ``.pth`` line, so nothing is downloaded again. Python does not run
the ``.pth`` files of a directory added that way, so the checkout's editable install stays invisible:
``analysis`` can only come from the wheel, which the test checks.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from analysis.simulate.runner import EXPORT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"

pytestmark = pytest.mark.slow


def _listed() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"] == {"analysis.queries": "queries"}
    return set(config["packages"])


def test_every_package_and_query_folder_is_listed() -> None:
    """The list in pyproject.toml is explicit (queries/ maps into the package), so check it is whole."""
    code = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "analysis").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    sql = {
        ".".join(("analysis", *p.parent.relative_to(ROOT).parts)) for p in (ROOT / "queries").rglob("*.sql")
    }
    assert _listed() == code | sql | {"analysis.queries"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("analysis", "queries"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
          str(source)], tmp_path)  # fmt: skip
    (wheel,) = dist.glob("mfa_migrate-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     tmp_path).stdout.strip())  # fmt: skip
    (site / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q",
          str(wheel)], tmp_path)  # fmt: skip

    work = tmp_path / "work"  # outside the checkout: nothing of the repository on the path
    work.mkdir()
    where = _run(
        [str(python), "-c", "import analysis.sqlfiles as s; print(s.__file__); print(s.QUERIES)"], work
    )
    module, queries = where.stdout.split()
    assert Path(module).is_relative_to(site) and Path(queries) == site / "analysis" / "queries"

    cli = str(venv / "bin" / "mfa-migrate")
    ws = str(work / "ws.duckdb")
    _run([cli, "load", "--datafile", str(SAMPLE / "PhoneFactor.pfdata"), "--tenant", str(SAMPLE / "tenant"),
          "--workspace", ws], work)  # fmt: skip
    out = _run([cli, "simulate", "--workspace", ws, "--out", str(work / "plan.csv")], work).stdout
    assert "Plan for 500 MFA Server users" in out
    with open(work / "plan.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == EXPORT_COLUMNS and len(rows) > 1000
    _run(
        [cli, "readiness", "--workspace", ws, "--out", str(work / "r.json"), "--out", str(work / "r.html")],
        work,
    )
    assert (work / "r.json").stat().st_size > 1000 and (work / "r.html").stat().st_size > 1000
