"""Default method (DESIGN §4.7, §4.9): mapping, availability after the plan, policy gates, modes, noop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .builders import Workspace, outcome

U = "a@contoso.com"
UK = "7400123456"
ALL_ENABLED: dict[str, str | tuple[str, bool]] = {
    "MicrosoftAuthenticator": "enabled",
    "SoftwareOath": "enabled",
    "HardwareOath": "enabled",
    "Sms": "enabled",
    "Voice": ("enabled", True),
}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def default(ws: Workspace, mode: str = "always", **settings: Any) -> tuple[str, str | None]:
    row = outcome(ws.plan({"migrate": {"default_method": mode}, **settings}), U, "default_method")
    assert row["ref"] == "default_method"
    return row["action"], row["value"]


def with_user(ws: Workspace, preferred: str | None = None, **fields: Any) -> None:
    ws.entra("e1", U, preferred_method=preferred)
    ws.user(1, U, **fields)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"method": "phone_call", "phone": UK, "country_code": "44"}, "voiceMobile"),
        ({"method": "phone_call", "phone": UK, "country_code": "44", "extension": "12"}, "voiceOffice"),
        ({"method": "text_message", "phone": UK, "country_code": "44"}, "sms"),
        # text message with an extension: the extension is dropped and the mobile written
        ({"method": "text_message", "phone": UK, "country_code": "44", "extension": "12"}, "sms"),
        ({"method": "mobile_app", "phone": UK, "country_code": "44"}, "push"),
        (
            {"method": "oath_token", "oath_serial": "S", "oath_kind": "totp", "oath_secret_sha256": "ab"},
            "oath",
        ),
    ],
)
def test_mapping_when_available(ws: Workspace, fields: dict[str, Any], expected: str) -> None:
    with_user(ws, **fields)
    if fields["method"] == "mobile_app":
        ws.device(1, 1, "iPhone", "2024-01-01")
    row = outcome(ws.plan(), U, "default_method")
    assert (row["action"], row["value"], row["writable"]) == ("set_default", expected, "graph")


def test_phone_call_with_extension_maps_to_office_even_if_the_number_is_invalid(ws: Workspace) -> None:
    # voiceOffice is not available (invalid number), voiceMobile would be (Entra mobile): fallback
    with_user(ws, method="phone_call", phone="12", country_code="44", extension="5")
    ws.phone("e1", "mobile", "+44 7400999999")
    assert default(ws) == ("set_default_fallback", "sms")


def test_fallback_picks_the_most_secure_available(ws: Workspace) -> None:
    # mobile_app without devices: push unavailable; the Entra software OATH makes oath available
    with_user(ws, method="mobile_app", phone=UK, country_code="44")
    ws.method("e1", "software_oath")
    row = outcome(ws.plan(), U, "default_method")
    assert (row["action"], row["value"]) == ("set_default_fallback", "oath")
    assert "push" in row["reason"] and "not available" in row["reason"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("mobile", ("set_default_fallback", "sms")),
        ("alternate", ("set_default_fallback", "voiceAlternateMobile")),
        ("office", ("set_default_fallback", "voiceOffice")),
        ("nothing", ("no_default", None)),
    ],
)
def test_fallback_order_over_phones(ws: Workspace, setup: str, expected: tuple[str, str | None]) -> None:
    with_user(ws, method="oath_token")  # no token: oath unavailable
    if setup == "mobile":
        ws.phone("e1", "mobile", "+44 7400999999")
        ws.phone("e1", "alternateMobile", "+44 7400999998")
    elif setup == "alternate":
        ws.phone("e1", "alternateMobile", "+44 7400999998")
        ws.phone("e1", "office", "+44 2071838750")
    elif setup == "office":
        ws.phone("e1", "office", "+44 2071838750")
    assert default(ws) == expected


def test_no_default_has_empty_value(ws: Workspace) -> None:
    with_user(ws, method="mobile_app")
    row = outcome(ws.plan(), U, "default_method")
    assert (row["action"], row["value"], row["writable"]) == ("no_default", None, "none")


def test_unknown_mfa_method_falls_back(ws: Workspace) -> None:
    with_user(ws, method="carrier_pigeon", phone=UK, country_code="44")
    assert default(ws) == ("set_default_fallback", "sms")


# ---------------------------------------------------------------- availability from the plan
def test_push_available_through_created_or_updated_devices(ws: Workspace) -> None:
    with_user(ws, method="mobile_app")
    ws.device(1, 1, "iPhone", "2024-01-01")
    assert default(ws) == ("set_default", "push")
    assert default(ws, migrate={"methods": ["phone"], "default_method": "always"}) == ("no_default", None)


def test_software_oath_creation_gives_oath_not_push(ws: Workspace) -> None:
    with_user(ws, method="mobile_app")
    m = ws.method("e1", "fido2")
    ws.ledger("e1", m, token="tok")
    ws.device(1, 1, "iPhone", "2024-01-01", token="tok")
    assert default(ws) == ("set_default_fallback", "oath")


def test_skipped_devices_give_nothing(ws: Workspace) -> None:
    with_user(ws, method="mobile_app")
    ws.device(1, 1, "iPhone", "2024-01-01")
    assert default(ws, limits={"device_limit": 0}) == ("no_default", None)


def test_token_outcomes_give_oath(ws: Workspace) -> None:
    with_user(ws, method="oath_token", oath_serial="S", oath_kind="totp", oath_secret_sha256="ab")
    assert default(ws) == ("set_default", "oath")
    ws.con.execute("UPDATE mfa_users SET oath_kind = 'hotp'")
    assert default(ws) == ("no_default", None)


def test_entra_authenticator_counts_as_push(ws: Workspace) -> None:
    with_user(ws, method="mobile_app")
    ws.method("e1", "authenticator")
    assert default(ws) == ("set_default", "push")


def test_failed_alternate_is_not_available(ws: Workspace) -> None:
    with_user(
        ws,
        method="phone_call",
        phone=UK,
        country_code="44",
        extension="1",
        backup_phone="7400123457",
        backup_country_code="44",
    )
    # office written, alternate fails: phone_call -> voiceOffice is available
    assert default(ws) == ("set_default", "voiceOffice")
    # without the Voice office permission: nothing else (alternate failed, no mobile)
    ws.policy(**(ALL_ENABLED | {"Voice": ("enabled", False)}))
    assert default(ws) == ("no_default", None)


def test_sms_not_allowed_falls_back_to_voice_mobile(ws: Workspace) -> None:
    with_user(
        ws,
        method="phone_call",
        phone=UK,
        country_code="44",
        backup_phone="7400123457",
        backup_country_code="44",
    )
    ws.policy(Voice=("enabled", False))  # sms not enabled: voiceMobile, then voiceAlternateMobile
    assert default(ws) == ("set_default", "voiceMobile")
    ws.con.execute("UPDATE mfa_users SET method = 'text_message'")
    assert default(ws) == ("set_default_fallback", "voiceMobile")


# ---------------------------------------------------------------- policy gates
def test_no_policy_allows_everything(ws: Workspace) -> None:
    with_user(ws, method="phone_call", phone=UK, country_code="44", extension="1")
    assert default(ws) == ("set_default", "voiceOffice")


@pytest.mark.parametrize(
    ("configs", "expected"),
    [
        (ALL_ENABLED, ("set_default", "push")),
        (ALL_ENABLED | {"MicrosoftAuthenticator": "disabled"}, ("set_default_fallback", "oath")),
        (
            ALL_ENABLED | {"MicrosoftAuthenticator": "disabled", "SoftwareOath": "disabled"},
            ("set_default_fallback", "oath"),
        ),
        (
            ALL_ENABLED
            | {"MicrosoftAuthenticator": "disabled", "SoftwareOath": "disabled", "HardwareOath": "disabled"},
            ("set_default_fallback", "sms"),
        ),
        (
            {"Voice": ("enabled", False)},
            ("set_default_fallback", "voiceMobile"),
        ),  # missing configs: not enabled
        ({"Voice": ("disabled", True), "Sms": "Disabled"}, ("no_default", None)),
        ({}, ("no_default", None)),
    ],
)
def test_policy_gates(ws: Workspace, configs: dict[str, Any], expected: tuple[str, str | None]) -> None:
    with_user(ws, method="mobile_app", phone=UK, country_code="44")
    ws.device(1, 1, "iPhone", "2024-01-01")  # push and oath available, mobile phone written
    ws.policy(**configs)
    assert default(ws) == expected


def test_voice_office_needs_is_office_phone_allowed(ws: Workspace) -> None:
    with_user(ws, method="phone_call", phone=UK, country_code="44", extension="1")
    ws.policy(Voice=("enabled", True))
    assert default(ws) == ("set_default", "voiceOffice")
    ws.con.execute("UPDATE entra_method_configs SET is_office_phone_allowed = NULL")
    assert default(ws) == ("no_default", None)
    ws.con.execute("UPDATE entra_method_configs SET is_office_phone_allowed = false")
    assert default(ws) == ("no_default", None)


# ---------------------------------------------------------------- modes and noop
def test_noop_when_entra_already_has_it(ws: Workspace) -> None:
    with_user(ws, preferred="sms", method="text_message", phone=UK, country_code="44")
    row = outcome(ws.plan(), U, "default_method")
    assert (row["action"], row["value"], row["writable"]) == ("noop", "sms", "none")


def test_fallback_can_be_noop(ws: Workspace) -> None:
    with_user(ws, preferred="oath", method="mobile_app")
    ws.method("e1", "hardware_oath")
    assert default(ws) == ("noop", "oath")


def test_always_overrides_a_different_preference(ws: Workspace) -> None:
    with_user(ws, preferred="voiceMobile", method="text_message", phone=UK, country_code="44")
    assert default(ws) == ("set_default", "sms")


@pytest.mark.parametrize("mode", ["if_unset", "most_secure_if_unset"])
def test_keep_default_when_entra_has_one(ws: Workspace, mode: str) -> None:
    # even when the preference equals what would be chosen: keep_default never becomes noop
    with_user(ws, preferred="sms", method="text_message", phone=UK, country_code="44")
    row = outcome(ws.plan({"migrate": {"default_method": mode}}), U, "default_method")
    assert (row["action"], row["value"], row["writable"]) == ("keep_default", "sms", "none")


def test_if_unset_without_preference_maps_like_always(ws: Workspace) -> None:
    with_user(ws, preferred="  ", method="text_message", phone=UK, country_code="44")
    ws.method("e1", "authenticator")
    assert default(ws, "if_unset") == ("set_default", "sms")
    ws.policy(Voice=("enabled", True))
    assert default(ws, "if_unset") == ("set_default_fallback", "voiceMobile")


def test_most_secure_if_unset_picks_the_most_secure(ws: Workspace) -> None:
    with_user(ws, method="text_message", phone=UK, country_code="44")
    ws.method("e1", "authenticator")
    assert default(ws, "most_secure_if_unset") == ("set_default", "push")
    ws.policy(Sms="enabled")
    assert default(ws, "most_secure_if_unset") == ("set_default", "sms")
    ws.con.execute("DELETE FROM entra_method_configs")
    assert default(ws, "most_secure_if_unset") == ("no_default", None)


def test_never_has_no_default_row(ws: Workspace) -> None:
    with_user(ws, method="text_message", phone=UK, country_code="44")
    plan = ws.plan({"migrate": {"default_method": "never"}})
    assert [r for r in plan if r["item"] == "default_method"] == []


def test_default_row_even_when_no_method_is_selected(ws: Workspace) -> None:
    with_user(ws, method="text_message", phone=UK, country_code="44")
    ws.phone("e1", "mobile", "+44 7400999999")
    assert default(ws, migrate={"methods": [], "default_method": "always"}) == ("set_default", "sms")


# ---------------------------------------------------------------- Export Users CSV: unknown
def test_unknown_when_the_choice_depends_on_unknown_devices(ws: Workspace) -> None:
    with_user(ws, method="mobile_app", phone=UK, country_code="44", details_known=False)
    row = outcome(ws.plan(), U, "default_method")
    assert (row["action"], row["value"], row["writable"]) == ("unknown", None, "none")


def test_known_when_entra_already_settles_it(ws: Workspace) -> None:
    with_user(ws, method="mobile_app", details_known=False)
    ws.method("e1", "authenticator")
    assert default(ws) == ("set_default", "push")


def test_known_when_unknown_items_cannot_change_it(ws: Workspace) -> None:
    with_user(ws, preferred="voiceMobile", method="mobile_app", details_known=False)
    assert default(ws, "if_unset") == ("keep_default", "voiceMobile")
    # text message: sms is the target and available whatever the devices do
    ws.con.execute("UPDATE mfa_users SET method = 'text_message', phone = ?, country_code = '44'", [UK])
    assert default(ws) == ("set_default", "sms")


def test_unknown_when_the_fallback_depends_on_unknown_items(ws: Workspace) -> None:
    with_user(ws, method="phone_call", details_known=False, phone="12", country_code="44")
    ws.phone("e1", "alternateMobile", "+44 7400999998")
    ws.policy(Voice=("enabled", True), SoftwareOath="enabled")
    # voiceMobile unavailable; fallback is oath if an unknown device migrates, else voiceAlternateMobile
    assert default(ws) == ("unknown", None)
    assert default(ws, migrate={"methods": ["phone"], "default_method": "always"}) == (
        "set_default_fallback",
        "voiceAlternateMobile",
    )
