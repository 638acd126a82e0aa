"""Temporary Access Pass creation as Graph v1.0 does it, and the authentication methods policy behind it
(TAP configuration, registration campaign), through the emulator's dispatcher; one test over the wire
shows the pass never reaches the emulator's log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from emulator_tenant import gid, upn
from inprocess import Local, local_emulator

from analysis.graph.emulator.launcher import EmulatorInfo

TAPS = "/users/{}/authentication/temporaryAccessPassMethods"
CONFIG = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
POLICY = "/policies/authenticationMethodsPolicy"


@pytest.fixture
def local(tenant_dir: Path) -> Local:
    return local_emulator(tenant_dir)


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_pass_is_answered_once_and_one_per_user(local: Local) -> None:
    path = TAPS.format(upn(0))
    first = local.ok("POST", path, {})
    assert len(first["temporaryAccessPass"]) == 8  # the policy's defaultLength
    assert first["lifetimeInMinutes"] == 60 and first["isUsableOnce"] is False  # the policy's defaults
    assert first["isUsable"] is True and first["methodUsabilityReason"] == "EnabledByPolicy"
    listed = local.ok("GET", path)["value"]
    assert [m["id"] for m in listed] == [first["id"]] and listed[0]["temporaryAccessPass"] is None
    assert local.ok("GET", f"{path}/{first['id']}")["temporaryAccessPass"] is None
    second = local.ok("POST", path, {"lifetimeInMinutes": 480, "isUsableOnce": True})
    assert [m["id"] for m in local.ok("GET", path)["value"]] == [second["id"]]  # the old pass is gone
    stored = json.dumps(local.emu.state.snapshot_documents()["users.jsonl"])
    assert first["temporaryAccessPass"] not in stored and second["temporaryAccessPass"] not in stored
    assert local.call("DELETE", f"{path}/{second['id']}").status == 204
    assert local.ok("GET", path)["value"] == []
    assert local.refused("DELETE", f"{path}/{second['id']}", status=404) == "itemNotFound"


@pytest.mark.parametrize(
    "body",
    [
        {"lifetimeInMinutes": 59},  # below the policy's minimum (60)
        {"lifetimeInMinutes": 481},  # above its maximum (480)
        {"lifetimeInMinutes": "60"},
        {"lifetimeInMinutes": True},
        {"isUsableOnce": "yes"},
        {"startDateTime": "next tuesday"},
        {"startDateTime": _iso(timedelta(hours=-2)), "lifetimeInMinutes": 60},  # would never be usable
        {"temporaryAccessPass": "chosen-by-me"},  # read-only
        {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod"},
    ],
)
def test_refusals_are_graphs_400(local: Local, body: dict[str, object]) -> None:
    assert local.refused("POST", TAPS.format(upn(1)), body) == "badRequest"
    assert local.ok("GET", TAPS.format(upn(1)))["value"] == []


def test_start_date_time(local: Local) -> None:
    path = TAPS.format(upn(2))
    later = local.ok("POST", path, {"startDateTime": _iso(timedelta(days=1))})
    assert later["isUsable"] is False and later["methodUsabilityReason"] == "NotYetValid"
    started = local.ok("POST", path, {"startDateTime": _iso(timedelta(minutes=-30)), "lifetimeInMinutes": 60})
    assert started["isUsable"] is True
    sdk_style = local.ok("POST", path, {"startDateTime": "2099-06-05T00:00:00.000Z"})
    assert sdk_style["startDateTime"] == "2099-06-05T00:00:00Z"


def test_policy_governs_creation(local: Local) -> None:
    path = TAPS.format(upn(3))
    assert local.call("PATCH", CONFIG, {"state": "disabled"}).status == 204
    assert local.refused("POST", path, {}) == "badRequest"
    seeded = local.ok("GET", TAPS.format(upn(12)))["value"][0]
    assert seeded["methodUsabilityReason"] == "DisabledByPolicy"

    local.ok("PATCH", CONFIG, {"state": "enabled", "isUsableOnce": True, "defaultLength": 12})
    assert local.refused("POST", path, {"isUsableOnce": False}) == "badRequest"  # one-time passes only
    once = local.ok("POST", path, {})
    assert once["isUsableOnce"] is True and len(once["temporaryAccessPass"]) == 12

    local.ok("PATCH", CONFIG, {"includeTargets": [{"targetType": "group", "id": gid(1)}]})  # Static: u7, u8
    assert local.refused("POST", path, {}) == "badRequest"  # u3 is not targeted
    assert local.ok("POST", TAPS.format(upn(7)), {})["temporaryAccessPass"]
    local.ok(
        "PATCH", CONFIG, {"excludeTargets": [{"targetType": "group", "id": gid(2)}]}
    )  # Nested holds Static
    assert local.refused("POST", TAPS.format(upn(8)), {}) == "badRequest"


@pytest.mark.parametrize(
    "change",
    [
        {"minimumLifetimeInMinutes": 9},
        {"maximumLifetimeInMinutes": 43201},
        {"defaultLifetimeInMinutes": 500},  # above the maximum (480)
        {"defaultLength": 7},
        {"defaultLength": 49},
        {"isUsableOnce": 1},
        {"state": "on"},
        {"id": "Other"},
        {"colour": "blue"},
        {"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration"},
    ],
)
def test_tap_configuration_changes_are_checked(local: Local, change: dict[str, object]) -> None:
    assert local.refused("PATCH", CONFIG, change) == "Request_BadRequest"
    config = local.ok("GET", CONFIG)
    assert (config["minimumLifetimeInMinutes"], config["maximumLifetimeInMinutes"]) == (60, 480)


def test_registration_campaign_is_served_and_updatable(local: Local, tmp_path: Path) -> None:
    policy = local.ok("GET", POLICY)
    campaign = policy["registrationEnforcement"]["authenticationMethodsRegistrationCampaign"]
    assert campaign["state"] == "default"  # Graph's value when the snapshot carries none
    assert campaign["includeTargets"][0]["targetedAuthenticationMethod"] == "microsoftAuthenticator"
    change = {
        "registrationEnforcement": {
            "authenticationMethodsRegistrationCampaign": {
                "state": "enabled",
                "snoozeDurationInDays": 3,
                "includeTargets": [
                    {
                        "id": gid(6),
                        "targetType": "group",
                        "targetedAuthenticationMethod": "microsoftAuthenticator",
                    }
                ],
            }
        }
    }
    answer = local.call("PATCH", POLICY, change)
    assert answer.status == 200
    updated = answer.body["registrationEnforcement"]["authenticationMethodsRegistrationCampaign"]
    assert (updated["state"], updated["snoozeDurationInDays"], updated["excludeTargets"]) == (
        "enabled",
        3,
        [],
    )
    assert (
        local.ok("GET", POLICY, version="beta")["registrationEnforcement"]
        == answer.body["registrationEnforcement"]
    )
    local.emu.state.dump(tmp_path / "dump")
    dumped = json.loads((tmp_path / "dump" / "policies.json").read_text())
    assert (
        dumped["authenticationMethodsPolicy"]["registrationEnforcement"]
        == answer.body["registrationEnforcement"]
    )
    for bad in (
        {"state": "on"},
        {"snoozeDurationInDays": 15},
        {
            "includeTargets": [
                {"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "sms"}
            ]
        },
        {"includeTargets": "all_users"},
        {"colour": "blue"},
    ):
        body = {"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": bad}}
        assert local.refused("PATCH", POLICY, body) == "Request_BadRequest", bad
    assert local.refused("PATCH", POLICY, {"policyVersion": "9"}) == "Request_BadRequest"


def test_seeded_campaign_is_served_as_the_snapshot_has_it(tenant_dir: Path, tmp_path: Path) -> None:
    policies = json.loads((tenant_dir / "policies.json").read_text())
    campaign = {
        "snoozeDurationInDays": 0,
        "state": "enabled",
        "excludeTargets": [{"id": gid(4), "targetType": "group"}],
        "includeTargets": [
            {
                "id": "all_users",
                "targetType": "group",
                "targetedAuthenticationMethod": "microsoftAuthenticator",
            }
        ],
    }
    policies["authenticationMethodsPolicy"]["registrationEnforcement"] = {
        "authenticationMethodsRegistrationCampaign": campaign
    }
    copy = tmp_path / "tenant"
    copy.mkdir()
    for source in tenant_dir.iterdir():
        (copy / source.name).write_bytes(source.read_bytes())
    (copy / "policies.json").write_text(json.dumps(policies))
    served = local_emulator(copy).ok("GET", POLICY)
    assert served["registrationEnforcement"]["authenticationMethodsRegistrationCampaign"] == campaign


def test_pass_never_reaches_the_emulators_log(emu: EmulatorInfo) -> None:
    with httpx.Client(
        verify=emu.tls(), trust_env=False, headers={"Authorization": f"Bearer {emu.app_token()}"}
    ) as client:
        answer = client.post(f"{emu.graph_url}/v1.0{TAPS.format(upn(6))}", json={"isUsableOnce": True})
    secret = answer.json()["temporaryAccessPass"]
    assert answer.status_code == 201 and secret
    assert secret not in json.dumps(emu.log()) and secret not in json.dumps(emu.state())
    assert secret not in emu.log_file.read_text(errors="replace")
