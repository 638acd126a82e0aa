"""The plan table: columns, writable per action, order, summaries, what-if, exports, its stamp."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from analysis.errors import UserError
from analysis.simulate import actions
from analysis.simulate.plan import current, read_stamp
from analysis.simulate.runner import (
    DIFF_COLUMNS,
    EXPORT_COLUMNS,
    PLAN_COLUMNS,
    compare,
    diff_head,
    ensure_plan,
    export,
    export_diff,
    simulate,
    simulate_users,
    summary,
)
from analysis.simulate.settings import Settings
from analysis.sqlfiles import sql

from .builders import Workspace, rows

UK = "7400123456"


def busy_workspace(tmp_path: Path) -> Workspace:
    """Three users touching every item."""
    ws = Workspace(tmp_path)
    ws.entra("e1", "a@contoso.com")
    ws.entra("e2", "b@contoso.com", preferred_method="sms")
    ws.user(
        1,
        "a@contoso.com",
        phone=UK,
        country_code="44",
        backup_phone="7400123457",
        backup_country_code="44",
        method="mobile_app",
        oath_serial="SN1",
        oath_kind="totp",
        oath_secret_sha256="ab",
    )
    ws.device(11, 1, "Old", "2024-01-01")
    ws.device(12, 1, "New", "2024-02-01")
    ws.user(2, "b@contoso.com", phone=UK, country_code="44", extension="12", method="text_message")
    ws.user(3, "nobody@contoso.com", phone=UK, country_code="44")
    return ws


def test_columns_and_types(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    ws.run()
    cols = ws.con.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = 'plan' ORDER BY ordinal_position"
    ).fetchall()
    assert cols == [
        ("user_id", "BIGINT"),
        ("entra_id", "VARCHAR"),
        ("username", "VARCHAR"),
        ("upn", "VARCHAR"),
        ("item", "VARCHAR"),
        ("ref", "VARCHAR"),
        ("action", "VARCHAR"),
        ("value", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("writable", "VARCHAR"),
    ]
    assert tuple(c for c, _ in cols) == PLAN_COLUMNS


def test_rows_in_plan_order_with_reasons(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    plan = ws.run()
    assert [(r["username"], r["item"], r["ref"], r["action"]) for r in plan] == [
        ("a@contoso.com", "user", None, "migrate"),
        ("a@contoso.com", "phone", "phone", "write_mobile"),
        ("a@contoso.com", "backup_phone", "backup_phone", "write_alternate"),
        ("a@contoso.com", "device", "11", "create_device"),
        ("a@contoso.com", "device", "12", "create_device"),
        ("a@contoso.com", "oath_token", "SN1", "create_hardware_oath"),
        ("a@contoso.com", "default_method", "default_method", "set_default"),
        ("b@contoso.com", "user", None, "migrate"),
        ("b@contoso.com", "phone", "phone", "write_mobile_drop_extension"),
        ("b@contoso.com", "default_method", "default_method", "noop"),
        ("nobody@contoso.com", "user", None, "unmatched"),
    ]
    assert all(r["reason"] and not r["reason"].startswith("Unexplained") for r in plan)
    assert {r["entra_id"] for r in plan if r["username"] == "a@contoso.com"} == {"e1"}


def test_every_action_has_one_writable(tmp_path: Path) -> None:
    """The vocabulary as the simulator loads it: graph for what this tool writes, utility for devices,
    software OATH and updates, else none."""
    ws = Workspace(tmp_path)
    ws.con.execute(sql("simulate/actions"), actions.sql_params())
    table = {(i, a): w for i, a, w, _ in ws.con.execute("SELECT * FROM sim_actions").fetchall()}
    assert len(table) == ws.con.execute("SELECT count(*) FROM sim_actions").fetchone()[0]  # type: ignore[index]
    graph = {a for (_, a), w in table.items() if w == "graph"}
    utility = {a for (_, a), w in table.items() if w == "utility"}
    assert graph == {
        "write_mobile", "write_mobile_drop_extension", "write_office", "write_alternate",
        "create_hardware_oath", "set_default", "set_default_fallback",
    }  # fmt: skip
    assert utility == {"create_device", "update_device", "create_software_oath", "update_oath"}
    assert set(table.values()) == {"graph", "utility", "none"}


def test_table_names_come_from_a_fixed_list(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    ws.fill_phones()
    with pytest.raises(ValueError):
        simulate(ws.con, Settings.default(), "plan; DROP TABLE mfa_users")
    for table in ("plan_a", "plan_b", "plan_batch"):
        simulate(ws.con, Settings.default(), table)
        assert len(rows(ws.con, table)) == 11


def test_temp_tables_are_dropped(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    ws.run()
    left = ws.con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'sim_%'").fetchall()
    assert left == []


def test_summary_counts(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    ws.fill_phones()
    s = summary(ws.con, simulate(ws.con, Settings.default()))
    assert s["users"] == {"migrate": 2, "unmatched": 1}
    assert s["outcomes"]["device"] == {"create_device": 2}
    assert s["outcomes"]["default_method"] == {"set_default": 1, "noop": 1}
    assert sum(s["writable"].values()) == 8
    assert s["writable"]["utility"] == 2


def test_compare_counts_and_changed_outcomes(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    ws.fill_phones()
    a = simulate(ws.con, Settings.default(), "plan_a")
    b = Settings.from_dict({"migrate": {"methods": ["phone"], "default_method": "never"}})
    result = compare(ws.con, a, simulate(ws.con, b, "plan_b"))
    counts = {(i, a): (x, y, d) for i, a, x, y, d in result["counts"]}
    assert counts[("device", "create_device")] == (2, 0, -2)
    assert counts[("user", "migrate")] == (2, 2, 0)
    assert counts[("phone", "write_mobile")] == (1, 1, 0)
    assert result["changed_users"] == 2
    assert result["changed_outcomes"] == 6  # backup, 2 devices, token, 2 defaults
    diff = ws.con.execute(
        "SELECT username, item, ref, before_action, after_action FROM plan_diff ORDER BY username, item, ref"
    ).fetchall()
    assert ("a@contoso.com", "device", "12", "create_device", None) in diff
    assert ("b@contoso.com", "default_method", "default_method", "noop", None) in diff
    assert all(r[4] is None for r in diff)


def test_a_what_if_in_memory_equals_the_stored_one_and_leaves_the_file_alone(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    ws.fill_phones()
    other = Settings.from_dict({"migrate": {"methods": ["phone"], "default_method": "never"}})
    a = simulate(ws.con, Settings.default(), "plan_a")
    stored = compare(ws.con, a, simulate(ws.con, other, "plan_b"))
    in_memory = simulate(ws.con, other, "whatif_mem.plan_b")
    assert rows(ws.con, "whatif_mem.plan_b") == rows(ws.con, "plan_b")
    result = compare(ws.con, a, in_memory)
    assert (stored["diff"], result["diff"]) == ("plan_diff", "whatif_mem.plan_diff")
    assert result | {"diff": None} == stored | {"diff": None}
    assert diff_head(ws.con, 100, "whatif_mem.plan_diff") == diff_head(ws.con, 100)
    assert current(ws.con, other, "whatif_mem.plan_b") == in_memory  # stamped beside it, and current
    stamps = {r[0] for r in ws.con.execute("SELECT table_name FROM plan_meta").fetchall()}
    assert stamps == {"plan_a", "plan_b"}  # the workspace's own record knows nothing of it
    ws.con.close()
    con = duckdb.connect(str(ws.path), read_only=True)  # a read-only workspace: a what-if still works
    try:
        assert read_stamp(con, "whatif_mem.plan_b") is None  # gone with the process's hold on the file
        again = simulate(con, other, "whatif_mem.plan_b")
        assert rows(con, "whatif_mem.plan_b") == rows(con, "plan_b")
        assert compare(con, read_stamp(con, "plan_a") or a, again)["changed_outcomes"] == 6
    finally:
        con.close()


def test_export_formats(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    ws.fill_phones()
    plan = simulate(ws.con, Settings.default())
    n = export(ws.con, plan, str(tmp_path / "plan.csv"))
    assert n == 11
    with open(tmp_path / "plan.csv", encoding="utf-8", newline="") as f:
        got = list(csv.reader(f))
    assert tuple(got[0]) == EXPORT_COLUMNS == ("username", "upn", "item", "ref", "action", "value", "reason")
    assert got[1][:6] == ["a@contoso.com", "a@contoso.com", "user", "", "migrate", ""]
    assert got[-1][:5] == ["nobody@contoso.com", "", "user", "", "unmatched"]
    export(ws.con, plan, str(tmp_path / "plan.json"))
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert list(data[0]) == list(EXPORT_COLUMNS) and len(data) == 11
    export(ws.con, plan, str(tmp_path / "plan.parquet"))
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'plan.parquet'}'").fetchall() == [(11,)]
    with pytest.raises(UserError, match="cannot write"):
        export(ws.con, plan, str(tmp_path / "missing" / "x.csv"))
    compare(ws.con, plan, plan)
    assert export_diff(ws.con, str(tmp_path / "diff.csv")) == 0
    with open(tmp_path / "diff.csv", encoding="utf-8", newline="") as f:
        assert tuple(next(csv.reader(f))) == DIFF_COLUMNS


def test_unparsed_phones_are_refused(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    with pytest.raises(UserError, match="mfa_phones"):
        simulate(ws.con, Settings.default())


def test_simulate_users_plans_only_those_users(tmp_path: Path) -> None:
    ws = busy_workspace(tmp_path)
    full = ws.run()
    simulate_users(
        ws.con, Settings.default(), ["b@contoso.com", "nobody@contoso.com", "ghost"], "plan_replan"
    )
    assert rows(ws.con, "plan_replan") == [r for r in full if r["username"] != "a@contoso.com"]
    simulate_users(ws.con, Settings.default(), [], "plan_replan")
    assert rows(ws.con, "plan_replan") == []


def test_simulate_users_keeps_shared_entra_user_ambiguity(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.entra("e1", "a@contoso.com", on_premises_security_identifier="S-1")
    ws.user(1, "a@contoso.com")
    ws.user(2, "CONTOSO\\a", object_sid="S-1")
    ws.fill_phones()
    simulate_users(ws.con, Settings.default(), ["a@contoso.com"], "plan_replan")
    assert [r["action"] for r in rows(ws.con, "plan_replan")] == ["ambiguous"]


def test_a_plan_knows_whether_it_is_current(tmp_path: Path) -> None:
    """The stamp in plan_meta: other settings, a new load, new migration marks or a restricted run make a
    plan stale, and readers (export) refuse a stale one."""
    ws = busy_workspace(tmp_path)
    ws.fill_phones()
    ws.con.execute(
        "INSERT INTO loads VALUES ('load-1', TIMESTAMPTZ '2026-12-01 10:00:00+00', 'pfdata', 'test')"
    )
    plan = simulate(ws.con, Settings.default())
    assert plan.table == "plan" and plan.load_id == "load-1" and plan.is_current(ws.con)
    assert current(ws.con, Settings.default()) == plan == read_stamp(ws.con, "plan")
    assert plan.fingerprint == Settings.default().fingerprint() and len(plan.key) == 64
    never = Settings.from_dict({"migrate": {"default_method": "never"}})
    assert current(ws.con, never) is None  # made with other settings

    ws.con.execute("INSERT INTO migration_marks VALUES ('a@contoso.com', '2026-12-02T00:00:00Z', 'x', 'w')")
    assert not plan.is_current(ws.con)
    assert "marked migrated" in str(plan.stale_reason(ws.con))
    again = ensure_plan(ws.con, Settings.default())
    assert again != plan and again.is_current(ws.con) and ensure_plan(ws.con, Settings.default()) == again

    ws.con.execute(
        "INSERT INTO loads VALUES ('load-2', TIMESTAMPTZ '2026-12-03 10:00:00+00', 'pfdata', 'test')"
    )
    assert "loaded again" in str(again.stale_reason(ws.con))
    with pytest.raises(UserError, match=r"out of date.*simulate again"):
        export(ws.con, again, str(tmp_path / "stale.csv"))
    assert not (tmp_path / "stale.csv").exists()

    fresh = simulate(ws.con, never)
    assert "simulated again" in str(again.stale_reason(ws.con)) and fresh.is_current(ws.con)
    simulate_users(ws.con, never, ["a@contoso.com"], "plan")  # a partial table is never a plan
    assert read_stamp(ws.con, "plan") is None and not fresh.is_current(ws.con)
