"""What-if (AppTest): readiness score and blocked deltas, before/after values, users re-migrated by a
selection change counted and explained, the saved file with every section, and *Make current* without a
restart. Expected numbers come from a separate copy of the workspace through the core API."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from test_pages import metrics, n, run

from analysis.readiness import checks as readiness
from analysis.simulate.plan import current
from analysis.simulate.runner import compare, simulate
from analysis.simulate.settings import Settings

pytestmark = pytest.mark.slow
NO_PHONE = ["backup_phone", "mobile_app", "oath_token"]  # a selection change: every method but "phone"


def compare_without_phone(reference: duckdb.DuckDBPyConnection) -> tuple[dict, dict, int]:
    """The current and what-if readiness and how many users a selection change migrates again."""
    base = current(reference, Settings.default())
    assert base is not None
    now = readiness.run(reference, base).score.tenant
    after = simulate(reference, Settings.from_dict({"migrate": {"methods": NO_PHONE}}), table="plan_b")
    then = readiness.run(reference, after).score.tenant
    compare(reference, base, after)
    again = reference.execute(
        "SELECT count(*) FROM plan a JOIN plan_b b USING (user_id) WHERE a.item = 'user' AND b.item = 'user' "
        "AND a.action = 'unchanged' AND b.action = 'migrate'"
    ).fetchone()
    return now, then, int(again[0]) if again else 0


def compare_without_phone_in_the_page() -> AppTest:
    """The What-if page after choosing every method but "phone" and pressing Compare."""
    at = run("whatif")
    at.multiselect(key="w_methods").set_value(NO_PHONE)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def score_shown(at: AppTest, now: dict, then: dict) -> dict:
    """The page's metrics by label, after checking it shows ``then``'s score and its delta from ``now``."""
    shown = {m.label: m for m in at.metric}
    assert shown["Readiness score"].value == f"{then['score']:.1f} / 100"
    assert shown["Readiness score"].delta == f"{then['score'] - now['score']:+.1f}"
    return shown


def test_score_blocked_and_re_migrated_users(shared_env: Path, reference: duckdb.DuckDBPyConnection) -> None:
    now, then, again = compare_without_phone(reference)
    assert again > 0, "the sample has users migrated with the current selection"
    at = compare_without_phone_in_the_page()
    shown = score_shown(at, now, then)
    assert shown["Blocked users"].value == n(then["blocked"])
    assert shown["Blocked users"].delta == f"{then['blocked'] - now['blocked']:+,}"
    assert any(f"{again:,} users already migrated would be migrated again" in w.value for w in at.warning)
    table = next(t.value for t in at.table if "Before: outcome and value" in t.value.columns)
    assert any(v.startswith("Set default method: ") for v in table["Before: outcome and value"])
    assert any(v.startswith("yes: the selection differs") for v in table["Re-migrated"])


def test_save_has_every_section_and_make_current_applies_without_a_restart(
    dashboard_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(
        '[execute]\nhandoff = "reregister"\n\n[notices]\nhelpdesk_contact_rate = 0.5\n', encoding="utf-8"
    )
    monkeypatch.setenv("MFA_MIGRATE_SETTINGS", str(settings_file))
    at = run("whatif")
    at.multiselect(key="w_methods").set_value(NO_PHONE)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    saved = next(b for b in at.get("download_button") if b.label == "Save these settings (TOML)")
    assert saved is not None
    from analysis import settingsfile

    whole = settingsfile.from_dict(
        tomllib.loads(settingsfile.to_toml(settingsfile.read(settings_file))), "round trip"
    )
    assert whole.execute.handoff == "reregister"  # the writer keeps [execute]

    next(b for b in at.button if b.label == "Make current").click().run()
    assert not at.exception, [e.message for e in at.exception]
    written = tomllib.loads(settings_file.read_text(encoding="utf-8"))
    assert written["migrate"]["methods"] == NO_PHONE
    assert written["execute"] == {
        "handoff": "reregister",
        "migration_group": "",
        "tap": False,
        "tap_lifetime_minutes": 480,
        "tap_usable_once": False,
        "tap_start": "",
        "campaign_group": "",
    }
    assert "retirement" in written
    assert written["notices"]["helpdesk_contact_rate"] == 0.5  # every section of the file is kept
    assert any("These settings are current now" in s.value for s in at.success)
    at.switch_page("analysis/dashboard/pages/overview.py").run()  # the same session: no restart
    assert not at.exception
    con = duckdb.connect(str(dashboard_env))  # this process shares the dashboard's database instance
    try:
        stamped = con.execute("SELECT settings_toml FROM plan_meta WHERE table_name = 'plan'").fetchone()
        changes = con.execute("SELECT actor, path FROM dashboard_settings_changes").fetchall()
    finally:
        con.close()
    assert stamped and tomllib.loads(stamped[0])["migrate"]["methods"] == NO_PHONE
    assert len(changes) == 1 and changes[0][1] == str(settings_file)
    assert metrics(at)["Will migrate"]  # the Overview rendered with the new plan


def test_scores_use_the_admins_retirement_settings(
    dashboard_env: Path, reference: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With their own telecom provider, phones stay usable: the What-if page's "now" and "then" scores are
    those of the Overview (the [retirement] in force), not the defaults'."""
    from analysis.readiness.retirement import Retirement

    own = Retirement(phone_delivery="own_provider")
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[retirement]\nphone_delivery = "own_provider"\n', encoding="utf-8")
    monkeypatch.setenv("MFA_MIGRATE_SETTINGS", str(settings_file))
    base = current(reference, Settings.default())
    assert base is not None
    now = readiness.run(reference, base, retirement=own).score.tenant
    default_now = readiness.run(reference, base).score.tenant
    assert now["score"] != default_now["score"], "the sample's score depends on the phone retirement"
    after = simulate(reference, Settings.from_dict({"migrate": {"methods": NO_PHONE}}), table="plan_b")
    then = readiness.run(reference, after, retirement=own).score.tenant
    score_shown(compare_without_phone_in_the_page(), now, then)
