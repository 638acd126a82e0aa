"""The tenant around the users: groups, policies, domains, the snapshot header, and the MFA Server's own
settings and authentication services. All in Graph's (or the datafile's) own shapes.

Groups are chosen to exercise scope resolution (docs/simulate.md): a migration group with nested waves and
a cycle, an empty wave, contacts among members, a dynamic group, a Microsoft 365 group, and the two
Staged Rollout rings the ``multiFactorAuthentication`` policy applies to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.graph import constants as g
from analysis.sample import randoms
from analysis.sample.scenarios import MIGRATION, PILOT, SCOPE_GROUP_NAME, WAVE1, WAVE2
from analysis.sample.vocabulary import EXPORTED_AT, SNAPSHOT_AT


@dataclass(frozen=True)
class GroupSpec:
    key: str
    name: str
    description: str
    group_types: tuple[str, ...] = ()
    security: bool = True
    mail: bool = False
    rule: str | None = None
    nested: tuple[str, ...] = ()  # keys of member groups
    contacts: int = 0


GROUPS = (
    GroupSpec(
        MIGRATION,
        SCOPE_GROUP_NAME,
        "Users the MFA Server Migration Utility syncs",
        nested=(WAVE1, WAVE2),
        contacts=1,
    ),
    GroupSpec(WAVE1, "MFA Migration - Wave 1", "First wave: head office"),
    GroupSpec(WAVE2, "MFA Migration - Wave 2", "Second wave: branches", nested=(PILOT,)),
    GroupSpec(PILOT, "MFA Migration - Pilot", "Pilot users (nested both ways with Wave 2)", nested=(WAVE2,)),
    GroupSpec("wave3", "MFA Migration - Wave 3", "Not populated yet"),
    GroupSpec("ring1", "MFA Staged Rollout - Ring 1", "Staged Rollout for Entra MFA, ring 1"),
    GroupSpec("ring2", "MFA Staged Rollout - Ring 2", "Staged Rollout for Entra MFA, ring 2"),
    GroupSpec(
        "sales",
        "Sales (dynamic)",
        "Everyone in Sales",
        group_types=("DynamicMembership",),
        rule='(user.department -eq "Sales")',
    ),
    GroupSpec(
        "company",
        "All Company",
        "Microsoft 365 group for everyone",
        group_types=("Unified",),
        security=False,
        mail=True,
    ),
    GroupSpec("phs", "PHS Staged Rollout", "Password hash sync pilot"),
    GroupSpec(
        "helpdesk",
        "Helpdesk Escalation",
        "Distribution list with external contacts",
        security=False,
        mail=True,
        contacts=3,
    ),
)


def group_ids(seed: int) -> dict[str, str]:
    rng = np.random.default_rng([seed, 4])
    return dict(zip([g.key for g in GROUPS], randoms.guid_list(rng, len(GROUPS)), strict=True))


def groups(seed: int, ids: dict[str, str], members: dict[str, list[str]]) -> list[dict[str, Any]]:
    """groups.jsonl objects: Graph group plus its direct members as (odata type, id) pairs."""
    rng = np.random.default_rng([seed, 5])
    out = []
    for spec in GROUPS:
        listed: list[tuple[str, str]] = [(g.GROUP_TYPE, ids[k]) for k in spec.nested]
        listed += [(g.CONTACT_TYPE, c) for c in randoms.guid_list(rng, spec.contacts)]
        listed += [(g.USER_TYPE, u) for u in members.get(spec.key, [])]
        out.append(
            {
                "id": ids[spec.key],
                "displayName": spec.name,
                "description": spec.description,
                "groupTypes": list(spec.group_types),
                "membershipRule": spec.rule,
                "membershipRuleProcessingState": "On" if spec.rule else None,
                "securityEnabled": spec.security,
                "mailEnabled": spec.mail,
                "members": listed,
            }
        )
    return out


def _target(extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False, **(extra or {})}]


def _config(
    config_id: str,
    state: str,
    targets: list[dict[str, Any]],
    tail: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One authentication method configuration of the methods policy, keys in Graph's order (``tail``
    after the targets)."""
    head = {"@odata.type": g.configuration_type(config_id), "id": config_id, "state": state}
    return {**head, **extra, "includeTargets": targets, "excludeTargets": [], **(tail or {})}


def policies(seed: int, ids: dict[str, str]) -> dict[str, Any]:
    """policies.json: the authentication methods policy (Voice without office phones, hardware OATH and
    email off) and the feature rollout policies (MFA Staged Rollout on the two rings)."""
    rng = np.random.default_rng([seed, 6])
    none_group = {"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}
    all_users = {"targetType": "group", "id": "all_users"}
    configs = [
        _config(
            g.MICROSOFT_AUTHENTICATOR,
            "enabled",
            _target({"authenticationMode": "any"}),
            {
                "featureSettings": {
                    "displayAppInformationRequiredState": {
                        "state": "enabled",
                        "includeTarget": all_users,
                        "excludeTarget": none_group,
                    },
                    "displayLocationInformationRequiredState": {
                        "state": "default",
                        "includeTarget": all_users,
                        "excludeTarget": none_group,
                    },
                }
            },
            isSoftwareOathEnabled=False,
        ),
        _config(g.SMS, "enabled", _target({"isUsableForSignIn": False})),
        _config(g.VOICE, "enabled", _target(), isOfficePhoneAllowed=False),
        _config(g.SOFTWARE_OATH, "enabled", _target()),
        _config(g.HARDWARE_OATH, "disabled", _target()),
        _config(
            g.FIDO2, "enabled", _target(), isSelfServiceRegistrationAllowed=True, isAttestationEnforced=False
        ),
        _config(
            g.TEMPORARY_ACCESS_PASS,
            "enabled",
            _target(),
            defaultLifetimeInMinutes=60,
            defaultLength=8,
            minimumLifetimeInMinutes=60,
            maximumLifetimeInMinutes=480,
            isUsableOnce=False,
        ),
        _config(g.EMAIL, "disabled", _target(), allowExternalIdToUseEmailOtp="default"),
    ]
    policy_ids = randoms.guid_list(rng, 2)
    return {
        "authenticationMethodsPolicy": {
            "id": "authenticationMethodsPolicy",
            "displayName": "Authentication Methods Policy",
            "description": "The tenant-wide policy that controls which authentication methods are allowed in "
            "the tenant, authentication method registration requirements, and self-service password reset "
            "settings",
            "lastModifiedDateTime": "2024-05-14T09:12:44.1234567Z",
            "policyVersion": "1.5",
            "policyMigrationState": "migrationInProgress",
            "registrationEnforcement": {
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
            "authenticationMethodConfigurations": configs,
        },
        "featureRolloutPolicies": [
            {
                "id": policy_ids[0],
                "displayName": "MFA Staged Rollout",
                "description": "Cloud MFA for migrated users",
                "feature": "multiFactorAuthentication",
                "isEnabled": True,
                "isAppliedToOrganization": False,
                "appliesTo": [
                    {"@odata.type": g.GROUP_TYPE, "id": ids["ring1"]},
                    {"@odata.type": g.GROUP_TYPE, "id": ids["ring2"]},
                ],
            },
            {
                "id": policy_ids[1],
                "displayName": "Password hash sync rollout",
                "description": "PHS pilot",
                "feature": "passwordHashSync",
                "isEnabled": True,
                "isAppliedToOrganization": False,
                "appliesTo": [{"@odata.type": g.GROUP_TYPE, "id": ids["phs"]}],
            },
        ],
    }


def _federation(seed: int, domain: str, behavior: str | None) -> list[dict[str, Any]]:
    rng = np.random.default_rng([seed, 7, len(domain)])
    host = f"sts.{domain}"
    return [
        {
            "@odata.type": g.INTERNAL_DOMAIN_FEDERATION_TYPE,
            "id": randoms.guid_list(rng, 1)[0],
            "displayName": f"{domain.split('.')[0].title()} AD FS",
            "issuerUri": f"http://{host}/adfs/services/trust",
            "metadataExchangeUri": f"https://{host}/adfs/services/trust/mex",
            "signingCertificate": "MIIC" + str(randoms.b64url_strings(rng, 1, 60)[0]),
            "passiveSignInUri": f"https://{host}/adfs/ls",
            "preferredAuthenticationProtocol": "wsFed",
            "activeSignInUri": f"https://{host}/adfs/services/trust/2005/usernamemixed",
            "signOutUri": f"https://{host}/adfs/ls",
            "promptLoginBehavior": "nativeSupport",
            "isSignedAuthenticationRequestRequired": True,
            "nextSigningCertificate": None,
            "federatedIdpMfaBehavior": behavior,
            "signingCertificateUpdateStatus": {
                "certificateUpdateResult": "success",
                "lastRunDateTime": "2024-06-01T03:00:00Z",
            },
        }
    ]


def domains(seed: int) -> list[dict[str, Any]]:
    """domains.jsonl: federated forests (every federatedIdpMfaBehavior value) and managed domains."""
    rows: list[tuple[str, str, bool, bool, str | None]] = [
        # domain, authenticationType, isVerified, isDefault, federatedIdpMfaBehavior
        ("contoso.com", "Federated", True, True, "enforceMfaByFederatedIdp"),
        ("fabrikam.com", "Federated", True, False, "acceptIfMfaDoneByFederatedIdp"),
        ("adatum.com", "Federated", True, False, None),  # legacy SupportsMfa, behaviour never set
        ("northwind.com", "Federated", True, False, "rejectMfaByFederatedIdp"),  # already cut over
        ("contoso.onmicrosoft.com", "Managed", True, False, None),
        ("litware.com", "Managed", True, False, None),
        ("tailspintoys.com", "Managed", False, False, None),
    ]
    return [
        {
            "id": name,
            "authenticationType": kind,
            "isVerified": verified,
            "isDefault": default,
            "isInitial": name.endswith(".onmicrosoft.com"),
            "supportedServices": ["Email", "OfficeCommunicationsOnline"],
            "federationConfiguration": _federation(seed, name, behavior) if kind == "Federated" else [],
        }
        for name, kind, verified, default, behavior in rows
    ]


def snapshot(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng([seed, 8])
    return {"tenantId": randoms.guid_list(rng, 1)[0], "takenAt": SNAPSHOT_AT, "source": "file"}


def pfdata_meta() -> list[tuple[str, str]]:
    return [
        ("schema_version", "24"),
        ("server_name", "MFA01.corp.contoso.com"),
        ("exported_at", EXPORTED_AT),
        ("server_version", "8.1.1.1"),
    ]


def pfdata_settings() -> list[tuple[str, str, str]]:
    """Company and user-portal settings as the MFA Server console shows them."""
    return [
        ("company", "name", "Contoso Ltd"),
        ("company", "default_country_code", "1"),
        ("company", "default_method", "phone_call"),
        ("company", "phone_call_mode", "standard"),
        ("company", "text_message_mode", "one_way_otp"),
        ("company", "mobile_app_mode", "standard"),
        ("company", "pin_length_min", "4"),
        ("company", "pin_expiration_days", "0"),
        ("company", "fraud_alert_enabled", "true"),
        ("company", "fraud_alert_block_user", "true"),
        ("company", "oath_token_enabled", "true"),
        ("directory", "integration", "active_directory"),
        ("directory", "sync_interval_minutes", "60"),
        ("directory", "sync_containers", "OU=Users,DC=corp,DC=contoso,DC=com;OU=Staff,DC=fabrikam,DC=com"),
        ("user_portal", "enabled", "true"),
        ("user_portal", "url", "https://mfa.contoso.com/MultiFactorAuth"),
        ("user_portal", "allow_user_enrollment", "true"),
        ("user_portal", "allow_method_selection", "true"),
        ("user_portal", "allow_phone_change", "true"),
        ("user_portal", "allow_mobile_app", "true"),
        ("user_portal", "allow_oath_token", "true"),
        ("user_portal", "security_questions_required", "4"),
        ("user_portal", "use_security_questions", "true"),
        ("mobile_app", "web_service_url", "https://mfa.contoso.com/MultiFactorAuthMobileAppWebService"),
    ]


def pfdata_auth_services() -> list[tuple[str, str, str, int]]:
    """What MFA Server fronts: RADIUS clients, LDAP, IIS, AD FS, Windows logon, portal, SDK."""
    return [
        ("radius", "VPN - Cisco ASA (vpn01)", "client 10.10.0.5 port 1812; target: Windows domain", 1),
        ("radius", "VPN - Cisco ASA (vpn02)", "client 10.10.0.6 port 1812; target: Windows domain", 1),
        ("radius", "Citrix NetScaler Gateway", "client 10.20.1.10 port 1812; target: RADIUS (NPS)", 1),
        ("radius", "Wi-Fi NPS (decommissioned)", "client 10.30.0.2 port 1812", 0),
        ("ldap", "LDAP proxy for Linux jump hosts", "listens 389/636; forwards to dc01.corp.contoso.com", 1),
        ("iis", "Outlook Web App (forms-based)", "https://mail.contoso.com/owa", 1),
        ("iis", "Intranet (HTTP)", "https://intranet.contoso.com", 0),
        ("adfs", "AD FS adapter on ADFS01", "sts.contoso.com; MFA Server adapter 8.1", 1),
        ("adfs", "AD FS adapter on ADFS02", "sts.fabrikam.com; MFA Server adapter 8.1", 1),
        ("windows", "Remote Desktop to admin servers", "12 servers in OU=Admin", 1),
        ("user_portal", "User portal", "https://mfa.contoso.com/MultiFactorAuth", 1),
        ("web_service_sdk", "Web Service SDK", "https://mfa.contoso.com/MultiFactorAuthWebServiceSdk", 1),
        (
            "mobile_app_ws",
            "Mobile App Web Service",
            "https://mfa.contoso.com/MultiFactorAuthMobileAppWebService",
            1,
        ),
    ]
