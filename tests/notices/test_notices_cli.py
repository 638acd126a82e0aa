"""`mfa-migrate notices` end to end on the sample workspace: a tier's and a batch's notices, masked and
revealed phones, the forecast and its stated assumption, formula cells defused, template errors as one
line, and no secret of the workspace in any output."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.notices.templates import PHASES, SHIPPED


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _query(workspace: Path, text: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        return con.execute(text).fetchall()
    finally:
        con.close()


def test_tier_notices_match_the_readiness_tiers_and_forecast(
    tmp_path: Path, workspace: Path, console: CaptureConsole
) -> None:
    ws = ["--workspace", str(workspace)]
    report = tmp_path / "r.json"
    assert main(["readiness", *ws, "--out", str(report)]) == 0
    users = json.loads(report.read_text(encoding="utf-8"))["users"]
    p1 = {u["upn"] for u in users if u["tier"] == "P1" and u.get("upn")}
    assert len(p1) > 100
    out, fc = tmp_path / "n.csv", tmp_path / "f.csv"
    assert main(["notices", *ws, "--tier", "P1", "--out", str(out), "--forecast", str(fc)]) == 0
    rows = _read(out)
    assert {r["upn"] for r in rows} == p1 and len(rows) == len(p1)
    assert {r["tier"] for r in rows} == {"P1"} and {r["must_register"] for r in rows} == {"true"}
    languages = dict(_query(workspace, "SELECT username, language FROM mfa_users"))
    assert all(r["language"] == languages[r["username"]] for r in rows)
    assert {"de", "en"} <= {r["language"] for r in rows}
    for r in rows:
        assert r["deadline"] == "2027-01-18" and r["action_date"] == "2026-12-28"
        assert all(r[f"{p}_subject"] and r[f"{p}_text"].startswith("Hello ") for p in PHASES)
        assert "register Microsoft Authenticator or a passkey" in r["what_to_do"] or r["devices_to_register"]
    (wave,) = _read(fc)
    assert wave["wave"] == "not in a batch" and int(wave["must_register"]) == len(p1)
    assert float(wave["contacts_per_day"]) == round(len(p1) * 0.3 / 21, 1)
    assert wave["assumption"].startswith("Assumes 30% of the users who must register a method")
    said = console.text
    assert "Helpdesk forecast" in said and "Assumes 30% of the users who must register" in said
    # masked: the plan's numbers appear only masked, in the columns and in the texts
    numbers = [str(n) for (n,) in _query(workspace, "SELECT value FROM plan WHERE action LIKE 'write_%'")]
    text = out.read_text(encoding="utf-8")
    assert "•" in text and not [n for n in numbers if n in text]


def test_batch_notices_name_the_wave_and_reveal_phones_on_request(
    tmp_path: Path, workspace: Path, console: CaptureConsole
) -> None:
    ws = ["--workspace", str(workspace)]
    assert main(["batch", "create", *ws, "--name", "wave-1", "--where", "item = 'phone'"]) == 0
    out = tmp_path / "n.csv"
    assert main(["notices", *ws, "--batch", "wave-1", "--out", str(out), "--reveal-phones"]) == 0
    rows = _read(out)
    batch = {str(u) for (u,) in _query(workspace, "SELECT upn FROM batch_users")}
    assert {r["upn"] for r in rows} == batch and {r["wave"] for r in rows} == {"wave-1"}
    written = _query(
        workspace,
        "SELECT upn, value FROM batch_rows WHERE writable = 'graph' AND action LIKE 'write_mobile%'",
    )
    by_upn = {r["upn"]: r for r in rows}
    assert written and all(str(n) in by_upn[str(u)]["phones_written"] for u, n in written)
    assert all(str(n) in by_upn[str(u)]["awareness_text"] for u, n in written)
    assert "full phone numbers" in console.text
    again = tmp_path / "again.csv"
    assert main(["notices", *ws, "--tier", "P1", "--out", str(again)]) == 0
    assert {r["wave"] for r in _read(again)} >= {"wave-1"}  # tier notices name the users' batch


def _templates(tmp_path: Path, **texts: str) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    for phase in PHASES:
        (folder / f"{phase}.txt").write_text(texts.get(phase, (SHIPPED / f"{phase}.txt").read_text()))
    return folder


def test_own_templates_formula_cells_are_defused_and_no_secret_appears(
    tmp_path: Path, workspace: Path, console: CaptureConsole
) -> None:
    formula = 'Subject: =HYPERLINK("http://x","{{ upn }}")\n{{ changes | join("|") }}'
    mine = _templates(tmp_path, action=formula)
    out = tmp_path / "n.csv"
    args = ["notices", "--workspace", str(workspace), "--tier", "P2", "--out", str(out)]
    assert main([*args, "--templates", str(mine), "--reveal-phones"]) == 0
    rows = _read(out)
    assert rows and all(r["action_subject"].startswith("'=HYPERLINK(") for r in rows)
    secrets = [
        str(s)
        for (s,) in _query(
            workspace,
            "SELECT device_token_sha256 FROM mfa_devices UNION ALL "
            "SELECT oath_secret_sha256 FROM mfa_devices UNION ALL SELECT oath_secret_sha256 FROM mfa_users",
        )
        if s
    ]
    assert secrets
    shown = out.read_text(encoding="utf-8") + console.text
    assert not [s for s in secrets if s in shown]
    assert not re.search(r"[0-9a-f]{40,}", shown)  # no hash or token of any kind


@pytest.mark.parametrize("phase", ["awareness", "reminder"])
def test_a_broken_template_stops_the_command_with_one_line(
    tmp_path: Path, workspace: Path, phase: str, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = "Subject: hi\n\nHello {{ upn }}\n{% for x in actions %}\n- {{ x.nope( }}\n{% endfor %}\n"
    mine = _templates(tmp_path, **{phase: broken})
    out = tmp_path / "n.csv"
    args = ["--workspace", str(workspace), "--tier", "P1", "--out", str(out), "--templates", str(mine)]
    code = main(["notices", *args])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{mine / (phase + '.txt')}, line 5: " in err


def test_campaign_batch_notices_write_nothing_of_the_plan_and_mention_the_pass(
    tmp_path: Path, workspace: Path, console: CaptureConsole
) -> None:
    ws = ["--workspace", str(workspace)]
    assert main(["batch", "create", *ws, "--name", "campaign", "--tier", "P1", "--campaign"]) == 0
    out = tmp_path / "n.csv"
    assert main(["notices", *ws, "--batch", "campaign", "--out", str(out)]) == 0
    rows = _read(out)
    users = {str(u) for (u,) in _query(workspace, "SELECT upn FROM batch_users")}
    assert {r["upn"] for r in rows} == users and {r["wave"] for r in rows} == {"campaign"}
    assert {r["phones_written"] for r in rows} == {""}  # a campaign writes no phone
    assert {r["default_method"] for r in rows} == {""}
    needing = [r for r in rows if r["must_register"] == "true"]
    assert needing and all("Temporary Access Pass" in r["action_text"] for r in needing)
