"""``mfa-migrate progress``: registrations since a baseline per tier and wave, who is still P1 (the same
users the readiness view calls P1), days left, the baseline choice, and the CSV of P1 users."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from campaign_tenant import tier_upns, two_snapshots
from os_identity import four_eyes_off

from analysis.campaign import progress
from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.readiness import afterdate
from analysis.readiness.retirement import Retirement
from analysis.simulate.runner import ensure_plan
from analysis.simulate.settings import Settings


@pytest.fixture
def campaign(tmp_path: Path) -> tuple[Path, list[str]]:
    """Two snapshots a month apart: between them three P1 users registered Authenticator, a passkey
    and a software OATH token. Returns the workspace and those three users."""
    return two_snapshots(tmp_path)


def _json(console: CaptureConsole, *args: str) -> dict[str, Any]:
    out = console.out.getvalue()  # type: ignore[attr-defined]
    assert main(["progress", *args, "--json"]) == 0
    return dict(json.loads(console.out.getvalue()[len(out) :]))  # type: ignore[attr-defined]


def test_progress_counts_the_registrations_per_tier_and_matches_readiness_p1(
    campaign: tuple[Path, list[str]], console: CaptureConsole
) -> None:
    ws, movers = campaign
    doc = _json(console, "--workspace", str(ws))
    tiers = {t["tier"]: t for t in doc["tiers"]}
    p1 = tiers["P1"]
    assert (p1["authenticator"], p1["passkey"], p1["software_oath"], p1["registered"]) == (1, 1, 1, 3)
    assert all(t["registered"] == 0 for k, t in tiers.items() if k != "P1")
    assert p1["now_p1"] == p1["users"] - 3
    # the independent path: the readiness view on the latest snapshot with the same plan
    assert doc["still_p1"] == len(tier_upns(ws, "P1")) == p1["now_p1"]
    assert not set(movers) & set(tier_upns(ws, "P1"))
    first, last = doc["timeline"]
    assert first["registered"] == 0 and last["registered"] == 3 and last["p1"] == first["p1"] - 3
    assert doc["observations"] == 2 and doc["baseline"].startswith("2024-06-30T18:30")
    assert doc["retirement"]["date"] == "2027-02-01"
    assert doc["retirement"]["days_left"] == (afterdate.days_left(Retirement(), None))


def test_a_baseline_day_picks_the_last_observation_on_or_before_it(
    campaign: tuple[Path, list[str]], console: CaptureConsole, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, _ = campaign
    doc = _json(console, "--workspace", str(ws), "--baseline", "2024-07-30")
    assert doc["baseline"] == doc["latest"] and doc["still_p1"] == doc["tiers"][0]["users"]
    assert all(t["registered"] == 0 for t in doc["tiers"])
    assert main(["progress", "--workspace", str(ws), "--baseline", "2024-06-01"]) == 2
    assert "no observation on or before 2024-06-01" in capsys.readouterr().err
    assert main(["progress", "--workspace", str(ws), "--baseline", "last week"]) == 2
    assert "give 'first' or a day like 2026-12-01" in capsys.readouterr().err


def test_own_provider_makes_nobody_with_a_phone_p1(
    campaign: tuple[Path, list[str]], console: CaptureConsole, tmp_path: Path
) -> None:
    ws, _ = campaign
    settings = tmp_path / "own.toml"
    settings.write_text('[retirement]\nphone_delivery = "own_provider"\n')
    own = _json(console, "--workspace", str(ws), "--settings", str(settings))
    ms = _json(console, "--workspace", str(ws))
    assert own["still_p1"] < ms["still_p1"]
    assert own["retirement"]["phone_delivery"] == "own_provider"


def test_waves_and_the_csv_of_users_still_p1(
    campaign: tuple[Path, list[str]], console: CaptureConsole, tmp_path: Path
) -> None:
    ws, movers = campaign
    four_eyes_off(ws)
    assert main(["batch", "create", "--workspace", str(ws), "--name", "p1-wave", "--tier", "P1"]) == 0
    out = tmp_path / "still.csv"
    assert main(["progress", "--workspace", str(ws), "--out", str(out)]) == 0
    text = console.text
    assert "Per wave (batch)" in text and "p1-wave" in text and "days left" in text
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    doc = _json(console, "--workspace", str(ws))
    (wave,) = doc["waves"]
    con = duckdb.connect(str(ws), read_only=True)
    try:
        members = con.execute("SELECT count(*) FROM batch_users").fetchone()
    finally:
        con.close()
    assert wave["wave"] == "p1-wave" and (wave["users"],) == members
    assert doc["still_p1"] == len(rows) and wave["now_p1"] == sum(r["waves"] == "p1-wave" for r in rows) > 0
    assert {r["tier_at_baseline"] for r in rows} <= {"P1", "P2", "P3", ""}
    assert not {r["upn"] for r in rows} & set(movers)


def test_progress_in_process_agrees_with_the_cli(campaign: tuple[Path, list[str]]) -> None:
    ws, _ = campaign
    con = duckdb.connect(str(ws))
    try:
        plan = ensure_plan(con, Settings.default())
        figures, still = progress.measure(con, plan, Retirement())
        leftover = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'cp_%'").fetchone()
    finally:
        con.close()
    assert figures.still_p1 == still.num_rows > 0 and leftover == (0,)
