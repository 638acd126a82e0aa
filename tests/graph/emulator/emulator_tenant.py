"""A tiny hand-made tenant for the emulator's own tests: every rule has a user or group to hit.

Users (``uN@fabrikam.example``):
  u0  no methods at all                      u1  mobile only (default sms)
  u2  mobile + alternate (default voiceMobile) u3  office only
  u4  4 devices (3 Authenticator + 1 software OATH) — one more fits, then the limit
  u5  5 devices — at the limit               u6  Authenticator only (default push)
  u7..u11 plain users for group and batch tests; u7 is synced from AD (SAM ``jdoe7``)
  u12 one method of every type Graph has (password, phone, email, FIDO2 passkey, Authenticator,
      software OATH, Temporary Access Pass, Windows Hello, platform credential, hardware OATH)
Groups: static, nested (contains static), dynamic, synced-from-AD, with-contact, and 11 small groups
for the 10-group staged rollout limit. Domains: a managed one and a federated one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TENANT_ID = "5b1f7a0e-3c2d-4e6f-8a9b-0c1d2e3f4a5b"
MOBILE = "3179e48a-750b-4051-897c-87b9720928f7"
ALTERNATE = "b6332ec1-7057-4abe-9331-3d72feddfe41"
OFFICE = "e37fc753-ff3b-4958-9484-eaa9425c82bc"
PASSWORD = "28c10230-6103-485e-b985-444c60001490"
EMAIL = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"
DOMAIN = "fabrikam.example"


def uid(i: int) -> str:
    return f"10000000-0000-4000-8000-{i:012d}"


def gid(i: int) -> str:
    return f"20000000-0000-4000-8000-{i:012d}"


def upn(i: int) -> str:
    return f"u{i}@{DOMAIN}"


def _password() -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        "id": PASSWORD,
        "password": None,
        "createdDateTime": "2023-01-01T00:00:00Z",
    }


def _phone(kind: str, number: str) -> dict[str, Any]:
    ids = {"mobile": MOBILE, "alternateMobile": ALTERNATE, "office": OFFICE}
    return {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        "id": ids[kind],
        "phoneNumber": number,
        "phoneType": kind,
        "smsSignInState": "notAllowedByPolicy" if kind == "mobile" else "notSupported",
    }


def _authenticator(user: int, n: int) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
        "id": f"a{user:07d}-0000-4000-8000-{n:012d}",
        "displayName": f"Phone {n} of u{user}",
        "deviceTag": "SoftwareTokenActivated",
        "phoneAppVersion": "6.2401.0119",
        "createdDateTime": "2024-01-05T08:00:00Z",
    }


def _software(user: int, n: int) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
        "id": f"b{user:07d}-0000-4000-8000-{n:012d}",
        "secretKey": None,
    }


USERS = 13


def every_method() -> list[dict[str, Any]]:
    """One method of each type, in Graph's shapes (u12)."""
    graph = "#microsoft.graph."
    return [
        _password(),
        _phone("mobile", "+44 7700900012"),
        {"@odata.type": graph + "emailAuthenticationMethod", "id": EMAIL, "emailAddress": "u12@home.example"},
        {
            "@odata.type": graph + "fido2AuthenticationMethod",
            "id": "f2000000-0000-4000-8000-000000000012",
            "displayName": "YubiKey 5 NFC",
            "createdDateTime": "2025-02-01T09:00:00Z",
            "aaGuid": "cb69481e-8ff7-4039-93ec-0a2729a154a8",
            "model": "YubiKey 5 Series",
            "attestationCertificates": ["dbe793efdf1945e2df25d93653a1e8a3268a9075"],
            "attestationLevel": "attested",
        },
        _authenticator(12, 0),
        _software(12, 0),
        {
            "@odata.type": graph + "temporaryAccessPassAuthenticationMethod",
            "id": "7a000000-0000-4000-8000-000000000012",
            "temporaryAccessPass": None,
            "createdDateTime": "2026-01-01T08:00:00Z",
            "startDateTime": "2026-01-01T08:00:00Z",
            "lifetimeInMinutes": 60,
            "isUsableOnce": False,
            "isUsable": False,
            "methodUsabilityReason": "Expired",
        },
        {
            "@odata.type": graph + "windowsHelloForBusinessAuthenticationMethod",
            "id": "3e000000-0000-4000-8000-000000000012",
            "displayName": "LAPTOP-12",
            "createdDateTime": "2025-03-01T09:00:00Z",
            "keyStrength": "normal",
        },
        {
            "@odata.type": graph + "platformCredentialAuthenticationMethod",
            "id": "9c000000-0000-4000-8000-000000000012",
            "displayName": "MacBook-12",
            "createdDateTime": "2025-04-01T09:00:00Z",
            "keyStrength": "normal",
            "platform": "macOS",
        },
        {
            "@odata.type": graph + "hardwareOathAuthenticationMethod",
            "id": "4a000000-0000-4000-8000-000000000012",
            "createdDateTime": "2025-05-01T09:00:00Z",
        },
    ]


def users() -> list[dict[str, Any]]:
    methods: dict[int, list[dict[str, Any]]] = {
        0: [],
        1: [_password(), _phone("mobile", "+44 7700900001")],
        2: [_password(), _phone("mobile", "+44 7700900002"), _phone("alternateMobile", "+44 7700900102")],
        3: [_password(), _phone("office", "+1 4255550103x12")],
        4: [_password(), *[_authenticator(4, n) for n in range(3)], _software(4, 0)],
        5: [_password(), *[_authenticator(5, n) for n in range(4)], _software(5, 0)],
        6: [_password(), _authenticator(6, 0)],
        12: every_method(),
    }
    preferred = {1: "sms", 2: "voiceMobile", 3: "voiceOffice", 4: "push", 5: "push", 6: "push"}
    out = []
    for i in range(USERS):
        synced = i == 7
        user: dict[str, Any] = {
            "id": uid(i),
            "userPrincipalName": upn(i),
            "displayName": f"User {i}",
            "accountEnabled": True,
            "userType": "Member",
            "mail": f"user.{i}@{DOMAIN}",
            "onPremisesSyncEnabled": True if synced else None,
            "onPremisesSecurityIdentifier": f"S-1-5-21-1-2-3-{1000 + i}" if synced else None,
            "onPremisesSamAccountName": f"jdoe{i}" if synced else None,
            "onPremisesImmutableId": None,
            "employeeId": f"E{i:04d}",
            "authenticationMethods": methods.get(i, [_password()]),
            "signInPreferences": {
                "userPreferredMethodForSecondaryAuthentication": preferred.get(i),
                "isSystemPreferredAuthenticationMethodEnabled": False,
            },
        }
        out.append(user)
    return out


def groups() -> list[dict[str, Any]]:
    def member(kind: str, ident: str) -> dict[str, str]:
        return {"@odata.type": f"#microsoft.graph.{kind}", "id": ident}

    def group(i: int, name: str, members: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
        return {
            "id": gid(i),
            "displayName": name,
            "groupTypes": [],
            "membershipRule": None,
            "securityEnabled": True,
            **extra,
            "members": members,
        }

    out = [
        group(1, "Static", [member("user", uid(i)) for i in (7, 8)]),
        group(2, "Nested", [member("user", uid(9)), member("group", gid(1))]),
        group(
            3,
            "Dynamic",
            [member("user", uid(10))],
            groupTypes=["DynamicMembership"],
            membershipRule='(user.department -eq "Sales")',
        ),
        group(4, "Synced", [member("user", uid(11))], onPremisesSyncEnabled=True),
        group(
            5,
            "WithContact",
            [member("user", uid(8)), member("orgContact", "30000000-0000-4000-8000-000000000001")],
        ),
        group(6, "Migration", []),
    ]
    out += [group(100 + n, f"Rollout {n}", [member("user", uid(8))]) for n in range(11)]
    return out


def policies() -> dict[str, Any]:
    target = [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}]
    return {
        "authenticationMethodsPolicy": {
            "id": "authenticationMethodsPolicy",
            "displayName": "Authentication Methods Policy",
            "policyVersion": "1.5",
            "authenticationMethodConfigurations": [
                {
                    "@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration",
                    "id": "Sms",
                    "state": "enabled",
                    "includeTargets": [dict(target[0], isUsableForSignIn=False)],
                },
                {
                    "@odata.type": "#microsoft.graph.voiceAuthenticationMethodConfiguration",
                    "id": "Voice",
                    "state": "enabled",
                    "isOfficePhoneAllowed": True,
                    "includeTargets": target,
                },
                {
                    "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethodConfiguration",
                    "id": "HardwareOath",
                    "state": "enabled",
                    "includeTargets": target,
                },
                {
                    "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
                    "id": "TemporaryAccessPass",
                    "state": "enabled",
                    "defaultLifetimeInMinutes": 60,
                    "defaultLength": 8,
                    "minimumLifetimeInMinutes": 60,
                    "maximumLifetimeInMinutes": 480,
                    "isUsableOnce": False,
                    "includeTargets": target,
                },
            ],
        },
        "featureRolloutPolicies": [
            {
                "id": "40000000-0000-4000-8000-000000000001",
                "displayName": "Seamless SSO rollout",
                "description": None,
                "feature": "seamlessSso",
                "isEnabled": True,
                "isAppliedToOrganization": False,
                "appliesTo": [{"id": gid(1)}],
            }
        ],
    }


def domains() -> list[dict[str, Any]]:
    return [
        {"id": DOMAIN, "authenticationType": "Managed", "isVerified": True, "federationConfiguration": []},
        {
            "id": "corp.fabrikam.example",
            "authenticationType": "Federated",
            "isVerified": True,
            "federationConfiguration": [
                {
                    "@odata.type": "#microsoft.graph.internalDomainFederation",
                    "id": "50000000-0000-4000-8000-000000000001",
                    "displayName": "Fabrikam AD FS",
                    "issuerUri": "http://corp.fabrikam.example/adfs/services/trust",
                    "passiveSignInUri": "https://sts.corp.fabrikam.example/adfs/ls",
                    "preferredAuthenticationProtocol": "wsFed",
                    "promptLoginBehavior": "nativeSupport",
                    "federatedIdpMfaBehavior": "enforceMfaByFederatedIdp",
                }
            ],
        },
    ]


def write_tenant(directory: Path) -> Path:
    """Write the tenant as a tenant snapshot directory and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "snapshot.json").write_text(
        json.dumps({"tenantId": TENANT_ID, "takenAt": "2026-01-01T00:00:00Z", "source": "file"})
    )
    for name, rows in (("users.jsonl", users()), ("groups.jsonl", groups()), ("domains.jsonl", domains())):
        (directory / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    (directory / "policies.json").write_text(json.dumps(policies(), indent=2))
    (directory / "ledger.jsonl").write_text(
        json.dumps(
            {
                "userId": uid(4),
                "entraMethodId": _authenticator(4, 0)["id"],
                "kind": "device",
                "secretSha256": None,
                "deviceTokenSha256": "ab" * 32,
            }
        )
        + "\n"
    )
    return directory
