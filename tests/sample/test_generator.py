"""The sample generator: deterministic, in the documented shapes (DESIGN 3.1a, 3.2), realistic."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.sample import generate, minimum_users
from analysis.sources.fingerprint import device_token_fingerprint, secret_fingerprint
from analysis.sources.phones import parse_phone

ROOT = Path(__file__).resolve().parents[2]
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
GRAPH_PHONE = re.compile(r"^\+\d{1,3} \d{4,17}(x\d+)?$")
TENANT_FILES = (
    "snapshot.json",
    "users.jsonl",
    "groups.jsonl",
    "policies.json",
    "domains.jsonl",
    "ledger.jsonl",
)

# DESIGN 3.1a, table by table.
# fmt: off
PFDATA_LAYOUT = {
    "meta": ["key", "value"],
    "users": [
        "user_id", "username", "object_sid", "first_name", "last_name", "email", "user_group", "enabled",
        "country_code", "phone", "extension", "backup_country_code", "backup_phone", "backup_extension",
        "method", "phone_mode", "text_mode", "text_direction", "app_mode", "pin_hash", "pin_salt", "language",
        "oath_serial", "oath_secret", "oath_kind", "oath_time_step", "created_at", "modified_at",
        "last_migrated_at", "migrated_selection",
    ],
    "mobile_app_devices": [
        "device_id", "user_id", "device_name", "device_token", "oath_secret", "notification_type",
        "app_version", "account_name", "activated_at",
    ],
    "settings": ["section", "key", "value"],
    "auth_services": ["service", "name", "detail", "enabled"],
}
# fmt: on


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, 3000, seed=11)
    return out


@pytest.fixture(scope="module")
def pf(sample: Path) -> sqlite3.Connection:
    con = sqlite3.connect(sample / "PhoneFactor.pfdata")
    con.row_factory = sqlite3.Row
    return con


@pytest.mark.slow
def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    generate(tmp_path / "a", 200, seed=5)
    generate(tmp_path / "b", 200, seed=5)
    generate(tmp_path / "c", 200, seed=6)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert sorted(a) == ["PhoneFactor.pfdata"] + [f"tenant/{f}" for f in sorted(TENANT_FILES)]
    assert a["tenant/users.jsonl"] != c["tenant/users.jsonl"]
    assert a["PhoneFactor.pfdata"] != c["PhoneFactor.pfdata"]
    assert a["tenant/snapshot.json"] != c["tenant/snapshot.json"]  # the tenant id follows the seed


def test_committed_sample_is_what_make_sample_writes(tmp_path: Path) -> None:
    """sample_data/ must be regenerated (make sample) whenever the generator changes."""
    generate(tmp_path, 500, seed=7)
    assert _digest(tmp_path) == _digest(ROOT / "sample_data")


def test_datafile_has_the_design_layout(pf: sqlite3.Connection, sample: Path) -> None:
    assert (sample / "PhoneFactor.pfdata").read_bytes()[:16] == b"SQLite format 3\x00"
    for table, columns in PFDATA_LAYOUT.items():
        assert [r["name"] for r in pf.execute(f"PRAGMA table_info({table})")] == columns
    meta = dict(pf.execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema_version"] == "24" and meta["server_name"] and meta["exported_at"]
    assert pf.execute("SELECT count(*) FROM users").fetchone()[0] == 3000
    services = {r[0] for r in pf.execute("SELECT service FROM auth_services")}
    assert {"radius", "ldap", "iis", "adfs", "windows", "user_portal", "web_service_sdk"} <= services
    sections = {r[0] for r in pf.execute("SELECT section FROM settings")}
    assert {"company", "user_portal"} <= sections


def test_every_tenant_line_parses_into_graph_shapes(sample: Path) -> None:
    tenant = sample / "tenant"
    snapshot = json.loads((tenant / "snapshot.json").read_text())
    assert set(snapshot) == {"tenantId", "takenAt", "source"} and GUID.match(snapshot["tenantId"])
    users = _jsonl(tenant / "users.jsonl")
    ids = [u["id"] for u in users]
    assert len(ids) == len(set(ids)) and all(GUID.match(i) for i in ids)
    for user in users:
        assert {
            "userPrincipalName",
            "accountEnabled",
            "userType",
            "authenticationMethods",
            "signInPreferences",
        } <= set(user)
        types = Counter()
        for method in user["authenticationMethods"]:
            assert method["@odata.type"].startswith("#microsoft.graph.") and method["id"]
            if method["@odata.type"] == "#microsoft.graph.phoneAuthenticationMethod":
                assert GRAPH_PHONE.match(method["phoneNumber"]), method
                types[method["phoneType"]] += 1
        assert set(types) <= {"mobile", "alternateMobile", "office"} and max(types.values(), default=1) == 1
        assert not types["alternateMobile"] or types["mobile"], "Graph needs a mobile before an alternate"
    groups = _jsonl(tenant / "groups.jsonl")
    group_ids = {g["id"] for g in groups}
    member_types = {m["@odata.type"] for g in groups for m in g["members"]}
    assert member_types == {"#microsoft.graph.user", "#microsoft.graph.group", "#microsoft.graph.orgContact"}
    nested = [m["id"] for g in groups for m in g["members"] if m["@odata.type"] == "#microsoft.graph.group"]
    assert set(nested) <= group_ids
    domains = _jsonl(tenant / "domains.jsonl")
    behaviours = {
        d["federationConfiguration"][0]["federatedIdpMfaBehavior"]
        for d in domains
        if d["authenticationType"] == "Federated"
    }
    assert behaviours == {
        "acceptIfMfaDoneByFederatedIdp",
        "enforceMfaByFederatedIdp",
        "rejectMfaByFederatedIdp",
        None,
    }
    assert any(d["authenticationType"] == "Managed" and d["federationConfiguration"] == [] for d in domains)
    for line in _jsonl(tenant / "ledger.jsonl"):
        assert set(line) == {"userId", "entraMethodId", "kind", "secretSha256", "deviceTokenSha256"}
        assert line["kind"] in ("device", "oath_token") and line["userId"] in set(ids)
        assert all(v is None or HEX64.match(v) for v in (line["secretSha256"], line["deviceTokenSha256"]))


def test_policies(sample: Path) -> None:
    policies = json.loads((sample / "tenant" / "policies.json").read_text())
    configs = {
        c["id"]: c for c in policies["authenticationMethodsPolicy"]["authenticationMethodConfigurations"]
    }
    assert {"MicrosoftAuthenticator", "Sms", "Voice", "SoftwareOath", "HardwareOath"} <= set(configs)
    assert configs["Voice"]["state"] == "enabled" and configs["Voice"]["isOfficePhoneAllowed"] is False
    assert any(c["state"] == "disabled" for c in configs.values())
    groups = {g["id"]: g for g in _jsonl(sample / "tenant" / "groups.jsonl")}
    (mfa,) = [p for p in policies["featureRolloutPolicies"] if p["feature"] == "multiFactorAuthentication"]
    assert mfa["isEnabled"] and not mfa["isAppliedToOrganization"] and 0 < len(mfa["appliesTo"]) <= 10
    for target in mfa["appliesTo"]:  # Staged Rollout: no dynamic or nested groups, at most 50,000 users
        group = groups[target["id"]]
        assert "DynamicMembership" not in group["groupTypes"]
        assert all(m["@odata.type"] == "#microsoft.graph.user" for m in group["members"])
        assert len(group["members"]) <= 50_000


def test_ledger_points_at_real_secrets(pf: sqlite3.Connection, sample: Path) -> None:
    secrets = {
        secret_fingerprint(s)
        for (s,) in pf.execute(
            "SELECT oath_secret FROM mobile_app_devices WHERE oath_secret IS NOT NULL "
            "UNION ALL SELECT oath_secret FROM users WHERE oath_secret IS NOT NULL"
        )
    }
    tokens = {
        device_token_fingerprint(t) for (t,) in pf.execute("SELECT device_token FROM mobile_app_devices")
    }
    ledger = _jsonl(sample / "tenant" / "ledger.jsonl")
    assert ledger
    for line in ledger:
        assert line["secretSha256"] is None or line["secretSha256"].lower() in secrets
        assert line["deviceTokenSha256"] is None or line["deviceTokenSha256"].lower() in tokens


def test_population_looks_like_an_mfa_server_estate(pf: sqlite3.Connection) -> None:
    users = [dict(r) for r in pf.execute("SELECT * FROM users")]
    n = len(users)
    assert len({u["username"].lower() for u in users}) == n  # 'Sofia' and 'Sofía' are two people
    share = lambda pred: sum(1 for u in users if pred(u)) / n  # noqa: E731
    assert 0.01 < share(lambda u: u["enabled"] == 0) < 0.08
    assert 0.2 < share(lambda u: "\\" in u["username"]) < 0.45
    assert 0.05 < share(lambda u: u["last_migrated_at"] is not None) < 0.2
    assert share(lambda u: (u["phone"] or "").lstrip().startswith("+")) > 0.1
    assert share(lambda u: u["extension"] is not None) > 0.05
    assert any(u["extension"] and not u["extension"].strip().isdigit() for u in users)
    assert share(lambda u: u["backup_phone"] is not None) > 0.15
    assert {u["method"] for u in users} == {"phone_call", "text_message", "mobile_app", "oath_token"}
    assert {u["oath_kind"] for u in users} == {None, "totp", "hotp"}
    assert any(u["oath_serial"] and u["oath_secret"] is None for u in users)
    assert any(u["pin_hash"] for u in users) and {u["phone_mode"] for u in users} == {"standard", "pin"}
    parsed = [parse_phone(u["country_code"], u["phone"]) for u in users if u["phone"]]
    assert 0.9 < sum(p.valid for p in parsed) / len(parsed) < 0.995  # mostly valid, some not
    assert len({p.country_code for p in parsed if p.valid}) >= 15
    counts = Counter(r[0] for r in pf.execute("SELECT user_id FROM mobile_app_devices"))
    assert max(counts.values()) == 8 and 0.3 < len(counts) / n < 0.6
    names = pf.execute(
        "SELECT count(*) FROM (SELECT user_id, lower(trim(device_name)) FROM mobile_app_devices "
        "WHERE device_name IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1)"
    ).fetchone()[0]
    assert names > 10  # duplicate device names per user


def test_generator_never_prints_secrets(tmp_path: Path) -> None:
    console = CaptureConsole()
    generate(tmp_path, 100, seed=3, console=console)
    con = sqlite3.connect(tmp_path / "PhoneFactor.pfdata")
    secrets = [
        v
        for (v,) in con.execute(
            "SELECT oath_secret FROM users UNION ALL SELECT pin_hash FROM users UNION ALL "
            "SELECT oath_secret FROM mobile_app_devices UNION ALL SELECT device_token FROM mobile_app_devices"
        )
        if v
    ]
    assert secrets and "100" in console.text
    assert not [s for s in secrets if s in console.text]


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    low = minimum_users()
    assert main(["sample", "--users", str(low), "--seed", "2", "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "PhoneFactor.pfdata").is_file() and (
        tmp_path / "s" / "tenant" / "users.jsonl"
    ).is_file()
    assert main(["sample", "--users", str(low - 1), "--out", str(tmp_path / "t")]) == 2
    err = capsys.readouterr().err
    assert f"at least {low}" in err and "Traceback" not in err
