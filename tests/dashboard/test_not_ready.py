"""Not ready (AppTest): one row per blocked or warned user with every reason and its remediation,
filtered and paged in SQL, exported as shown; the same list from the CLI (``readiness --per-user``)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import pytest
from test_pages import run

from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.readiness import checks as readiness
from analysis.readiness.report import notready
from analysis.simulate.plan import current
from analysis.simulate.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(reference: duckdb.DuckDBPyConnection) -> readiness.Report:
    return readiness.run(reference, current(reference, Settings.default()))


def total(at: object) -> int:
    caption = next(c.value for c in at.caption if "not ready match" in c.value)  # type: ignore[attr-defined]
    return int(re.match(r"\*\*([\d,]+)\*\*", caption).group(1).replace(",", ""))  # type: ignore[union-attr]


def test_every_not_ready_user_with_each_reason_and_fix(shared_env: Path, report: readiness.Report) -> None:
    t = report.score.tenant
    at = run("notready")
    assert total(at) == t["blocked"] + t["with_warnings"]
    page = next(h.value for h in at.get("html") if "MFA Server user" in h.value)
    expected = notready.frame(report)
    first = expected.iloc[0]
    assert first["status"] == "blocked"
    for reason in first["reasons"].split("\n"):
        assert reason.split(" — ")[0] in page  # "blocker: <check title>"
    fixes = first["remediation"].split("\n")
    assert all(f.split(": ")[0] in page for f in fixes)
    at.multiselect(key="nr_status").set_value(["warnings"]).run()
    assert total(at) == t["with_warnings"]
    check = next(r for r in report.results if r.check.severity == "blocker" and r.users)
    at.multiselect(key="nr_status").set_value(["blocked", "warnings"]).run()
    at.selectbox(key="nr_check").set_value(check.check.id).run()
    assert total(at) == check.users
    labels = [b.label for b in at.get("download_button")]
    assert f"Download these {check.users:,} users (CSV)" in labels


def test_the_export_is_the_filtered_list(shared_env: Path, report: readiness.Report) -> None:
    from analysis.dashboard import grid

    run("notready")  # builds the grid for this report
    table = grid.Grid(str(shared_env), grid.STORED, "")
    filters = grid.Filters(statuses=("blocked",))
    rows = list(
        csv.DictReader(
            io.StringIO(grid.not_ready_export(table, report, filters, "status", False, "csv", False).decode())
        )
    )
    assert len(rows) == report.score.tenant["blocked"]
    assert {r["status"] for r in rows} == {"blocked"} and all(r["reasons"] and r["remediation"] for r in rows)
    assert list(rows[0]) == notready.COLUMNS


def test_the_cli_writes_the_same_list(workspace: Path, tmp_path: Path, console: CaptureConsole) -> None:
    out = tmp_path / "users.csv"
    assert main(["readiness", "--workspace", str(workspace), "--per-user", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    con = duckdb.connect(str(workspace))
    try:
        rep = readiness.run(con, current(con, Settings.default()))
    finally:
        con.close()
    t = rep.score.tenant
    assert len(rows) == t["blocked"] + t["with_warnings"]
    assert sum(r["status"] == "blocked" for r in rows) == t["blocked"]
    per_user = notready.frame(rep)
    assert [r["username"] for r in rows] == list(per_user["username"])
    assert "users not ready" in console.text
    assert main(["readiness", "--workspace", str(workspace)]) == 2
