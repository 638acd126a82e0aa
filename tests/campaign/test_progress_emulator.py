"""End to end against the emulator: snapshot, load, users register methods (the emulator's
``--registrations`` schedule), snapshot again, load again, and ``mfa-migrate progress`` shows exactly
those registrations. Real HTTPS emulator, real msal client, real DuckDB workspace."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from campaign_tenant import SAMPLE, tier_upns

from analysis.cli import build_parser
from analysis.console import CaptureConsole
from analysis.graph.emulator.launcher import start_emulator
from analysis.readiness import afterdate

pytestmark = pytest.mark.slow

SECRET_ENV = "MFA_MIGRATE_TEST_PROGRESS_SECRET"


def _cli(*argv: str) -> tuple[int, str]:
    args = build_parser().parse_args(list(argv))
    console = CaptureConsole()
    return int(args.handler(args, console) or 0), console.text


def test_registrations_between_two_snapshots_show_as_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pfdata = SAMPLE / "PhoneFactor.pfdata"
    # who is P1 on the sample, to pick the users the campaign reaches
    probe = tmp_path / "probe.duckdb"
    assert (
        _cli(
            "load", "--datafile", str(pfdata), "--tenant", str(SAMPLE / "tenant"), "--workspace", str(probe)
        )[0]
        == 0
    )
    assert _cli("simulate", "--workspace", str(probe))[0] == 0
    con = duckdb.connect(str(probe))
    try:
        afterdate.ensure_view(con)
    finally:
        con.close()
    app, key, token = tier_upns(probe, "P1")[:3]
    schedule = tmp_path / "registrations.jsonl"
    lines: list[dict[str, Any]] = [
        {"user": app, "method": "microsoftAuthenticator", "afterReads": 1},
        {"user": key, "method": "passkey", "afterReads": 1},
        {"user": token, "method": "softwareOath", "afterReads": 1},
    ]
    schedule.write_text("".join(json.dumps(line) + "\n" for line in lines))

    ws = tmp_path / "ws.duckdb"
    with start_emulator(SAMPLE / "tenant", "--registrations", str(schedule)) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        graph = ["--graph-url", emu.graph_url, "--authority", emu.authority, "--client-id", emu.client_id]
        graph += ["--ca-file", emu.ca_file, "--client-secret-env", SECRET_ENV]
        for n in (1, 2):
            out = tmp_path / f"snapshot{n}"
            code, text = _cli("snapshot", *graph, "--out", str(out))
            assert code == 0, text
            assert (
                _cli("load", "--datafile", str(pfdata), "--tenant", str(out), "--workspace", str(ws))[0] == 0
            )

    still = tmp_path / "still.csv"
    code, text = _cli("progress", "--workspace", str(ws), "--json", "--out", str(still))
    assert code == 0, text
    doc = json.loads(text[text.index("{") :])
    tiers = {t["tier"]: t for t in doc["tiers"]}
    p1 = tiers["P1"]
    assert (p1["authenticator"], p1["passkey"], p1["software_oath"], p1["registered"]) == (1, 1, 1, 3)
    assert sum(t["registered"] for t in doc["tiers"]) == 3  # nobody else registered anything
    assert doc["observations"] == 2 and doc["baseline"] < doc["latest"]
    first, last = doc["timeline"]
    assert (first["registered"], last["registered"]) == (0, 3) and last["p1"] == first["p1"] - 3
    rows = list(csv.DictReader(still.open(encoding="utf-8")))
    assert len(rows) == doc["still_p1"] == p1["now_p1"] == p1["users"] - 3
    assert not {app, key, token} & {r["upn"] for r in rows}
    assert emu.client_secret not in text
