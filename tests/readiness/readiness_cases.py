"""One crafted case per readiness check: a change to the clean world that must make the check fire.

Each case mutates the world and returns the subject_id the check must report (and, if the case is about
settings, the settings to run with). A check file without a case here fails the parametrised test, so
a new check cannot land untested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from readiness_world import World


@dataclass
class Case:
    subject_id: str
    settings: dict[str, Any] = field(default_factory=dict)  # Settings.from_dict overrides


CaseFn = Callable[[World], Case]
CASES: dict[str, CaseFn] = {}


def case(check_id: str) -> Callable[[CaseFn], CaseFn]:
    def register(fn: CaseFn) -> CaseFn:
        CASES[check_id] = fn
        return fn

    return register


def _set_plan(
    w: World, user_id: int, item: str, action: str, value: str | None = None, writable: str = "none"
) -> None:
    w.run(
        "UPDATE plan SET action = ?, writable = ?, value = coalesce(?, value) WHERE user_id = ? AND item = ?",
        action,
        writable,
        value,
        user_id,
        item,
    )


# ------------------------------------------------------------------------------ matching
@case("unmatched_users")
def _(w: World) -> Case:
    w.mfa_user(10, "CONTOSO\\dave")
    w.plan(10, "user", "unmatched")
    return Case("10")


@case("ambiguous_matches")
def _(w: World) -> Case:
    w.mfa_user(11, "erin@contoso.com")
    w.plan(11, "user", "ambiguous")
    return Case("11")


# ------------------------------------------------------------------------------ phones
@case("invalid_phone_numbers")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET phone = '077009' WHERE user_id = 1")
    w.run(
        "UPDATE mfa_phones SET valid = false, e164 = NULL, graph_number = NULL, error = 'too short' "
        "WHERE user_id = 1 AND slot = 'phone'"
    )
    _set_plan(w, 1, "phone", "invalid_number", "")
    return Case("1/phone")


@case("invalid_extensions")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET backup_extension = '12#' WHERE user_id = 2")
    _set_plan(w, 2, "backup_phone", "invalid_extension", "")
    return Case("2/backup_phone")


@case("extensions_dropped")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET extension = '123', method = 'text_message' WHERE user_id = 1")
    _set_plan(w, 1, "phone", "write_mobile_drop_extension", writable="graph")
    return Case("1/phone")


@case("backup_phone_skipped")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET extension = '1', backup_extension = '2' WHERE user_id = 2")
    _set_plan(w, 2, "backup_phone", "skip_both_extensions", "")
    return Case("2/backup_phone")


@case("alternate_requires_mobile")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET extension = '1' WHERE user_id = 2")
    _set_plan(w, 2, "phone", "write_office", "+1 2065550100x1", "graph")
    _set_plan(w, 2, "backup_phone", "fail_alternate_requires_mobile", "")
    return Case("2/backup_phone")


@case("office_phone_not_allowed")
def _(w: World) -> Case:
    w.run("UPDATE entra_method_configs SET is_office_phone_allowed = false WHERE config_id = 'Voice'")
    w.run("UPDATE mfa_users SET extension = '12' WHERE user_id = 1")
    _set_plan(w, 1, "phone", "write_office", "+44 7700900123x12", "graph")
    return Case("1/phone")


@case("entra_phone_overwritten")
def _(w: World) -> Case:
    w.phone_method("e1", "mobile", "+44 7700900999")
    return Case("1/phone")


# ------------------------------------------------------------------------------ devices and tokens
@case("devices_skipped")
def _(w: World) -> Case:
    for n in range(6):
        w.insert("mfa_devices", device_id=100 + n, user_id=1, device_name=f"phone {n}")
    w.plan(1, "device", "skip_over_max", "105")
    w.plan(1, "device", "skip_duplicate_name", "104")
    return Case("1")


@case("over_five_devices")
def _(w: World) -> Case:
    for n in range(6):
        w.insert("mfa_devices", device_id=200 + n, user_id=2, device_name=f"phone {n}")
    return Case("2")


@case("needs_utility")
def _(w: World) -> Case:
    w.insert("mfa_devices", device_id=300, user_id=1, device_name="Alice's phone")
    w.plan(1, "device", "create_device", "300", writable="utility")
    return Case("1")


@case("oath_hotp")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET oath_kind = 'hotp' WHERE user_id = 2")
    _set_plan(w, 2, "oath_token", "unsupported_hotp")
    return Case("2/SN-0002")


@case("oath_missing_secret")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET oath_secret_sha256 = NULL WHERE user_id = 2")
    _set_plan(w, 2, "oath_token", "missing_secret")
    return Case("2/SN-0002")


@case("unknown_outcomes")
def _(w: World) -> Case:
    w.plan(1, "device", "unknown")
    return Case("1")


# ------------------------------------------------------------------------------ policy and methods
@case("methods_not_enabled")
def _(w: World) -> Case:
    w.run("UPDATE entra_method_configs SET state = 'disabled' WHERE config_id = 'HardwareOath'")
    return Case("oath_token")


@case("methods_policy_unknown")
def _(w: World) -> Case:
    w.run("UPDATE tenant_info SET has_methods_policy = false")
    w.run("DELETE FROM entra_method_configs")
    return Case("tenant-1")


@case("rollout_not_read")
def _(w: World) -> Case:
    w.run("INSERT INTO entra_not_read VALUES ('staged_rollout', 'Graph refused the read (403)')")
    return Case("staged_rollout")


@case("pin_phone_call")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET phone_mode = 'pin', has_pin = true WHERE user_id = 1")
    return Case("1")


@case("pin_mobile_app")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET app_mode = 'pin', has_pin = true WHERE user_id = 3")
    return Case("3")


@case("no_usable_method")
def _(w: World) -> Case:
    w.mfa_user(13, "frank@contoso.com", phone=None)
    w.entra_user("e13", "frank@contoso.com")
    w.plan(13, "user", "migrate")
    return Case("13")


@case("weak_methods_only")
def _(w: World) -> Case:
    w.run("DELETE FROM entra_methods WHERE user_id = 'e1' AND kind = 'authenticator'")
    return Case("1")


@case("default_method_changes")
def _(w: World) -> Case:
    w.run("UPDATE entra_users SET preferred_method = 'sms' WHERE id = 'e2'")
    return Case("2")


@case("default_fallback")
def _(w: World) -> Case:
    _set_plan(w, 2, "default_method", "set_default_fallback", "sms", "graph")
    return Case("2")


@case("default_ignored_system_preferred")
def _(w: World) -> Case:
    w.run("UPDATE entra_users SET system_preferred_enabled = true WHERE id = 'e2'")
    return Case("tenant-1")


# ------------------------------------------------------------------------------ users
@case("disabled_mfa_users")
def _(w: World) -> Case:
    w.mfa_user(14, "gina@contoso.com", enabled=False)
    w.plan(14, "user", "user_disabled")
    return Case("14")


@case("entra_user_disabled")
def _(w: World) -> Case:
    w.run("UPDATE entra_users SET account_enabled = false WHERE id = 'e1'")
    return Case("1")


@case("entra_guest_users")
def _(w: World) -> Case:
    w.run("UPDATE entra_users SET user_type = 'Guest', on_premises_sync_enabled = NULL WHERE id = 'e2'")
    return Case("2")


@case("entra_cloud_only_users")
def _(w: World) -> Case:
    w.run("UPDATE entra_users SET on_premises_sync_enabled = NULL WHERE id = 'e1'")
    return Case("1")


@case("entra_methods_unreadable")
def _(w: World) -> Case:
    w.run("UPDATE entra_users SET methods_error = '403 Forbidden' WHERE id = 'e2'")
    return Case("2")


@case("load_rejects")
def _(w: World) -> Case:
    w.insert(
        "rejects", source="PhoneFactor.pfdata", line=7, column="phone", reason="not text", raw="<redacted>"
    )
    return Case("PhoneFactor.pfdata:7:phone:")  # prefix: the id ends with a hash of the reason


@case("portal_settings_mapping")
def _(w: World) -> Case:
    w.run("UPDATE mfa_settings SET value = 'true' WHERE section = 'user_portal' AND key = 'enabled'")
    w.insert("mfa_settings", section="user_portal", key="allow_one_time_bypass", value="true")
    w.insert("mfa_settings", section="user_portal", key="allow_language_selection", value="false")  # quiet
    return Case("user_portal/allow_one_time_bypass")


# ------------------------------------------------------------------------------ Staged Rollout
@case("rollout_nested_groups")
def _(w: World) -> Case:
    w.insert("entra_group_members", group_id="g-rollout", member_id="g-migrate", member_type="group")
    return Case("g-rollout")


@case("rollout_dynamic_groups")
def _(w: World) -> Case:
    w.run(
        "UPDATE entra_groups SET is_dynamic = true, membership_rule = 'user.department -eq \"x\"' "
        "WHERE id = 'g-rollout'"
    )
    return Case("g-rollout")


@case("rollout_group_contacts")
def _(w: World) -> Case:
    w.insert("entra_group_members", group_id="g-rollout", member_id="c1", member_type="contact")
    return Case("g-rollout")


@case("rollout_too_many_groups")
def _(w: World) -> Case:
    for n in range(10):
        w.insert("entra_groups", id=f"g-extra-{n}", display_name=f"Extra {n}", is_dynamic=False)
        w.insert("entra_rollout_policy_groups", policy_id="p-mfa", group_id=f"g-extra-{n}")
    return Case("p-mfa")


@case("rollout_group_too_large")
def _(w: World) -> Case:
    w.run("INSERT INTO entra_group_members SELECT 'g-rollout', 'x' || i, 'user' FROM range(50000) t(i)")
    return Case("g-rollout")


@case("rollout_group_is_migration_group")
def _(w: World) -> Case:
    return Case("g-rollout", {"scope": {"group": "MFA Rollout"}})


@case("rollout_users_not_migrated")
def _(w: World) -> Case:
    w.insert("entra_group_members", group_id="g-rollout", member_id="e1", member_type="user")
    return Case("1")


# ------------------------------------------------------------------------------ federation
@case("federation_reject_too_early")
def _(w: World) -> Case:
    w.run(
        "UPDATE entra_domains SET federated_idp_mfa_behavior = 'rejectMfaByFederatedIdp' "
        "WHERE id = 'contoso.com'"
    )
    return Case("contoso.com")


@case("federation_not_enforcing")
def _(w: World) -> Case:
    w.run("UPDATE entra_domains SET federated_idp_mfa_behavior = NULL WHERE id = 'contoso.com'")
    return Case("contoso.com")


@case("federation_ready_to_cut_over")
def _(w: World) -> Case:
    w.run("UPDATE mfa_users SET last_migrated_at = '2024-06-01T00:00:00Z'")
    return Case("contoso.com")


# ------------------------------------------------------------------------------ dependencies
def _dependency(service: str, detail: str = "") -> CaseFn:
    def mutate(w: World) -> Case:
        w.run("UPDATE mfa_auth_services SET enabled = true, detail = ? WHERE service = ?", detail, service)
        return Case(f"{service}/{service} 1")

    return mutate


for _service in ("radius", "ldap", "iis", "windows", "user_portal", "web_service_sdk", "mobile_app_ws"):
    CASES[f"dependency_{_service}"] = _dependency(_service)
CASES["dependency_adfs"] = _dependency("adfs", "AD FS 2012 R2")


# ------------------------------------------------------------------------------ phone retirement
@case("retirement_nothing_usable")
def _(w: World) -> Case:
    w.run("DELETE FROM entra_methods WHERE user_id = 'e1' AND kind = 'authenticator'")
    return Case("1")


@case("retirement_default_phone")
def _(w: World) -> Case:
    w.run("UPDATE entra_users SET preferred_method = 'sms' WHERE id = 'e1'")
    return Case("1")


@case("retirement_device_not_carried")
def _(w: World) -> Case:
    w.run("DELETE FROM entra_methods WHERE user_id = 'e3' AND kind = 'authenticator'")
    return Case("3")


@case("retirement_no_app_method")
def _(w: World) -> Case:
    w.run("DELETE FROM entra_methods WHERE user_id = 'e2' AND kind = 'authenticator'")
    return Case("2")


@case("retirement_campaign")
def _(w: World) -> Case:
    w.run("DELETE FROM entra_methods WHERE user_id = 'e2' AND kind = 'authenticator'")
    w.insert("entra_registration_campaign", state="disabled", snooze_days=1, include_targets="[]",
             exclude_targets="[]")  # fmt: skip
    return Case("registrationCampaign")
