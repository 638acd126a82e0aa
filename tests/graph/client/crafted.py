"""A small hand-made tenant snapshot (DESIGN §3.2) that exercises every shape the collector reads.

Users carry every selected property (null where unset, as Graph returns them) and a mix of methods;
groups nest (A contains B, B contains A: a cycle), hold a contact, and one is dynamic; one domain is
federated. Used until ``sample_data/tenant`` exists and alongside it for targeted cases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TENANT_ID = "7d3c5a10-4b8e-4f1a-9c2d-0e6f1a2b3c4d"
MOBILE = "3179e48a-750b-4051-897c-87b9720928f7"
ALTERNATE = "b6332ec1-7057-4abe-9331-3d72feddfe41"
OFFICE = "e37fc753-ff3b-4958-9484-eaa9425c82bc"
PASSWORD = "28c10230-6103-485e-b985-444c60001490"


def _uid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def _gid(i: int) -> str:
    return f"00000000-0000-4000-9000-{i:012d}"


def user(i: int) -> dict[str, Any]:
    methods: list[dict[str, Any]] = [
        {
            "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
            "id": PASSWORD,
            "password": None,
            "createdDateTime": "2023-09-18T10:38:07Z",
        }
    ]
    if i % 2 == 0:
        methods.append(
            {
                "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
                "id": MOBILE,
                "phoneNumber": f"+44 7700900{i:03d}",
                "phoneType": "mobile",
                "smsSignInState": "notAllowedByPolicy",
            }
        )
    if i % 4 == 0:
        methods.append(
            {
                "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
                "id": OFFICE,
                "phoneNumber": f"+1 4255550{i:03d}x12",
                "phoneType": "office",
                "smsSignInState": "notSupported",
            }
        )
    if i % 3 == 0:
        methods.append(
            {
                "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
                "id": f"a0000000-0000-4000-8000-{i:012d}",
                "displayName": f"Phone of user {i}",
                "deviceTag": "SoftwareTokenActivated",
                "phoneAppVersion": "6.2401.0119",
                "createdDateTime": "2024-01-05T08:00:00Z",
            }
        )
    if i % 5 == 0:
        methods.append(
            {
                "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
                "id": f"b0000000-0000-4000-8000-{i:012d}",
                "secretKey": None,
            }
        )
    prefs = {
        "userPreferredMethodForSecondaryAuthentication": ["push", "sms", None][i % 3],
        "isSystemPreferredAuthenticationMethodEnabled": i % 7 == 0,
    }
    synced = i % 2 == 1
    return {
        "id": _uid(i),
        "userPrincipalName": f"user{i:03d}@contoso.example",
        "displayName": f"User {i:03d}" + (" O'Brien" if i == 4 else ""),
        "accountEnabled": i % 11 != 0,
        "userType": "Guest" if i == 9 else "Member",
        "mail": f"user{i:03d}@contoso.example" if i % 6 else None,
        "onPremisesSyncEnabled": True if synced else None,
        "onPremisesSecurityIdentifier": f"S-1-5-21-1004336348-1177238915-682003330-{1000 + i}"
        if synced
        else None,
        "onPremisesSamAccountName": f"user{i:03d}" if synced else None,
        "onPremisesImmutableId": f"aW1tdXRhYmxl{i:04d}" if synced else None,
        "employeeId": f"E{i:05d}" if i % 4 else None,
        "authenticationMethods": methods,
        "signInPreferences": prefs,
    }


def groups(n_users: int) -> list[dict[str, Any]]:
    def member(kind: str, ident: str) -> dict[str, str]:
        return {"@odata.type": f"#microsoft.graph.{kind}", "id": ident}

    group_a = {
        "id": _gid(1),
        "displayName": "MFA-Migration-Wave1",
        "groupTypes": [],
        "membershipRule": None,
        "securityEnabled": True,
        "members": [member("user", _uid(i)) for i in range(0, min(6, n_users))] + [member("group", _gid(2))],
    }
    group_b = {
        "id": _gid(2),
        "displayName": "MFA-Migration-Wave1-Nested",
        "groupTypes": [],
        "membershipRule": None,
        "securityEnabled": True,
        "members": [member("user", _uid(i)) for i in range(4, min(9, n_users))]
        + [member("orgContact", "c0000000-0000-4000-8000-000000000001"), member("group", _gid(1))],
    }
    group_c = {
        "id": _gid(3),
        "displayName": "All Sales (dynamic)",
        "groupTypes": ["DynamicMembership"],
        "membershipRule": '(user.department -eq "Sales")',
        "securityEnabled": True,
        "members": [member("user", _uid(i)) for i in range(10, min(13, n_users))],
    }
    group_d = {  # the staged rollout group
        "id": _gid(4),
        "displayName": "Staged rollout MFA",
        "groupTypes": [],
        "membershipRule": None,
        "securityEnabled": True,
        "members": [member("user", _uid(i)) for i in range(13, min(15, n_users))],
    }
    group_e = {  # same display name as A: a scope by name unites both
        "id": _gid(5),
        "displayName": "MFA-Migration-Wave1",
        "groupTypes": [],
        "membershipRule": None,
        "securityEnabled": False,
        "members": [member("user", _uid(i)) for i in range(20, min(22, n_users))],
    }
    return [group_a, group_b, group_c, group_d, group_e]


def policies() -> dict[str, Any]:
    def target() -> list[dict[str, Any]]:
        return [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}]

    return {
        "authenticationMethodsPolicy": {
            "id": "authenticationMethodsPolicy",
            "displayName": "Authentication Methods Policy",
            "description": "crafted",
            "policyVersion": "1.5",
            "policyMigrationState": "migrationComplete",
            "registrationEnforcement": {  # Graph always answers with the campaign
                "authenticationMethodsRegistrationCampaign": {
                    "snoozeDurationInDays": 1,
                    "state": "default",
                    "excludeTargets": [],
                    "includeTargets": [
                        {
                            "id": "all_users",
                            "targetType": "group",
                            "targetedAuthenticationMethod": "microsoftAuthenticator",
                        }
                    ],
                }
            },
            "authenticationMethodConfigurations": [
                {
                    "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
                    "id": "MicrosoftAuthenticator",
                    "state": "enabled",
                    "includeTargets": target(),
                    "excludeTargets": [],
                },
                {
                    "@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration",
                    "id": "Sms",
                    "state": "enabled",
                    "includeTargets": target(),
                    "excludeTargets": [],
                },
                {
                    "@odata.type": "#microsoft.graph.voiceAuthenticationMethodConfiguration",
                    "id": "Voice",
                    "state": "disabled",
                    "isOfficePhoneAllowed": False,
                    "includeTargets": target(),
                    "excludeTargets": [],
                },
            ],
        },
        "featureRolloutPolicies": [
            {
                "id": "f0000000-0000-4000-8000-000000000001",
                "displayName": "MFA rollout policy",
                "description": "MFA rollout policy",
                "feature": "multiFactorAuthentication",
                "isEnabled": True,
                "isAppliedToOrganization": False,
                "appliesTo": [{"id": _gid(4)}],
            }
        ],
    }


def domains() -> list[dict[str, Any]]:
    return [
        {
            "id": "contoso.example",
            "authenticationType": "Managed",
            "isVerified": True,
            "federationConfiguration": [],
        },
        {
            "id": "fabrikam.example",
            "authenticationType": "Federated",
            "isVerified": True,
            "federationConfiguration": [
                {
                    "@odata.type": "#microsoft.graph.internalDomainFederation",
                    "id": "6601d14b-d113-8f64-fda2-9b5ddda18ecc",
                    "displayName": "Fabrikam",
                    "issuerUri": "http://fabrikam.example/adfs/services/trust",
                    "metadataExchangeUri": "https://sts.fabrikam.example/adfs/services/trust/mex",
                    "signingCertificate": "MIIE3jCCAsagAwIBAgIQQcyDaZz3MI",
                    "passiveSignInUri": "https://sts.fabrikam.example/adfs/ls",
                    "preferredAuthenticationProtocol": "wsFed",
                    "activeSignInUri": "https://sts.fabrikam.example/adfs/services/trust/2005/usernamemixed",
                    "signOutUri": "https://sts.fabrikam.example/adfs/ls",
                    "promptLoginBehavior": "nativeSupport",
                    "isSignedAuthenticationRequestRequired": True,
                    "nextSigningCertificate": None,
                    "federatedIdpMfaBehavior": "acceptIfMfaDoneByFederatedIdp",
                }
            ],
        },
    ]


def write_tenant(directory: Path, n_users: int = 25) -> Path:
    """Write the crafted snapshot into ``directory`` (created) and return it."""
    directory.mkdir(parents=True, exist_ok=True)

    def jsonl(name: str, rows: list[dict[str, Any]]) -> None:
        (directory / name).write_text(
            "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows),
            encoding="utf-8",
        )

    (directory / "snapshot.json").write_text(
        json.dumps({"tenantId": TENANT_ID, "takenAt": "2025-01-01T00:00:00Z", "source": "file"}),
        encoding="utf-8",
    )
    jsonl("users.jsonl", [user(i) for i in range(n_users)])
    jsonl("groups.jsonl", groups(n_users))
    jsonl("domains.jsonl", domains())
    (directory / "policies.json").write_text(json.dumps(policies(), indent=2), encoding="utf-8")
    return directory
