"""``mfa-migrate readiness`` on the sample data: all three formats, baseline, exit codes, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest
from test_readiness_export import Refs, documented_schema

from analysis.cli import main
from analysis.cli.readiness import EXIT_FINDINGS
from analysis.console import CaptureConsole

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@pytest.mark.slow
def test_readiness_on_the_sample_writes_html_json_and_csv(tmp_path: Path, console: CaptureConsole) -> None:
    out = [tmp_path / "r.html", tmp_path / "r.json", tmp_path / "r.csv"]
    code = main(
        ["readiness", "--datafile", str(SAMPLE / "PhoneFactor.pfdata"), "--tenant", str(SAMPLE / "tenant"),
         *[arg for p in out for arg in ("--out", str(p))]]
    )  # fmt: skip
    assert code == 0
    said = console.text
    assert "readiness " in said and "/100" in said

    doc = json.loads(out[1].read_text(encoding="utf-8"))
    jsonschema.validate(doc, documented_schema())
    with out[2].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(c["count"] for c in doc["checks"]) > 0

    parser = Refs()
    parser.feed(out[0].read_text(encoding="utf-8"))
    assert [r for r in parser.refs if not r[2].startswith("#")] == []


@pytest.mark.slow
def test_a_second_run_against_the_first_as_baseline(workspace: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert main(["readiness", "--workspace", str(workspace), "--out", str(first)]) == 0
    args = ["readiness", "--workspace", str(workspace), "--out", str(second), "--baseline", str(first)]
    assert main([*args, "--out", str(tmp_path / "second.csv")]) == 0
    doc = json.loads(second.read_text(encoding="utf-8"))
    total = sum(c["count"] for c in doc["checks"])
    assert doc["baseline"]["totals"] == {"new": 0, "fixed": 0, "still_open": total}
    with (tmp_path / "second.csv").open(encoding="utf-8", newline="") as fh:
        assert {r["baseline"] for r in csv.DictReader(fh)} == {"still_open"}


@pytest.mark.slow
def test_fail_on_blocker_gives_its_own_exit_code(workspace: Path, tmp_path: Path) -> None:
    args = ["readiness", "--workspace", str(workspace), "--out", str(tmp_path / "r.json")]
    assert main([*args, "--fail-on", "blocker"]) == EXIT_FINDINGS  # the sample has blockers by design


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "report.pdf"], "cannot tell the report format"),
        (["--out", "r.json", "--baseline", "missing.json"], "does not exist"),
        (["--out", "r.json", "--settings", "missing.toml"], "does not exist"),
    ],
)
def test_bad_arguments_are_user_errors(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
    extra: list[str], message: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(["readiness", "--workspace", str(workspace), *extra]) == 2
    err = capsys.readouterr().err  # errors go through print(file=sys.stderr), which capsys sees
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "r.json").exists()
