"""No file the CLI writes holds a full phone number unless --reveal-phones asked for it.

The numbers to look for come straight from the sample workspace (as entered on MFA Server, as parsed,
as Entra holds them); the outputs are searched for their digits with any separators in between.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main
from analysis.console import CaptureConsole

pytestmark = pytest.mark.slow
_RUN = re.compile(r"\d[\d ()\-.]*\d")


def known_numbers(workspace: Path) -> set[str]:
    """Digits of every number in the workspace (national part; at least six digits)."""
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        raw = con.execute(
            "SELECT phone FROM mfa_users UNION ALL SELECT backup_phone FROM mfa_users "
            "UNION ALL SELECT split_part(graph_number, ' ', 2) FROM mfa_phones "
            "UNION ALL SELECT split_part(split_part(phone_number, ' ', 2), 'x', 1) FROM entra_methods"
        ).fetchall()
    finally:
        con.close()
    digits = {re.sub(r"\D", "", r[0]) for r in raw if r[0]}
    return {d for d in digits if len(d) >= 6}


def leaks(text: str, numbers: set[str]) -> set[str]:
    runs = {re.sub(r"\D", "", m.group()) for m in _RUN.finditer(text)}
    return {n for n in numbers if any(n in run for run in runs)}


def parquet_text(path: Path) -> str:
    return str(duckdb.connect().execute(f"SELECT * FROM '{path}'").fetchall())


@pytest.fixture
def planned(workspace: Path, tmp_path: Path) -> tuple[Path, Path]:
    b = tmp_path / "b.toml"
    b.write_text('[migrate]\nmethods = ["backup_phone"]\n', encoding="utf-8")
    return workspace, b


def test_masked_by_default_in_every_cli_output(
    planned: tuple[Path, Path], tmp_path: Path, console: CaptureConsole
) -> None:
    ws, other = planned
    numbers = known_numbers(ws)
    assert len(numbers) > 100
    w = ["--workspace", str(ws)]
    outs = {ext: tmp_path / f"plan.{ext}" for ext in ("csv", "json", "parquet")}
    for path in outs.values():
        assert main(["simulate", *w, "--out", str(path)]) == 0
    diff = tmp_path / "diff.csv"
    assert main(["whatif", *w, "--settings", str(other), "--settings", str(other), "--out", str(diff)]) == 0
    default = tmp_path / "default.toml"
    default.write_text("", encoding="utf-8")
    assert main(["whatif", *w, "--settings", str(default), "--settings", str(other), "--out", str(diff)]) == 0
    reports = [tmp_path / f"r.{ext}" for ext in ("csv", "json", "html")]
    assert main(["readiness", *w, *[a for r in reports for a in ("--out", str(r))]]) == 0
    texts = {p.name: p.read_text(encoding="utf-8") for p in [outs["csv"], outs["json"], diff, *reports]}
    texts["plan.parquet"] = parquet_text(outs["parquet"])
    assert "•" in texts["plan.csv"] and "•" in texts["diff.csv"] and "•" in texts["r.html"]
    assert {name: leaks(text, numbers) for name, text in texts.items()} == {name: set() for name in texts}
    assert "Phone numbers are masked" in console.text


def test_reveal_phones_writes_them_in_full_and_says_so(
    planned: tuple[Path, Path], tmp_path: Path, console: CaptureConsole
) -> None:
    ws, _ = planned
    numbers = known_numbers(ws)
    plan, report = tmp_path / "plan.csv", tmp_path / "r.json"
    assert main(["simulate", "--workspace", str(ws), "--out", str(plan), "--reveal-phones"]) == 0
    assert main(["readiness", "--workspace", str(ws), "--out", str(report), "--reveal-phones"]) == 0
    assert len(leaks(plan.read_text(encoding="utf-8"), numbers)) > 100
    text = report.read_text(encoding="utf-8")
    assert leaks(text, numbers) and '"phones": "revealed"' in text
    assert console.text.count("holds full phone numbers") == 2
