"""The authentication methods policy: read it, its method configurations, and the registration campaign.

``GET /policies/authenticationMethodsPolicy`` serves the snapshot's policy (or, for a snapshot without
one, an everything-enabled default) the way Graph does: ``registrationEnforcement.
authenticationMethodsRegistrationCampaign`` is always there (Microsoft-managed ``default`` state
targeting Microsoft Authenticator when the snapshot has none), and v1.0 leaves out the beta-only
``HardwareOath`` configuration.

Writes (``Policy.ReadWrite.AuthenticationMethod``), so a test can switch the tenant's rules at run time:

* ``PATCH /policies/authenticationMethodsPolicy`` takes ``registrationEnforcement`` (the campaign:
  ``state`` default|enabled|disabled, ``snoozeDurationInDays`` 0..14, ``includeTargets`` with
  ``targetedAuthenticationMethod`` ``microsoftAuthenticator``, ``excludeTargets``) and answers 200 with
  the policy, as Graph documents;
* ``PATCH .../authenticationMethodConfigurations/{id}`` takes the configuration's own properties
  (``state``, targets, and e.g. the Temporary Access Pass lifetimes, checked: 10..43200 minutes, minimum
  ≤ default ≤ maximum, ``defaultLength`` 8..48) and answers 204.

Invalid values are 400 ``Request_BadRequest``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.common import POLICY_READ, POLICY_WRITE, body_object, without_odata_type
from analysis.graph.emulator.errors import BAD_REQUEST, GraphError, not_found
from analysis.graph.emulator.router import Call, Resp, route
from analysis.graph.emulator.state import now_iso

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

BETA_ONLY_CONFIGS = {"hardwareoath"}
CAMPAIGN_STATES = {"default", "enabled", "disabled"}
TARGET_TYPES = {"user", "group"}
TAP_NUMBERS = {
    "minimumLifetimeInMinutes": (10, 43200),
    "maximumLifetimeInMinutes": (10, 43200),
    "defaultLifetimeInMinutes": (10, 43200),
    "defaultLength": (8, 48),
}
TAP_LIFETIMES = ("minimumLifetimeInMinutes", "defaultLifetimeInMinutes", "maximumLifetimeInMinutes")
CONFIG_PROPERTIES = {"state", "includeTargets", "excludeTargets"}
CONFIG_CONTEXT = "policies/authenticationMethodsPolicy/authenticationMethodConfigurations"


def default_campaign() -> dict[str, Any]:
    """Graph's campaign when nobody configured it: Microsoft-managed, Authenticator for all users."""
    return {
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


def _bad(message: str) -> GraphError:
    return GraphError(400, BAD_REQUEST, message)


def render_policy(emu: Emulator, call: Call) -> dict[str, Any]:
    policy = copy.deepcopy(emu.state.methods_policy)
    enforcement = policy.get("registrationEnforcement")
    if not isinstance(enforcement, dict):
        enforcement = policy["registrationEnforcement"] = {}
    if not isinstance(enforcement.get("authenticationMethodsRegistrationCampaign"), dict):
        enforcement["authenticationMethodsRegistrationCampaign"] = default_campaign()
    policy["authenticationMethodConfigurations"] = _configs(emu, call)
    return {"@odata.context": emu.context(call, "authenticationMethodsPolicy"), **policy}


def _configs(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    configs = emu.state.methods_policy.get("authenticationMethodConfigurations") or []
    return [
        copy.deepcopy(c)
        for c in configs
        if call.version == "beta" or str(c.get("id", "")).lower() not in BETA_ONLY_CONFIGS
    ]


@route("GET", "/policies/authenticationMethodsPolicy", POLICY_READ)
def get_methods_policy(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return Resp(200, render_policy(emu, call))


def _targets(value: Any, name: str, *, include: bool) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise _bad(f"{name} must be a list of targets.")
    for target in value:
        if not isinstance(target.get("id"), str) or not target["id"]:
            raise _bad(f"Every target in {name} needs an id (a group or user id, or all_users).")
        if target.get("targetType", "group") not in TARGET_TYPES:
            raise _bad(f"Invalid value '{target.get('targetType')}' for property 'targetType'.")
        method = target.get("targetedAuthenticationMethod")
        if include and method is not None and method != "microsoftAuthenticator":
            raise _bad(
                f"Invalid value '{method}' for property 'targetedAuthenticationMethod': the registration "
                "campaign targets microsoftAuthenticator."
            )
    return value


def _campaign_changes(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(
            "registrationEnforcement must be an object with authenticationMethodsRegistrationCampaign."
        )
    enforcement = without_odata_type(value, "registrationEnforcement")
    if set(enforcement) - {"authenticationMethodsRegistrationCampaign"}:
        raise _bad("registrationEnforcement has one property: authenticationMethodsRegistrationCampaign.")
    campaign = enforcement.get("authenticationMethodsRegistrationCampaign")
    if not isinstance(campaign, dict):
        raise _bad("authenticationMethodsRegistrationCampaign must be an object.")
    campaign = without_odata_type(campaign, "authenticationMethodsRegistrationCampaign")
    for key, item in campaign.items():
        if key == "state" and item not in CAMPAIGN_STATES:
            raise _bad(f"Invalid value '{item}' for property 'state': use default, enabled or disabled.")
        if key == "snoozeDurationInDays" and (isinstance(item, bool) or item not in range(15)):
            raise _bad("snoozeDurationInDays must be a whole number of days from 0 to 14.")
        if key == "enforceRegistrationAfterAllowedSnoozes" and not isinstance(item, bool):
            raise _bad("enforceRegistrationAfterAllowedSnoozes must be true or false.")
        if key in ("includeTargets", "excludeTargets"):
            _targets(item, key, include=key == "includeTargets")
        if key not in {
            "state",
            "snoozeDurationInDays",
            "enforceRegistrationAfterAllowedSnoozes",
            "includeTargets",
            "excludeTargets",
        }:
            raise _bad(
                f"Property '{key}' does not exist on type 'authenticationMethodsRegistrationCampaign'."
            )
    return campaign


@route("PATCH", "/policies/authenticationMethodsPolicy", POLICY_WRITE)
def update_methods_policy(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    body = without_odata_type(body_object(call), "authenticationMethodsPolicy")
    for key in body:
        if key != "registrationEnforcement":
            raise _bad(
                f"Property '{key}' cannot be updated here; this emulator updates registrationEnforcement."
            )
    if "registrationEnforcement" in body:
        changes = _campaign_changes(body["registrationEnforcement"])
        policy = emu.state.methods_policy
        enforcement = policy.get("registrationEnforcement")
        if not isinstance(enforcement, dict):
            enforcement = policy["registrationEnforcement"] = {}
        campaign = enforcement.get("authenticationMethodsRegistrationCampaign")
        if not isinstance(campaign, dict):
            campaign = enforcement["authenticationMethodsRegistrationCampaign"] = default_campaign()
        campaign.update(changes)
        policy["lastModifiedDateTime"] = now_iso()
        emu.state.methods_policy_seeded = True
    return Resp(200, render_policy(emu, call))


@route("GET", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations", POLICY_READ)
def list_method_configs(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return Resp(200, {"@odata.context": emu.context(call, CONFIG_CONTEXT), "value": _configs(emu, call)})


def _config(emu: Emulator, call: Call, config_id: str) -> dict[str, Any]:
    config = emu.state.methods_policy_config(config_id)
    if config is None or (call.version != "beta" and config_id.lower() in BETA_ONLY_CONFIGS):
        raise not_found(config_id)
    return config


@route(
    "GET", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{config}", POLICY_READ
)
def get_method_config(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    config = _config(emu, call, params["config"])
    return Resp(200, {"@odata.context": emu.context(call, f"{CONFIG_CONTEXT}/$entity"), **config})


def _is_tap(config: dict[str, Any]) -> bool:
    return str(config.get("id", "")).lower() == "temporaryaccesspass"


def _check_tap(merged: dict[str, Any]) -> None:
    numbers: dict[str, int] = {}
    for key, (low, high) in TAP_NUMBERS.items():
        value = merged.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _bad(f"{key} must be a whole number from {low} to {high}.")
        numbers[key] = value
    lifetimes = [numbers.get(k) for k in TAP_LIFETIMES]
    if None not in lifetimes and sorted(lifetimes) != lifetimes:  # type: ignore[type-var]
        raise _bad(
            "defaultLifetimeInMinutes must lie between minimumLifetimeInMinutes and maximumLifetimeInMinutes."
        )
    if "isUsableOnce" in merged and not isinstance(merged["isUsableOnce"], bool):
        raise _bad("isUsableOnce must be true or false.")


@route(
    "PATCH", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{config}", POLICY_WRITE
)
def update_method_config(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    config = _config(emu, call, params["config"])
    body = body_object(call)
    sent_type = body.get("@odata.type")
    if sent_type is not None and str(sent_type).lstrip("#") != str(config.get("@odata.type", "")).lstrip("#"):
        raise _bad(f"The @odata.type '{sent_type}' does not match configuration '{config.get('id')}'.")
    changes = {key: value for key, value in body.items() if key != "@odata.type"}
    known = CONFIG_PROPERTIES | set(config)
    if _is_tap(config):
        known |= set(TAP_NUMBERS) | {"isUsableOnce"}
    for key, value in changes.items():
        if key == "id" or key not in known:
            raise _bad(f"Property '{key}' cannot be updated on configuration '{config.get('id')}'.")
        if key == "state" and value not in ("enabled", "disabled"):
            raise _bad(f"Invalid value '{value}' for property 'state': use enabled or disabled.")
        if key in ("includeTargets", "excludeTargets"):
            _targets(value, key, include=False)
    if _is_tap(config):
        _check_tap({**config, **changes})
    config.update(changes)
    emu.state.methods_policy_seeded = True
    return Resp(204)
