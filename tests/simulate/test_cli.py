"""``mfa-migrate simulate`` and ``whatif`` on the committed sample data, checked against the reference."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.simulate.settings import Settings

from .reference import Reference

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected_rows(workspace: Path, settings: Settings) -> list[dict[str, str]]:
    """The reference implementation's plan for the sample, as the CSV would show it."""
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        ref = Reference(con, phones="parse").plan(settings)
    finally:
        con.close()
    return [
        {
            "username": r[2],
            "upn": r[3] or "",
            "item": r[4],
            "ref": r[5] or "",
            "action": r[6],
            "value": r[7] or "",
        }
        for r in ref
    ]


@pytest.mark.slow
def test_simulate_writes_the_plan_for_the_sample(
    workspace: Path, tmp_path: Path, console: CaptureConsole
) -> None:
    out = tmp_path / "plan.csv"
    assert main(["simulate", "--workspace", str(workspace), "--out", str(out), "--reveal-phones"]) == 0
    printed = console.text
    assert "Users" in printed and "migrate" in printed and f"to {out}" in printed
    with open(out, encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["username", "upn", "item", "ref", "action", "value", "reason"]
    got = read_csv(out)
    assert all(r["reason"] for r in got)
    without_reason = [{k: v for k, v in r.items() if k != "reason"} for r in got]
    assert sorted(without_reason, key=repr) == sorted(expected_rows(workspace, Settings.default()), key=repr)
    # written in plan order: each user's rows together, users in user_id order, items in item order
    order = ["user", "phone", "backup_phone", "device", "oath_token", "default_method"]
    con = duckdb.connect(str(workspace), read_only=True)
    names = con.execute("SELECT username FROM mfa_users ORDER BY user_id").fetchall()
    con.close()
    user_ids = {name: i for i, (name,) in enumerate(names)}
    keys = [
        (user_ids[r["username"]], order.index(r["item"]), int(r["ref"]) if r["item"] == "device" else 0)
        for r in got
    ]
    assert keys == sorted(keys)
    # the sample exercises most of the plan's vocabulary
    actions = {(r["item"], r["action"]) for r in got}
    assert {
        ("user", "migrate"),
        ("user", "unmatched"),
        ("phone", "write_mobile"),
        ("device", "create_device"),
    } <= actions


@pytest.mark.slow
def test_simulate_from_datafile_and_tenant_with_settings(tmp_path: Path) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text('[migrate]\nmethods = ["phone"]\ndefault_method = "never"\n', encoding="utf-8")
    out = tmp_path / "plan.parquet"
    argv = ["simulate", "--datafile", str(SAMPLE / "PhoneFactor.pfdata"), "--tenant", str(SAMPLE / "tenant")]
    assert main([*argv, "--settings", str(settings), "--out", str(out)]) == 0
    items = {r[0] for r in duckdb.sql(f"SELECT DISTINCT item FROM '{out}'").fetchall()}
    assert items == {"user", "phone"}


@pytest.mark.slow
def test_whatif_lists_counts_and_differences(
    workspace: Path, tmp_path: Path, console: CaptureConsole
) -> None:
    a = tmp_path / "a.toml"
    a.write_text("", encoding="utf-8")
    b = tmp_path / "b.toml"
    b.write_text("[limits]\ndevice_limit = 1\n[scope]\nonly_changed = false\n", encoding="utf-8")
    out = tmp_path / "diff.csv"
    argv = [
        "whatif",
        "--workspace",
        str(workspace),
        "--settings",
        str(a),
        "--settings",
        str(b),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    printed = console.text
    assert "delta" in printed and "users have a different outcome" in printed
    diff = read_csv(out)
    assert diff and list(diff[0])[:8] == [
        "username", "upn", "item", "ref", "before_action", "before_value", "after_action", "after_value",
    ]  # fmt: skip
    assert any(r["item"] == "device" and r["after_action"] == "skip_device_limit" for r in diff)
    assert all((r["before_action"], r["before_value"]) != (r["after_action"], r["after_value"]) for r in diff)


def test_whatif_needs_two_settings(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.toml"
    a.write_text("", encoding="utf-8")
    assert main(["whatif", "--workspace", str(workspace), "--settings", str(a)]) == 2
    assert "exactly two --settings" in capsys.readouterr().err


def test_bad_settings_file_is_one_clear_error(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[migrate]\ndefault_method = "sometimes"\n', encoding="utf-8")
    assert main(["simulate", "--workspace", str(workspace), "--settings", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "migrate.default_method" in err and str(bad) in err and "Traceback" not in err


def test_bad_out_extension(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--workspace", str(workspace), "--out", str(tmp_path / "plan.xlsx")]) == 2
    assert ".csv, .parquet or .json" in capsys.readouterr().err


def test_sample_scenarios_get_the_outcomes_their_generator_predicts(workspace: Path) -> None:
    """analysis.sample's hand-made scenario users carry the plan rows DESIGN §4 predicts for them,
    written by another engineer from the text: a third, independent reading of the rules."""
    from analysis.sample import scenarios
    from analysis.simulate.runner import simulate

    con = duckdb.connect(str(workspace))
    try:
        simulate(con, Settings.default())
        plan = con.execute("SELECT username, item, coalesce(ref, ''), action, value FROM plan").fetchall()
    finally:
        con.close()
    index = {(u, i, r): (a, v) for u, i, r, a, v in plan}
    expected = scenarios.build(7).expected
    assert expected
    wrong = []
    for e in expected:
        got = index.get((e.username, e.item, e.ref or ""))
        want = (e.action, e.value) if e.value is not None else (e.action,)
        if got is None or got[: len(want)] != want:
            wrong.append((e.username, e.item, e.ref, want, got, e.story))
    assert wrong == []
