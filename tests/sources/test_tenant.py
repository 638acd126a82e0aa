"""The tenant snapshot reader: users and methods, groups (direct and transitive), policies, domains,
ledger, and the careful path's line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from analysis.console import CaptureConsole
from analysis.sources import jsonl, sqlrun
from analysis.sources.files import FactsPool
from analysis.sources.workspace import load

from .builders import entra_user, make_tenant, phone_method, rows

METHODS = [
    phone_method("p1", "+44 7700900123", "mobile"),
    phone_method("p2", "+1 2065550100x123", "office"),
    {
        "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
        "id": "a1",
        "displayName": "iPhone",
    },
    {
        "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
        "id": "s1",
        "secretKey": "HANDMADESECRETKEY",
    },
    {"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod", "id": "h1"},
    {"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": "f1"},
    {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "pw"},
    {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "e1"},
    {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod", "id": "t1"},
    {"@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod", "id": "w1"},
    {"@odata.type": "#microsoft.graph.platformCredentialAuthenticationMethod", "id": "o1"},
    {
        "@odata.type": "microsoft.graph.phoneAuthenticationMethod",
        "id": "p3",
        "phoneType": "alternateMobile",
        "phoneNumber": "+44 7700900999",
    },
]


def test_users_methods_and_preferences(tmp_path: Path, pfdata: Path) -> None:
    tenant = make_tenant(
        tmp_path / "t",
        users=[
            entra_user(
                "u1",
                "alice@contoso.com",
                METHODS,
                onPremisesSecurityIdentifier="S-1-5-21-1-1001",
                onPremisesSyncEnabled=True,
                employeeId="E1",
                signInPreferences={
                    "userPreferredMethodForSecondaryAuthentication": "push",
                    "isSystemPreferredAuthenticationMethodEnabled": True,
                },
            ),
            entra_user(
                "u2",
                "guest@fabrikam.com",
                userType="Guest",
                accountEnabled=False,
                methodsError="not read: 429",
            ),
            entra_user("u3", "nomethods@contoso.com", authenticationMethods=None),
            entra_user("u4", "odd@contoso.com", authenticationMethods="oops", signInPreferences="sms"),
        ],
    )
    ws = tmp_path / "w.duckdb"
    load(ws, pfdata, tenant, CaptureConsole())
    assert rows(
        ws,
        "SELECT id, user_principal_name, account_enabled, user_type, on_premises_security_identifier, "
        "employee_id, preferred_method, system_preferred_enabled, methods_error, source_line "
        "FROM entra_users ORDER BY id",
    ) == [
        ("u1", "alice@contoso.com", True, "Member", "S-1-5-21-1-1001", "E1", "push", True, None, 1),
        ("u2", "guest@fabrikam.com", False, "Guest", None, None, None, False, "not read: 429", 2),
        ("u3", "nomethods@contoso.com", True, "Member", None, None, None, False, None, 3),
        (
            "u4",
            "odd@contoso.com",
            True,
            "Member",
            None,
            None,
            None,
            None,
            "authenticationMethods is not a list in the snapshot",
            4,
        ),
    ]
    kinds = rows(ws, "SELECT method_id, kind, phone_type, phone_number FROM entra_methods ORDER BY method_id")
    assert kinds == [
        ("a1", "authenticator", None, None),
        ("e1", "email", None, None),
        ("f1", "fido2", None, None),
        ("h1", "hardware_oath", None, None),
        ("o1", "other", None, None),
        ("p1", "phone", "mobile", "+44 7700900123"),
        ("p2", "phone", "office", "+1 2065550100x123"),
        ("p3", "phone", "alternateMobile", "+44 7700900999"),
        ("pw", "password", None, None),
        ("s1", "software_oath", None, None),
        ("t1", "tap", None, None),
        ("w1", "windows_hello", None, None),
    ]
    assert rows(ws, "SELECT count(*) FROM entra_methods WHERE user_id <> 'u1'") == [(0,)]
    detail = rows(ws, "SELECT detail FROM entra_methods WHERE method_id = 's1'")[0][0]
    assert json.loads(detail) == {
        "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
        "id": "s1",
    }
    assert b"HANDMADESECRETKEY" not in ws.read_bytes()


def test_groups_direct_and_transitive(tmp_path: Path, pfdata: Path) -> None:
    def member(kind: str, mid: str) -> dict[str, str]:
        return {"@odata.type": f"#microsoft.graph.{kind}", "id": mid}

    tenant = make_tenant(
        tmp_path / "t",
        users=[entra_user(f"u{i}", f"u{i}@x.com") for i in range(1, 6)],
        groups=[
            {
                "id": "g-top",
                "displayName": "Migration",
                "groupTypes": [],
                "securityEnabled": True,
                "members": [member("user", "u1"), member("group", "g-mid"), member("orgContact", "c1")],
            },
            {
                "id": "g-mid",
                "displayName": "Wave 1",
                "groupTypes": [],
                "members": [member("user", "u2"), member("group", "g-low")],
            },
            {
                "id": "g-low",
                "displayName": "Wave 1a",
                "groupTypes": ["DynamicMembership"],
                "membershipRule": "x",
                "members": [member("user", "u3"), member("group", "g-top"), {"id": "u4"}, {"id": "g-mid"}],
            },
            {
                "id": "g-other",
                "displayName": "Other",
                "groupTypes": ["Unified"],
                "members": [member("user", "u5")],
            },
        ],
    )
    ws = tmp_path / "w.duckdb"
    load(ws, pfdata, tenant, CaptureConsole())
    assert rows(ws, "SELECT id, is_dynamic, group_types FROM entra_groups ORDER BY id") == [
        ("g-low", True, ["DynamicMembership"]),
        ("g-mid", False, []),
        ("g-other", False, ["Unified"]),
        ("g-top", False, []),
    ]
    assert rows(
        ws, "SELECT member_id, member_type FROM entra_group_members WHERE group_id = 'g-low' ORDER BY 1"
    ) == [
        ("g-mid", "group"),
        ("g-top", "group"),
        ("u3", "user"),
        ("u4", "user"),
    ]
    assert rows(ws, "SELECT member_type FROM entra_group_members WHERE member_id = 'c1'") == [("contact",)]
    reach = {
        g: sorted(
            u for (u,) in rows(ws, f"SELECT user_id FROM entra_group_transitive_users WHERE group_id = '{g}'")
        )
        for g in ("g-top", "g-mid", "g-low", "g-other")
    }
    # g-top -> g-mid -> g-low -> g-top is a cycle; every group in it reaches every user in it
    assert reach == {
        "g-top": ["u1", "u2", "u3", "u4"],
        "g-mid": ["u1", "u2", "u3", "u4"],
        "g-low": ["u1", "u2", "u3", "u4"],
        "g-other": ["u5"],
    }


def test_policies_domains_ledger(tmp_path: Path, pfdata: Path) -> None:
    fingerprint = "AB" * 32
    tenant = make_tenant(
        tmp_path / "t",
        users=[entra_user("u1", "a@x.com")],
        domains=[
            {
                "id": "contoso.com",
                "authenticationType": "Federated",
                "isVerified": True,
                "federationConfiguration": [
                    {"id": "f", "federatedIdpMfaBehavior": "enforceMfaByFederatedIdp"}
                ],
            },
            {
                "id": "fabrikam.com",
                "authenticationType": "Managed",
                "isVerified": False,
                "federationConfiguration": [],
            },
        ],
        ledger=[
            {
                "userId": "u1",
                "entraMethodId": "m1",
                "kind": "device",
                "secretSha256": fingerprint,
                "deviceTokenSha256": None,
            },
            {"userId": "u1", "entraMethodId": "m2", "kind": "oath_token", "secretSha256": "nothex"},
            {"entraMethodId": "m3"},
        ],
    )
    ws = tmp_path / "w.duckdb"
    load(ws, pfdata, tenant, CaptureConsole())
    assert rows(
        ws, "SELECT config_id, state, is_office_phone_allowed FROM entra_method_configs ORDER BY 1"
    ) == [
        ("MicrosoftAuthenticator", "enabled", None),
        ("Sms", "enabled", None),
        ("SoftwareOath", "disabled", None),
        ("Voice", "enabled", True),
    ]
    assert rows(ws, "SELECT * FROM entra_rollout_policies") == [
        ("rp1", "MFA rollout", "multiFactorAuthentication", True, False)
    ]
    assert rows(ws, "SELECT * FROM entra_rollout_policy_groups ORDER BY 2") == [
        ("rp1", "g-pilot"),
        ("rp1", "g-wave2"),
    ]
    assert rows(ws, "SELECT * FROM tenant_info") == [("tenant-1", "2024-05-01T10:00:00Z", "file", True)]
    assert rows(
        ws, "SELECT id, authentication_type, federated_idp_mfa_behavior FROM entra_domains ORDER BY 1"
    ) == [
        ("contoso.com", "Federated", "enforceMfaByFederatedIdp"),
        ("fabrikam.com", "Managed", None),
    ]
    assert rows(ws, "SELECT user_id, entra_method_id, secret_sha256 FROM entra_ledger") == [
        ("u1", "m1", fingerprint.lower())
    ]
    assert rows(
        ws, "SELECT line, \"column\" FROM rejects WHERE source = 'tenant/ledger.jsonl' ORDER BY 1"
    ) == [
        (2, "secretSha256"),
        (3, "userId"),
    ]


def test_optional_files_missing(tmp_path: Path, pfdata: Path) -> None:
    root = tmp_path / "t"
    root.mkdir()
    (root / "users.jsonl").write_text(json.dumps(entra_user("u1", "a@x.com")) + "\n")
    console = CaptureConsole()
    summary = load(tmp_path / "w.duckdb", pfdata, root, console)
    assert summary.counts["entra_users"] == 1 and summary.counts["entra_groups"] == 0
    assert rows(tmp_path / "w.duckdb", "SELECT * FROM tenant_info") == [(None, None, None, False)]
    assert "no groups.jsonl" in console.text and "no policies.json" in console.text


def test_bad_lines_are_rejected_with_exact_line_numbers(tmp_path: Path, pfdata: Path) -> None:
    tenant = make_tenant(
        tmp_path / "t",
        users=[
            entra_user("u1", "a@x.com"),
            "",
            "   ",
            '["not", "an", "object"]',
            json.dumps({"userPrincipalName": "noid@x.com"}),
            entra_user(
                "u2",
                "b@x.com",
                [
                    {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod"},
                    {"id": "x"},
                    "junk",
                    phone_method("ok", "+1 2065550100"),
                ],
            ),
        ],
    )
    ws = tmp_path / "w.duckdb"
    load(ws, pfdata, tenant, CaptureConsole())
    assert rows(ws, "SELECT id, source_line FROM entra_users ORDER BY 1") == [("u1", 1), ("u2", 6)]
    assert rows(ws, 'SELECT line, "column", reason FROM rejects ORDER BY line, "column"') == [
        (4, None, "line is JSON but not an object; the line is left out"),
        (5, "id", "user object has no id; the user is left out"),
        (6, "authenticationMethods[0].id", "authentication method has no id; the method is left out"),
        (
            6,
            "authenticationMethods[1].@odata.type",
            "authentication method has no @odata.type; the method is left out",
        ),
        (
            6,
            "authenticationMethods[2].@odata.type",
            "authentication method is not an object; the method is left out",
        ),
    ]
    assert rows(ws, "SELECT method_id FROM entra_methods") == [("ok",)]


def test_fast_and_careful_paths_stage_the_same_columns(tmp_path: Path) -> None:
    """Each JSONL kind has two SQL twins (read_json and line-numbered text); their columns must agree."""
    sample = tmp_path / "one.jsonl"
    sample.write_text('{"id": "x"}\n')
    blank = tmp_path / "blank.jsonl"
    blank.write_text('{"id": "x"}\n\n')
    con = duckdb.connect()
    sqlrun.run(con, "sources/macros")
    facts = FactsPool()
    try:
        for kind in jsonl.KINDS:
            assert jsonl.stage(con, sample, kind, facts) == 1
            fast = con.execute(f"DESCRIBE {kind.stage}").fetchall()
            assert jsonl.stage(con, blank, kind, facts) == 1  # a blank line forces the careful path
            careful = con.execute(f"DESCRIBE {kind.stage}").fetchall()
            assert [c[:2] for c in fast] == [c[:2] for c in careful], kind.file
    finally:
        facts.close()
        con.close()


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_crlf_and_bom(tmp_path: Path, pfdata: Path, bom: bytes) -> None:
    tenant = make_tenant(tmp_path / "t", users=[])
    lines = [json.dumps(entra_user(f"u{i}", f"u{i}@x.com")) for i in range(3)]
    (tenant / "users.jsonl").write_bytes(bom + "\r\n".join(lines).encode() + b"\r\n")
    ws = tmp_path / "w.duckdb"
    load(ws, pfdata, tenant, CaptureConsole())
    assert rows(ws, "SELECT id, source_line FROM entra_users ORDER BY 2") == [
        ("u0", 1),
        ("u1", 2),
        ("u2", 3),
    ]
