"""`batch create --tier` and `tier` in `--where` on the sample workspace, through the CLI: the batch holds
exactly the readiness report's users of that tier that have something to migrate."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main
from analysis.console import CaptureConsole


def _tiers(report: Path) -> dict[int, str | None]:
    doc = json.loads(report.read_text(encoding="utf-8"))
    return {int(u["user_id"]): u["tier"] for u in doc["users"]}


def _batch_users(workspace: Path, name: str) -> set[int]:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        rows = con.execute(
            "SELECT u.user_id FROM batch_users u JOIN batches b USING (batch_id) WHERE b.name = ?", [name]
        ).fetchall()
    finally:
        con.close()
    return {int(r[0]) for r in rows}


def _migrating(workspace: Path) -> set[int]:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        rows = con.execute("SELECT user_id FROM plan WHERE item = 'user' AND action = 'migrate'").fetchall()
    finally:
        con.close()
    return {int(r[0]) for r in rows}


def test_tier_and_where_tier_select_the_reports_tier(
    tmp_path: Path, workspace: Path, console: CaptureConsole
) -> None:
    ws = ["--workspace", str(workspace)]
    report = tmp_path / "r.json"
    assert main(["readiness", *ws, "--out", str(report)]) == 0
    tiers = _tiers(report)
    migrating = _migrating(workspace)
    p1 = {u for u, t in tiers.items() if t == "P1"} & migrating
    assert p1, "the sample should hold tier P1 users with something to migrate"

    assert main(["batch", "create", *ws, "--name", "p1", "--tier", "P1"]) == 0
    assert _batch_users(workspace, "p1") == p1
    assert (
        main(["batch", "create", *ws, "--name", "p1-phones", "--where", "tier = 'P1' AND item = 'phone'"])
        == 0
    )
    assert _batch_users(workspace, "p1-phones") <= p1

    settings = tmp_path / "own.toml"  # an own telecom provider: phone-only users are no longer P1
    settings.write_text('[retirement]\nphone_delivery = "own_provider"\n', encoding="utf-8")
    assert main(["batch", "create", *ws, "--settings", str(settings), "--name", "own", "--tier", "P2"]) == 0
    assert len(_batch_users(workspace, "own")) > len({u for u, t in tiers.items() if t == "P2"} & migrating)

    with pytest.raises(SystemExit) as exited:  # argparse names the choices
        main(["batch", "create", *ws, "--name", "bad", "--tier", "P4"])
    assert exited.value.code == 2
