"""Readiness over the committed sample data, simulated for real: cross-checks against the plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import jsonschema
import pytest
from test_readiness_export import documented_schema

from analysis.readiness import checks as readiness
from analysis.readiness import report
from analysis.simulate.runner import simulate
from analysis.simulate.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_report(
    sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, readiness.Report]:
    path = tmp_path_factory.mktemp("sample") / "ws.duckdb"
    shutil.copyfile(sample_workspace, path)
    con = duckdb.connect(str(path))
    try:
        return path, readiness.run(con, simulate(con, Settings.default()))
    finally:
        con.close()


def plan_ids(path: Path, query: str) -> set[int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0] for row in con.execute(query).fetchall()}
    finally:
        con.close()


def ids(rep: readiness.Report, check_id: str) -> set[int]:
    return {int(u) for u in rep.result(check_id).findings["user_id"].dropna()}


def test_every_check_runs_on_the_sample(sample_report: tuple[Path, readiness.Report]) -> None:
    _, rep = sample_report
    assert [r.check.id for r in rep.results] == [c.id for c in readiness.catalogue()]
    assert rep.score.tenant["users"] > 0
    assert sum(r.count for r in rep.results) > 0
    assert rep.runbook["status"].isin(["done", "in progress", "to do", "manual"]).all()


def test_user_checks_agree_with_the_plan(sample_report: tuple[Path, readiness.Report]) -> None:
    path, rep = sample_report
    enabled = "(SELECT user_id FROM mfa_users WHERE enabled)"
    assert ids(rep, "unmatched_users") == plan_ids(
        path,
        f"SELECT user_id FROM plan WHERE item = 'user' AND action = 'unmatched' AND user_id IN {enabled}",
    )
    assert ids(rep, "invalid_phone_numbers") == plan_ids(
        path, "SELECT user_id FROM plan WHERE action = 'invalid_number'"
    )
    assert ids(rep, "needs_utility") == plan_ids(path, "SELECT user_id FROM plan WHERE writable = 'utility'")
    # The simulator finds no default when nothing is available and allowed; unless the user has a
    # FIDO2 key or Windows Hello (not a default-method value), readiness must call them method-less.
    no_default = plan_ids(
        path,
        """SELECT p.user_id FROM plan p JOIN plan u ON u.user_id = p.user_id AND u.item = 'user'
           WHERE p.item = 'default_method' AND p.action = 'no_default'
             AND NOT EXISTS (SELECT 1 FROM entra_methods m WHERE m.user_id = u.entra_id
                             AND m.kind IN ('fido2', 'windows_hello'))""",
    )
    assert no_default <= ids(rep, "no_usable_method")


def test_the_sample_report_exports_in_every_format(
    sample_report: tuple[Path, readiness.Report], tmp_path: Path
) -> None:
    _, rep = sample_report
    doc = json.loads(report.write(rep, tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, documented_schema())
    assert report.write(rep, tmp_path / "r.csv").stat().st_size > 0
    html = report.write(rep, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html  # charts drawn inline, offline, without a script
    assert "Priority tiers: phone codes stop on" in html
