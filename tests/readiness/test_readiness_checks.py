"""Every check fires on data crafted for it, stays quiet on clean data, and is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from readiness_cases import CASES
from readiness_world import DEVICE_FINGERPRINT, SECRET_FINGERPRINT, World

from analysis.readiness import checks as readiness
from analysis.simulate.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CHECKS = readiness.catalogue()
IDS = [c.id for c in CHECKS]


def test_catalogue_headers_are_complete_and_ids_unique() -> None:
    assert len(IDS) == len(set(IDS))
    assert len(IDS) >= 40
    for c in CHECKS:
        assert c.severity in readiness.SEVERITIES
        assert c.title and c.why and c.remediation, c.id
        assert "  " not in c.why and "--" not in c.remediation, f"{c.id}: header continuation not joined"


def test_clean_world_is_quiet(world: World) -> None:
    report = readiness.run(world.con, world.stamped(Settings.default()))
    fired = {r.check.id: r.findings["detail"].tolist() for r in report.results if r.count}
    assert fired == {}
    assert report.score.tenant == {"users": 3, "ready": 3, "with_warnings": 0, "blocked": 0, "score": 100.0}
    assert report.score.status == "ready"


@pytest.mark.parametrize("check_id", IDS)
def test_check_fires_on_crafted_data(world: World, check_id: str) -> None:
    if check_id not in CASES:
        pytest.fail(f"check {check_id} has no crafted case in tests/readiness/readiness_cases.py")
    case = CASES[check_id](world)
    settings = Settings.from_dict(case.settings) if case.settings else Settings.default()
    check = next(c for c in CHECKS if c.id == check_id)
    result = readiness.run(world.con, world.stamped(settings), checks=[check]).result(check_id)
    assert result.count >= 1, f"{check_id} did not fire"
    subjects = result.findings["subject_id"].tolist()
    assert any(s == case.subject_id or s.startswith(case.subject_id) for s in subjects), subjects
    assert result.findings["detail"].str.len().min() > 0
    users = result.findings[result.findings["subject_type"].isin(["user", "phone", "device", "oath_token"])]
    assert users["user_id"].notna().all(), "user findings must name the MFA Server user"
    assert users["username"].notna().all()


def test_every_case_names_an_existing_check() -> None:
    assert sorted(set(CASES) - set(IDS)) == []


def test_subject_ids_are_unique_within_a_check(world: World) -> None:
    """The baseline diff keys findings by (check, subject_type, subject_id); duplicates would hide one."""
    for fn in CASES.values():
        if fn is CASES["federation_ready_to_cut_over"]:
            continue  # contradicts the federation cases; covered on its own above
        fn(world)
    report = readiness.run(world.con, world.stamped(Settings.default()))
    for r in report.results:
        dup = r.findings.duplicated(["subject_type", "subject_id"])
        assert not dup.any(), (r.check.id, r.findings[dup])
    text = report.findings().to_csv()
    assert SECRET_FINGERPRINT not in text and DEVICE_FINGERPRINT not in text


def test_every_check_is_documented() -> None:
    """docs/checks.md has a section per check with its severity (Datasette-style docs test)."""
    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    found = re.findall(
        r"^### `([a-z0-9_]+)`\n\n\*\*(blocker|warning|info)\*\* · [^·]+ · (.+)$", doc, flags=re.M
    )
    sections = {cid: (severity, title) for cid, severity, title in found}
    missing = [c.id for c in CHECKS if c.id not in sections]
    assert missing == [], f"add these checks to docs/checks.md: {missing}"
    wrong = [c.id for c in CHECKS if sections[c.id] != (c.severity, c.title)]
    assert wrong == [], f"severity or title in docs/checks.md differs from the check file: {wrong}"
    for c in CHECKS:
        assert f"*Why:* {c.why}" in doc and f"*Remediation:* {c.remediation}" in doc, (
            f"{c.id}: docs out of date"
        )
    stale = sorted(set(sections) - set(IDS))
    assert stale == [], f"docs/checks.md documents checks that no longer exist: {stale}"


def test_a_malformed_header_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis import sqlfiles

    area = tmp_path / "readiness"
    area.mkdir()
    (area / "bad.sql").write_text(
        "-- id: bad\n-- title: x\n-- severity: fatal\n-- why: x\n-- remediation: x\nSELECT 1"
    )
    monkeypatch.setattr(sqlfiles, "QUERIES", tmp_path)
    sqlfiles.clear_cache()
    try:
        with pytest.raises(ValueError, match="severity 'fatal'"):
            readiness.catalogue()
    finally:
        sqlfiles.clear_cache()


def test_unknown_outcomes_are_not_reported_as_missing_methods(world: World) -> None:
    """Export Users CSV users have devices the plan cannot see: never call them method-less or weak."""
    world.mfa_user(60, "csv.user@contoso.com", method="mobile_app", details_known=False)
    world.entra_user("e60", "csv.user@contoso.com")
    world.plan(60, "user", "migrate")
    world.plan(60, "device", "unknown")
    world.mfa_user(61, "csv.phone@contoso.com", method="phone_call", details_known=False)
    world.entra_user("e61", "csv.phone@contoso.com")
    world.plan(61, "user", "migrate")
    world.plan(61, "phone", "write_mobile", "phone", "+44 7700900555", "graph")
    world.plan(61, "device", "unknown")
    report = readiness.run(world.con, world.stamped(Settings.default()))
    assert report.result("no_usable_method").count == 0
    assert report.result("weak_methods_only").count == 0
    assert sorted(report.result("unknown_outcomes").findings["subject_id"]) == ["60", "61"]
