"""The readiness score (per tenant and user group, gates, status) and the runbook's step statuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from readiness_cases import CASES
from readiness_world import World

from analysis.readiness import checks as readiness
from analysis.readiness import runbook
from analysis.simulate.settings import Settings


def run(world: World, **settings: Any) -> readiness.Report:
    return readiness.run(world.con, world.stamped(Settings.from_dict(settings)))


# ------------------------------------------------------------------------------------------- score
def test_score_counts_each_user_once_by_worst_severity(world: World) -> None:
    CASES["invalid_phone_numbers"](world)  # Alice (Sales): blocker
    CASES["retirement_default_phone"](world)  # Alice again: a warning does not lift a blocker
    world.run("UPDATE entra_users SET account_enabled = false WHERE id = 'e3'")  # Carol (Sales): warning
    CASES["pin_mobile_app"](world)  # Carol: info does not count
    rep = run(world)
    # users 3: Alice blocked, Carol with warnings, Bob ready -> 100 * (1 + 0.5) / 3
    assert rep.score.tenant == {"users": 3, "ready": 1, "with_warnings": 1, "blocked": 1, "score": 50.0}
    groups = rep.score.groups.set_index("group")
    assert groups.loc["Sales", ["users", "ready", "with_warnings", "blocked"]].tolist() == [2, 0, 1, 1]
    assert groups.loc["Sales", "score"] == 25.0
    assert groups.loc["Engineering", "score"] == 100.0
    entra = rep.score.entra_groups.set_index("group")  # transitive members of each Entra group
    assert entra.loc["MFA Migrate", ["users", "ready", "with_warnings", "blocked", "score"]].tolist() == [
        3, 1, 1, 1, 50.0,
    ]  # fmt: skip
    assert entra.loc["MFA Rollout", ["users", "with_warnings", "score"]].tolist() == [1, 1, 50.0]
    assert rep.score.gates == [] and rep.score.status == "blocked"


def test_disabled_users_that_are_skipped_do_not_count(world: World) -> None:
    CASES["disabled_mfa_users"](world)
    assert run(world).score.tenant["users"] == 3
    world.run("UPDATE plan SET action = 'migrate' WHERE user_id = 14")
    assert run(world, scope={"skip_disabled": False}).score.tenant["users"] == 4


def test_tenant_level_blockers_are_gates_not_score(world: World) -> None:
    CASES["methods_not_enabled"](world)
    CASES["rollout_dynamic_groups"](world)
    rep = run(world)
    assert rep.score.tenant["score"] == 100.0
    assert rep.score.gates == ["methods_not_enabled", "rollout_dynamic_groups"]
    assert rep.score.status == "blocked"


def test_warnings_only_give_status_warnings(world: World) -> None:
    CASES["entra_user_disabled"](world)
    rep = run(world)
    assert rep.score.status == "warnings"
    assert rep.score.tenant["score"] == pytest.approx(100 * (2 + 0.5) / 3, abs=0.05)


def test_an_empty_workspace_scores_nothing(world: World) -> None:
    world.run("DELETE FROM mfa_users")
    world.run("DELETE FROM plan")
    rep = run(world)
    assert rep.score.tenant == {"users": 0, "ready": 0, "with_warnings": 0, "blocked": 0, "score": None}
    assert rep.score.groups.empty


def test_the_formula_is_in_the_report() -> None:
    assert "100 × (ready + 0.5 × with_warnings) / users" in readiness.SCORE_FORMULA


# ------------------------------------------------------------------------------------------- runbook
def statuses(world: World) -> dict[str, str]:
    rb = run(world).runbook
    return dict(zip(rb["step"], rb["status"], strict=True))


def test_runbook_of_the_clean_world(world: World) -> None:
    rb = run(world).runbook
    assert rb["phase"].tolist() == ["Preparations"] * 4 + ["Migrations"] * 4 + ["Finalize"] * 4
    assert dict(zip(rb["step"], rb["status"], strict=True)) == {
        "Identify Azure MFA Server dependencies": "done",
        "Backup Azure MFA Server datafile": "manual",
        "Install MFA Server update": "done",
        "Configure MFA Migration Utility": "done",
        "Validate and test": "done",
        "Educate users": "manual",
        "Migrate user data": "done",
        "Complete user migration": "in progress",
        "Migrate MFA Server dependencies": "done",
        "Disable MFA Server User portal": "done",
        "Update domain federation settings": "to do",
        "Decommission Azure MFA server": "manual",
    }
    assert rb["evidence"].str.len().min() > 10


def test_runbook_at_the_start(world: World) -> None:
    world.run("UPDATE mfa_users SET last_migrated_at = NULL")
    world.run("UPDATE mfa_meta SET value = '23' WHERE key = 'schema_version'")
    world.run("DELETE FROM entra_rollout_policies")
    world.run("UPDATE mfa_auth_services SET enabled = true")
    s = statuses(world)
    assert s["Install MFA Server update"] == "to do"
    assert s["Configure MFA Migration Utility"] == "manual"
    assert s["Validate and test"] == "to do"
    assert s["Migrate user data"] == "to do"
    assert s["Complete user migration"] == "to do"
    assert s["Migrate MFA Server dependencies"] == "to do"
    assert s["Disable MFA Server User portal"] == "to do"


def test_runbook_at_the_end(world: World) -> None:
    world.run("UPDATE mfa_users SET last_migrated_at = '2024-06-01T00:00:00Z'")
    world.run("UPDATE entra_domains SET federated_idp_mfa_behavior = 'rejectMfaByFederatedIdp'")
    s = statuses(world)
    assert s["Complete user migration"] == "done"
    assert s["Update domain federation settings"] == "done"


def test_runbook_partial_states(world: World) -> None:
    world.run("UPDATE entra_rollout_policies SET is_enabled = false")
    world.run("UPDATE mfa_auth_services SET enabled = true WHERE service = 'radius'")
    world.insert("entra_domains", id="fabrikam.com", authentication_type="Federated",
                 federated_idp_mfa_behavior="rejectMfaByFederatedIdp")  # fmt: skip
    s = statuses(world)
    assert s["Validate and test"] == "in progress"
    assert s["Migrate MFA Server dependencies"] == "in progress"
    assert s["Update domain federation settings"] == "in progress"


def test_runbook_without_a_service_inventory_is_manual() -> None:
    facts = {
        "datafile_kind": "csv", "schema_version": None, "services": 0, "dependencies": 0,
        "dependencies_enabled": 0, "portals": 0, "portals_enabled": 0, "rollout_policies": 0,
        "rollout_enabled": 0, "rollout_whole_org": 0, "rollout_groups": 0, "users": 10, "up_to_date": 0,
        "migrated_ever": 0, "pending": 10, "federated": 0, "federated_reject": 0, "federated_enforce": 0,
    }  # fmt: skip
    table = runbook.statuses(facts)
    assert table["step"].tolist() == [step for _phase, step, _rule in runbook.STEPS]
    s = dict(zip(table["step"], table["status"], strict=True))
    assert s["Identify Azure MFA Server dependencies"] == "manual"
    assert s["Install MFA Server update"] == "manual"
    assert s["Migrate MFA Server dependencies"] == "manual"
    assert s["Disable MFA Server User portal"] == "manual"
    assert s["Update domain federation settings"] == "done"  # no federated domain: nothing to change
    assert set(table["status"]) <= set(runbook.STATUSES)


_CATALOGUE = {c.id: c for c in readiness.catalogue()}
#: Each check that can change a user's status (blocker or warning), after the retirement date; the ones
#: with an early severity also before it.
_SCORING = [
    *((case, dt.date(2027, 3, 1)) for case in sorted(CASES) if _CATALOGUE[case].severity != "info"),
    *((case, dt.date(2026, 6, 1)) for case in sorted(CASES) if _CATALOGUE[case].early_severity),
]


@pytest.mark.parametrize(("case", "today"), _SCORING, ids=[f"{c}-{d}" for c, d in _SCORING])
def test_the_score_alone_equals_the_full_runs(world: World, case: str, today: dt.date) -> None:
    """The What-if page's score (readiness.tenant_score: the checks reduced in SQL) is the full run's,
    with each check that can change a user's status firing."""
    made = CASES[case](world)
    plan = world.stamped(Settings.from_dict(made.settings))
    full = readiness.run(world.con, plan, today=today)
    assert full.result(case).count > 0, f"the case does not make {case} fire"
    assert readiness.tenant_score(world.con, plan, today=today) == full.score.tenant
