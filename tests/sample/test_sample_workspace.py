"""The committed sample through the loader and the simulator: every DESIGN §4 outcome occurs.

The action lists below are copied from DESIGN §4 (not from the simulator), so a branch the sample
stops exercising, or one the simulator stops producing, fails here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analysis.sample import SCOPE_GROUP_NAME
from analysis.sample.scenarios import build as build_scenarios
from analysis.simulate.runner import simulate
from analysis.simulate.settings import Settings

# DESIGN §4.2-4.7: every action that can occur under the default settings.
# fmt: off
DEFAULT_ACTIONS = {
    "user": {"unmatched", "ambiguous", "user_disabled", "unchanged", "migrate"},
    "phone": {"write_mobile", "write_mobile_drop_extension", "write_office", "noop", "invalid_number",
              "invalid_extension"},
    "backup_phone": {"skip_both_extensions", "write_office", "write_alternate",
                     "fail_alternate_requires_mobile", "noop", "invalid_number", "invalid_extension"},
    "device": {"skip_duplicate_name", "skip_over_max", "update_device", "create_software_oath",
               "create_device", "skip_device_limit"},
    "oath_token": {"unsupported_hotp", "missing_secret", "update_oath", "create_hardware_oath",
                   "skip_device_limit"},
    "default_method": {"set_default", "set_default_fallback", "no_default", "noop"},
}
# fmt: on


@pytest.fixture
def ws(workspace: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(workspace))
    yield con
    con.close()


def _actions(con: duckdb.DuckDBPyConnection, table: str = "plan") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item, action in con.execute(f"SELECT DISTINCT item, action FROM {table}").fetchall():
        out.setdefault(item, set()).add(action)
    return out


def test_loader_accepts_the_sample_without_rejects(ws: duckdb.DuckDBPyConnection) -> None:
    assert ws.execute("SELECT count(*) FROM rejects").fetchone() == (0,)
    assert ws.execute("SELECT count(*) FROM mfa_users").fetchone() == (500,)
    valid, invalid = ws.execute(
        "SELECT count(*) FILTER (valid), count(*) FILTER (NOT valid) FROM mfa_phones"
    ).fetchone()
    assert valid > 400 and invalid > 5
    unparsed = ws.execute(
        "SELECT count(*) FROM entra_methods WHERE kind = 'phone' AND phone_e164 IS NULL"
    ).fetchone()
    assert unparsed == (0,)


def test_every_design_action_occurs_under_default_settings(ws: duckdb.DuckDBPyConnection) -> None:
    simulate(ws, Settings())
    got = _actions(ws)
    missing = {item: sorted(actions - got.get(item, set())) for item, actions in DEFAULT_ACTIONS.items()}
    assert not any(missing.values()), missing


def test_settings_dependent_actions_occur(ws: duckdb.DuckDBPyConnection) -> None:
    simulate(ws, dataclasses.replace(Settings(), group=SCOPE_GROUP_NAME), table="plan_a")
    assert "out_of_scope" in _actions(ws, "plan_a")["user"]
    assert "migrate" in _actions(ws, "plan_a")["user"]  # the group's nested members are in scope
    simulate(ws, dataclasses.replace(Settings(), default_method="if_unset"), table="plan_b")
    assert {"keep_default", "set_default"} <= _actions(ws, "plan_b")["default_method"]


def test_scenarios_get_the_outcomes_design_predicts(ws: duckdb.DuckDBPyConnection) -> None:
    simulate(ws, Settings())
    plan = {
        (username, item, ref or ""): (action, value)
        for username, item, ref, action, value in ws.execute(
            "SELECT username, item, ref, action, value FROM plan"
        ).fetchall()
    }
    wrong = []
    for e in build_scenarios(7).expected:
        got = plan.get((e.username, e.item, e.ref))
        if got is None or got[0] != e.action or (e.value is not None and got[1] != e.value):
            wrong.append(
                f"{e.username} {e.item} {e.ref}: expected {e.action} {e.value or ''}, got {got} ({e.story})"
            )
    assert not wrong, "\n".join(wrong)
