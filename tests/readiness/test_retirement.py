"""The state after the phone retirement date: tiers, the retirement checks' severity over time, what
counts as usable, unknowns, the registration campaign, the stored view, and the report's tier outputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from readiness_cases import CASES
from readiness_world import World

from analysis.errors import UserError
from analysis.readiness import afterdate, checks
from analysis.readiness.report import csvfile, jsonfile
from analysis.readiness.retirement import Retirement
from analysis.simulate.settings import Settings

DATE = dt.date(2027, 2, 1)
FAR = DATE - dt.timedelta(days=200)  # well before warn_days (60)
NEAR = DATE - dt.timedelta(days=10)
MICROSOFT = Retirement(date=DATE)
OWN = Retirement(date=DATE, phone_delivery="own_provider")


def run(world: World, retirement: Retirement = MICROSOFT, today: dt.date = NEAR) -> checks.Report:
    return checks.run(world.con, world.stamped(Settings.default()), retirement=retirement, today=today)


def tiers(rep: checks.Report) -> dict[int, str | None]:
    return {int(r.user_id): (None if pd.isna(r.tier) else r.tier) for r in rep.tiers.itertuples()}


def finding_ids(rep: checks.Report, check_id: str) -> list[str]:
    return sorted(rep.result(check_id).findings["subject_id"])


def test_the_clean_world_is_p3_and_the_retirement_checks_are_quiet(world: World) -> None:
    rep = run(world)
    assert tiers(rep) == {1: "P3", 2: "P3", 3: "P3"}
    assert rep.retirement == {
        "date": "2027-02-01",
        "phone_delivery": "microsoft",
        "warn_days": 60,
        "today": NEAR.isoformat(),
        "days_left": 10,
        "urgent": True,
        "tiers": {"P1": 0, "P2": 0, "P3": 3, "unknown": 0},
    }
    assert [r.check.id for r in rep.results if r.count and r.check.id.startswith("retirement_")] == []


def test_phones_only_is_p1_with_microsoft_delivery_and_p2_with_an_own_provider(world: World) -> None:
    CASES["retirement_nothing_usable"](world)  # Alice keeps only the mobile phone the plan writes
    rep = run(world)
    assert tiers(rep)[1] == "P1"
    (detail,) = rep.result("retirement_nothing_usable").findings["detail"]
    assert detail == (
        "only mobile phone after the plan; Microsoft stops delivering phone codes on 2027-02-01 (in 10 days)"
    )
    assert finding_ids(rep, "retirement_no_app_method") == ["1"]
    own = run(world, OWN)
    assert tiers(own)[1] == "P2"  # usable, but the only method is a phone
    assert own.result("retirement_nothing_usable").count == 0
    assert own.retirement["tiers"] == {"P1": 0, "P2": 1, "P3": 2, "unknown": 0}


def test_a_phone_default_beside_authenticator_is_p2_and_warned_only_with_microsoft_delivery(
    world: World,
) -> None:
    CASES["retirement_default_phone"](world)
    rep = run(world)
    assert tiers(rep)[1] == "P2"
    (detail,) = rep.result("retirement_default_phone").findings["detail"]
    assert "default after the plan is sms; Microsoft Authenticator keeps working" in detail
    own = run(world, OWN)
    assert tiers(own)[1] == "P2" and own.result("retirement_default_phone").count == 0


@pytest.mark.parametrize(
    ("today", "severity", "when"),
    [
        (FAR, "warning", "in 200 days"),
        (DATE - dt.timedelta(days=61), "warning", "in 61 days"),
        (DATE - dt.timedelta(days=60), "blocker", "in 60 days"),  # within warn_days: urgent
        (DATE, "blocker", "today"),
        (DATE + dt.timedelta(days=3), "blocker", "3 days ago"),
    ],
)
def test_nothing_usable_is_a_warning_until_warn_days_before_the_date(
    world: World, today: dt.date, severity: str, when: str
) -> None:
    CASES["retirement_nothing_usable"](world)
    rep = run(world, today=today)
    result = rep.result("retirement_nothing_usable")
    assert result.check.severity == severity
    assert result.findings["detail"].iloc[0].endswith(f"({when})")
    # the score follows the severity of the day: a warning leaves Alice "with warnings"
    assert rep.score.tenant["blocked" if severity == "blocker" else "with_warnings"] >= 1
    assert rep.retirement["urgent"] is (severity == "blocker")
    catalogued = next(c for c in checks.catalogue() if c.id == "retirement_nothing_usable")
    assert (catalogued.severity, catalogued.early_severity) == ("blocker", "warning")


def test_voice_only_phones_need_the_voice_policy(world: World) -> None:
    """alternateMobile and office carry voice only; mobile carries SMS and voice (own provider, so phones
    count after the date)."""
    world.run("DELETE FROM entra_methods WHERE user_id = 'e2' AND kind = 'authenticator'")
    world.run(
        "UPDATE plan SET action = 'skip_device_limit', writable = 'none' "
        "WHERE user_id = 2 AND item = 'oath_token'"
    )
    world.run("UPDATE plan SET value = 'voiceAlternateMobile' WHERE user_id = 2 AND item = 'default_method'")
    world.run("DELETE FROM plan WHERE user_id = 2 AND item = 'phone'")  # Bob: only the alternate phone
    world.run("UPDATE entra_method_configs SET state = 'disabled' WHERE config_id = 'Voice'")
    assert tiers(run(world, OWN))[2] == "P1"  # SMS is on, but an alternate phone cannot do SMS
    world.run("UPDATE entra_method_configs SET state = 'enabled' WHERE config_id = 'Voice'")
    assert tiers(run(world, OWN))[2] == "P2"
    assert tiers(run(world, MICROSOFT))[2] == "P1"


def test_what_cannot_be_known_has_no_tier_and_is_never_p1(world: World) -> None:
    world.run("UPDATE entra_users SET methods_error = 'Forbidden' WHERE id = 'e1'")
    world.mfa_user(60, "csv.user@contoso.com", method="mobile_app", details_known=False)
    world.entra_user("e60", "csv.user@contoso.com")
    world.plan(60, "user", "migrate")
    world.plan(60, "device", "unknown")
    rep = run(world)
    assert tiers(rep)[1] is None and tiers(rep)[60] is None
    assert rep.retirement["tiers"]["unknown"] == 2
    assert rep.result("retirement_nothing_usable").count == 0
    assert rep.result("retirement_no_app_method").count == 0


def test_devices_left_to_the_utility_do_not_count_until_entra_shows_them(world: World) -> None:
    """A plan row the Migration Utility must carry out is not a method the user has."""
    world.mfa_user(20, "dan@contoso.com", method="mobile_app", country_code="44", phone="7700900777")
    world.insert(
        "mfa_devices", device_id=201, user_id=20, device_name="Dan's phone", activated_at="2024-01-01"
    )
    world.entra_user("e20", "dan@contoso.com")
    world.plan(20, "user", "migrate")
    world.plan(20, "phone", "write_mobile", "phone", "+44 7700900777", "graph")
    world.plan(20, "device", "create_device", "201", "", "utility")
    rep = run(world)
    assert tiers(rep)[20] == "P1"
    (detail,) = rep.result("retirement_device_not_carried").findings.query("subject_id == '20'")["detail"]
    assert detail.startswith(
        "uses the Authenticator app on MFA Server (1 device(s)), but Entra will have only"
    )
    assert "leaves the device to the Migration Utility" in detail
    world.app_method("e20", "authenticator")  # the user registered the app: now it counts
    rep = run(world)
    assert tiers(rep)[20] == "P3"  # no default is set or planned, so none that is a phone
    assert rep.result("retirement_device_not_carried").count == 0


def test_the_registration_campaign_is_judged_against_the_users_who_need_a_method(world: World) -> None:
    CASES["retirement_no_app_method"](world)  # Bob (e2) needs a new method
    assert "no registration campaign settings (not read)" in _campaign(world)
    everyone = [
        {"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}
    ]
    world.insert(
        "entra_registration_campaign",
        state="default",
        snooze_days=1,
        exclude_targets="[]",
        include_targets=json.dumps(everyone),
    )
    assert _campaign(world) is None  # Microsoft-managed for all users: reaches Bob
    world.run("UPDATE entra_registration_campaign SET exclude_targets = ?",
              json.dumps([{"id": "g-migrate", "targetType": "group"}]))  # fmt: skip
    assert (
        _campaign(world)
        == "the registration campaign (Microsoft-managed) prompts 0 of the 1 user(s) who need a new method"
    )
    world.run("UPDATE entra_registration_campaign SET exclude_targets = '[]', include_targets = ?",
              json.dumps([{"id": "e2", "targetType": "user"}]))  # fmt: skip
    assert _campaign(world) is None  # Graph's default target method is Authenticator
    world.run("UPDATE entra_registration_campaign SET state = 'disabled'")
    assert _campaign(world) == "the registration campaign is disabled; 1 user(s) need a new method"


def _campaign(world: World) -> str | None:
    findings = run(world).result("retirement_campaign").findings
    assert len(findings) <= 1 and (findings["user_id"].isna().all())
    return None if findings.empty else str(findings["detail"].iloc[0])


def test_the_view_is_stored_in_the_workspace_and_readable_read_only(world: World, tmp_path: Path) -> None:
    run(world)  # a writable run stores the view
    world.run("CHECKPOINT")
    world.close()
    con = duckdb.connect(str(world.path), read_only=True)
    try:
        afterdate.ensure_view(con)  # current: nothing to write
        afterdate.bind(con, OWN, NEAR)
        assert afterdate.tier_counts(con) == {"P1": 0, "P2": 0, "P3": 3, "unknown": 0}
        assert con.execute("SELECT max(days_left) FROM users_after_date").fetchone() == (10,)
    finally:
        con.close()
    con = duckdb.connect(str(world.path))
    con.execute("UPDATE workspace_views SET stamp = 'an older version' WHERE name = 'users_after_date'")
    con.execute("DROP VIEW users_after_date")
    con.close()
    con = duckdb.connect(str(world.path), read_only=True)
    try:
        with pytest.raises(UserError, match="open it once with write access"):
            afterdate.ensure_view(con)
    finally:
        con.close()
    world.con = duckdb.connect(str(world.path))
    afterdate.ensure_view(world.con)  # a writable connection brings it back
    assert world.con.execute("SELECT count(*) FROM users_after_date").fetchone() == (3,)


def test_the_json_and_csv_reports_carry_each_users_tier(world: World, tmp_path: Path) -> None:
    CASES["retirement_nothing_usable"](world)
    rep = run(world, today=FAR)
    jsonfile.write(rep, tmp_path / "r.json")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["schema_version"] == 2
    assert doc["retirement"]["days_left"] == 200 and doc["retirement"]["urgent"] is False
    assert {u["user_id"]: u["tier"] for u in doc["users"]} == {1: "P1", 2: "P3", 3: "P3"}
    alice = next(u for u in doc["users"] if u["user_id"] == 1)
    assert alice["methods_after_plan"] == "mobile phone" and alice["methods_after_date"] is None
    severity = {c["id"]: c["severity"] for c in doc["checks"]}
    assert severity["retirement_nothing_usable"] == "warning"
    csvfile.write(rep, tmp_path / "r.csv")
    rows = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)
    assert list(rows.columns)[-1] == "tier"
    mine = rows[rows["check_id"] == "retirement_nothing_usable"]
    assert mine[["subject_id", "severity", "tier"]].values.tolist() == [["1", "warning", "P1"]]


def test_a_what_if_plan_gets_its_own_tiers(world: World) -> None:
    """Readiness over another plan table (the What-if page's) reads that plan, not the canonical one."""
    from analysis.simulate.plan import stamp

    CASES["retirement_nothing_usable"](world)  # Alice keeps only the mobile phone the plan writes
    world.run("CREATE TABLE plan_b AS FROM plan WHERE NOT (user_id = 1 AND action LIKE 'write_%')")
    other = checks.run(world.con, stamp(world.con, "plan_b", Settings.default()), retirement=OWN, today=NEAR)
    assert tiers(other)[1] == "P1"  # without the phone, nothing usable even with an own provider
    assert tiers(run(world, OWN))[1] == "P2"  # the canonical plan still writes it
