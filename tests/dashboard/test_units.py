"""Plain-pytest tests of the dashboard's logic (no Streamlit runtime): identity and roles, the per-user
view, charts, exports, and the execution targets' safety checks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.dashboard import charts, exports, identity, outcomes, userview
from analysis.dashboard.execution import emulator_target, graph_target
from analysis.errors import UserError


# ---------------------------------------------------------------- identity and roles
def test_roles_file_grants_by_identity_case_insensitively(tmp_path: Path) -> None:
    f = tmp_path / "roles.toml"
    f.write_text(
        '[roles]\napprovers = ["Alice@Contoso.com"]\noperators = ["bob@contoso.com", "alice@contoso.com"]\n'
    )
    roles = identity.read_roles(f)
    alice = identity.oidc_identity({"email": "alice@contoso.com", "name": "Alice"}, roles)
    bob = identity.oidc_identity({"preferred_username": "BOB@contoso.com"}, roles)
    eve = identity.oidc_identity({"email": "eve@contoso.com"}, roles)
    assert (alice.can_approve, alice.can_run) == (True, True)
    assert (bob.can_approve, bob.can_run) == (False, True)
    assert (eve.can_approve, eve.can_run) == (False, False)
    assert alice.display == "Alice" and alice.mode == "oidc"


def test_local_wildcard_never_matches_a_signed_in_user(tmp_path: Path) -> None:
    f = tmp_path / "roles.toml"
    f.write_text('approvers = ["local:*"]\noperators = ["local:*"]\n')
    roles = identity.read_roles(f)
    local = identity.local_identity(roles, os_user="carol", operator=True)
    assert local.name == "local:carol" and local.can_approve and local.can_run
    signed_in = identity.oidc_identity({"email": "local:carol"}, roles)  # a claim cannot spoof local mode
    assert signed_in.name == "local:carol"
    assert identity.oidc_identity({"email": "carol@contoso.com"}, roles).roles == frozenset()


def test_missing_or_broken_roles_file_grants_nothing_and_says_why(tmp_path: Path) -> None:
    missing = identity.read_roles(tmp_path / "nope.toml")
    assert missing.approvers == frozenset() and "no roles file" in missing.problem
    bad = tmp_path / "bad.toml"
    bad.write_text("approvers = [unterminated")
    broken = identity.read_roles(bad)
    assert broken.operators == frozenset() and "not valid TOML" in broken.problem
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('approvers = "alice"\n')  # a string, not a list
    assert identity.read_roles(wrong).approvers == frozenset()


def test_oidc_identity_reads_name_claims_only() -> None:
    claims = {"sub": "abc", "tokens": {"id": "eyJ-secret"}, "is_logged_in": True}
    ident = identity.oidc_identity(claims, identity.Roles())
    assert ident.name == "abc"
    assert "eyJ" not in ident.display


# ---------------------------------------------------------------- per-user view
def _detail(**over: pd.DataFrame) -> dict[str, pd.DataFrame]:
    mfa = pd.DataFrame(
        [
            {
                "user_id": 1,
                "username": "alice@contoso.com",
                "method": "phone_call",
                "phone_mode": "pin",
                "country_code": "44",
                "phone": "7700900123",
                "extension": "55",
                "phone_graph": "+44 7700900123",
                "phone_valid": True,
                "phone_error": None,
                "backup_country_code": "44",
                "backup_phone": "7700900456",
                "backup_extension": None,
                "backup_graph": "+44 7700900456",
                "backup_valid": True,
                "backup_error": None,
                "oath_serial": "SN1",
                "oath_kind": "totp",
                "oath_time_step": 30,
                "oath_has_secret": True,
                "text_mode": None,
                "text_direction": None,
                "app_mode": None,
            }
        ]
    )
    devices = pd.DataFrame([{"device_id": 7, "device_name": "iPhone", "action": "create_device"}])
    entra = pd.DataFrame([{"id": "e1", "preferred_method": "sms", "system_preferred_enabled": pd.NA}])
    methods = pd.DataFrame(
        [
            {
                "kind": "phone",
                "phone_type": "mobile",
                "phone_number": "+44 7700900999",
                "display_name": None,
                "method_id": "m",
            }
        ]
    )
    plan = pd.DataFrame(
        [
            {"item": "user", "action": "migrate", "value": None},
            {"item": "phone", "action": "write_office", "value": "+44 7700900123x55"},
            {"item": "backup_phone", "action": "write_alternate", "value": "+44 7700900456"},
            {"item": "device", "action": "create_device", "value": None},
            {"item": "oath_token", "action": "create_hardware_oath", "value": None},
            {"item": "default_method", "action": "set_default", "value": "voiceOffice"},
        ]
    )
    d = {"mfa": mfa, "devices": devices, "entra": entra, "methods": methods, "plan": plan}
    d.update(over)
    return d


def test_side_by_side_puts_each_phone_in_the_slot_the_utility_uses() -> None:
    view = userview.side_by_side(_detail()).set_index("")
    assert list(view.index) == userview.ROWS
    assert view.loc["Office phone", "MFA Server"].startswith("+44 7700900123 x55")
    assert view.loc["Alternate phone", "MFA Server"].startswith("+44 7700900456")
    assert view.loc["Mobile phone", "MFA Server"] == userview.DASH
    assert view.loc["Mobile phone", "Entra now"] == "+44 7700900999"
    assert view.loc["Office phone", "After the plan"].startswith("+44 7700900123x55")
    assert view.loc["Mobile phone", "After the plan"] == "unchanged"
    assert view.loc["Default method", "MFA Server"] == "Phone call (PIN)"
    assert view.loc["Default method", "Entra now"] == "Text message"
    assert "Call office" in view.loc["Default method", "After the plan"]
    assert view.loc["OATH token", "MFA Server"] == "SN1 (TOTP, 30 s, secret on file)"
    assert view.loc["Authenticator app", "MFA Server"] == "1: iPhone"


def test_side_by_side_for_an_unmatched_user() -> None:
    view = userview.side_by_side(
        _detail(
            entra=pd.DataFrame(columns=["id"]),
            methods=pd.DataFrame(columns=["kind", "phone_type", "phone_number", "display_name"]),
            plan=pd.DataFrame([{"item": "user", "action": "unmatched", "value": None}]),
        )
    ).set_index("")
    assert set(view["Entra now"]) == {"(no Entra user)"}
    assert set(view["After the plan"]) == {userview.DASH}


# ---------------------------------------------------------------- charts and outcomes
def test_users_by_outcome_chart_carries_the_counts_and_colours() -> None:
    df = pd.DataFrame({"action": ["unmatched", "migrate"], "users": [3, 40]})
    chart = charts.users_by_outcome(df)
    d = chart.data
    assert dict(zip(d["label"], d["users"], strict=True)) == {"Will migrate": 40, "No Entra user found": 3}
    assert list(d["label"]) == ["Will migrate", "No Entra user found"]  # largest first
    assert outcomes.TONE_COLOURS["bad"] in list(d["colour"])
    spec = chart.to_dict()
    assert spec["layer"][0]["mark"]["type"] == "bar" and spec["layer"][1]["mark"]["type"] == "text"


def test_methods_chart_has_every_population_and_method_in_order() -> None:
    df = pd.DataFrame(
        {
            "population": ["MFA Server", "Entra now", "After the plan"],
            "method": ["Mobile phone", "Mobile phone", "Office phone"],
            "users": [5, 2, 1],
        }
    )
    chart = charts.methods_compared(df)
    d = chart.data.set_index(["population", "method"])["users"]
    assert len(d) == len(charts.POPULATIONS) * len(charts.METHOD_ORDER)
    assert d["MFA Server", "Mobile phone"] == 5 and d["MFA Server", "Office phone"] == 0
    assert d["After the plan", "Office phone"] == 1
    assert chart.to_dict()["encoding"]["color"]["scale"]["domain"] == list(charts.POPULATIONS)


def test_checks_chart_puts_blockers_first_and_keeps_the_top() -> None:
    df = pd.DataFrame(
        {
            "title": ["Info check", "Blocker check", "Warning check", "Quiet check"],
            "severity": ["info", "blocker", "warning", "blocker"],
            "findings": [900, 5, 50, 0],
        }
    )
    d = charts.checks_by_severity(df, top=2).data
    assert list(d["label"]) == ["Blocker check", "Warning check"]


def test_outcome_flow_links_sum_to_the_rows() -> None:
    flow = pd.DataFrame(
        {
            "item": ["phone", "phone", "user"],
            "a": ["write_mobile", "write_mobile", "migrate"],
            "b": ["write_mobile", None, "out_of_scope"],
            "n": [10, 4, 3],
        }
    )
    fig = charts.outcome_flow(flow)
    sankey = fig.data[0]
    assert sum(sankey.link.value) == 17
    labels = list(sankey.node.label)  # each with the rows through it
    assert "Phone: (not in plan) (4)" in labels and "User: Not in the migration group (3)" in labels
    assert "Phone: Write mobile phone (14)" in labels and "Phone: Write mobile phone (10)" in labels
    moves = charts.flow_table(flow)
    assert list(moves["Rows"]) == [10, 4, 3] and moves.iloc[1]["What-if"] == "(not in plan)"


def test_every_action_the_simulator_can_emit_has_a_label() -> None:
    """Labels and tones come from the plan's vocabulary (tests/simulate/test_actions.py checks that the
    simulator writes only what it lists)."""
    from analysis.simulate import actions

    for a in actions.ACTIONS:
        assert (outcomes.label(a.action), outcomes.tone(a.action)) == (a.label, a.tone), a


# ---------------------------------------------------------------- exports
def test_csv_exports_defuse_formula_cells() -> None:
    out = exports.csv_bytes(pd.DataFrame({"username": ['=HYPERLINK("x")', "bob"], "n": [1, 2]})).decode()
    assert "'=HYPERLINK" in out and '\n"bob",2' in out


# ---------------------------------------------------------------- execution targets
def test_emulator_target_refuses_anything_but_this_machine(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    doc = {
        "graph_url": "https://graph.microsoft.com",
        "authority": "a",
        "ca_file": "c",
        "client_id": "i",
        "client_secret": "s",
    }
    ready.write_text(json.dumps(doc))
    with pytest.raises(UserError, match="not this machine"):
        emulator_target(str(ready))
    doc["graph_url"] = "https://127.0.0.1:4443"
    ready.write_text(json.dumps(doc))
    target = emulator_target(str(ready))
    assert target.kind == "emulator" and "s" not in target.label.split()
    with pytest.raises(UserError, match="no emulator ready file"):
        emulator_target(str(tmp_path / "missing.json"))


def test_graph_connection_file_must_not_hold_a_secret(tmp_path: Path) -> None:
    f = tmp_path / "graph.toml"
    f.write_text(
        'authority = "https://login.microsoftonline.com/t"\nclient_id = "c"\nclient_secret = "hunter2"\n'
    )
    with pytest.raises(UserError) as err:
        graph_target(str(f))
    assert "hunter2" not in str(err.value)
    f.write_text(
        'authority = "https://login.microsoftonline.com/t"\nclient_id = "c"\nclient_secret_env = "X"\n'
    )
    assert graph_target(str(f)).kind == "graph"


def test_made_current_settings_survive_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """*Make current* without MFA_MIGRATE_SETTINGS leaves <workspace>.settings.toml; a new dashboard process
    (nothing remembered in memory) uses it, and the variable, when set, still wins."""
    from analysis.dashboard import settingsstore

    monkeypatch.delenv(settingsstore.SETTINGS_ENV, raising=False)
    ws = tmp_path / "ws.duckdb"
    assert settingsstore.path_for(str(ws)) is None
    made = tmp_path / "ws.settings.toml"
    made.write_text('[migrate]\nmethods = ["phone"]\n', encoding="utf-8")
    assert settingsstore.path_for(str(ws)) == str(made)
    assert settingsstore.read(str(ws)).whatif.methods == ("phone",)
    chosen = tmp_path / "chosen.toml"
    chosen.write_text("", encoding="utf-8")
    monkeypatch.setenv(settingsstore.SETTINGS_ENV, str(chosen))
    assert settingsstore.path_for(str(ws)) == str(chosen)
