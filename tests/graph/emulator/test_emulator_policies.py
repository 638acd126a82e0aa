"""Policies and domains: methods policy reads, staged rollout CRUD and appliesTo rules, the Prefer header
for evolvable enums, federation configuration."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from emulator_helpers import assert_graph_error, client_for, delegated_token
from emulator_tenant import gid

from analysis.graph.emulator.launcher import EmulatorInfo

ROLLOUT = "/v1.0/policies/featureRolloutPolicies"
PREFER = {"Prefer": "include-unknown-enum-members"}


@pytest.fixture(scope="module")
def admin(emu: EmulatorInfo) -> Iterator[httpx.Client]:
    """A delegated (device code) client: staged rollout does not support app-only tokens."""
    with client_for(emu, delegated_token(emu)) as client:
        yield client


def _ref(group: str) -> dict[str, str]:
    return {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{group}"}


def test_methods_policy_and_configuration(graph: httpx.Client) -> None:
    policy = graph.get("/v1.0/policies/authenticationMethodsPolicy").json()
    assert {c["id"] for c in policy["authenticationMethodConfigurations"]} == {
        "Sms",
        "Voice",
        "TemporaryAccessPass",
    }  # HardwareOath is beta-only
    beta = graph.get("/beta/policies/authenticationMethodsPolicy").json()
    assert "HardwareOath" in {c["id"] for c in beta["authenticationMethodConfigurations"]}
    voice = graph.get(
        "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/voice"
    ).json()
    assert voice["isOfficePhoneAllowed"] is True
    missing = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2"
    assert_graph_error(graph.get(missing), 404, "Request_ResourceNotFound")


def test_evolvable_feature_needs_prefer_header(admin: httpx.Client) -> None:
    body = {"displayName": "MFA", "feature": "multiFactorAuthentication", "isEnabled": True}
    assert_graph_error(admin.post(ROLLOUT, json=body), 400, "Request_BadRequest")
    created = admin.post(ROLLOUT, json=body, headers=PREFER)
    assert created.status_code == 201 and created.json()["feature"] == "multiFactorAuthentication"
    policy_id = created.json()["id"]
    plain = admin.get(f"{ROLLOUT}/{policy_id}").json()
    assert plain["feature"] == "unknownFutureValue"
    assert (
        admin.get(f"{ROLLOUT}/{policy_id}", headers=PREFER).json()["feature"] == "multiFactorAuthentication"
    )
    assert_graph_error(
        admin.post(ROLLOUT, json=body, headers=PREFER), 400, "Request_BadRequest"
    )  # one per feature
    assert admin.patch(f"{ROLLOUT}/{policy_id}", json={"isEnabled": False}).status_code == 204
    assert admin.get(f"{ROLLOUT}/{policy_id}").json()["isEnabled"] is False
    assert admin.delete(f"{ROLLOUT}/{policy_id}").status_code == 204
    assert_graph_error(admin.get(f"{ROLLOUT}/{policy_id}"), 404, "Request_ResourceNotFound")


def test_applies_to_rules(admin: httpx.Client) -> None:
    created = admin.post(
        ROLLOUT, json={"displayName": "PHS", "feature": "passwordHashSync", "isEnabled": True}, headers=PREFER
    ).json()
    refs = f"{ROLLOUT}/{created['id']}/appliesTo/$ref"
    for bad in (gid(3), gid(2), gid(5)):  # dynamic, nested, with a contact
        assert_graph_error(admin.post(refs, json=_ref(bad)), 400, "Request_BadRequest")
    user_ref = {
        "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/10000000-0000-4000-8000-000000000001"
    }
    assert_graph_error(admin.post(refs, json=user_ref), 400, "Request_BadRequest")
    for n in range(10):
        assert admin.post(refs, json=_ref(gid(100 + n))).status_code == 204
    error = assert_graph_error(admin.post(refs, json=_ref(gid(110))), 400, "Request_BadRequest")
    assert "10" in error["message"]
    assert_graph_error(admin.post(refs, json=_ref(gid(100))), 400, "Request_BadRequest")  # duplicate
    expanded = admin.get(f"{ROLLOUT}/{created['id']}", params={"$expand": "appliesTo"}).json()
    assert [a["id"] for a in expanded["appliesTo"]] == [gid(100 + n) for n in range(10)]
    assert "appliesTo" not in admin.get(f"{ROLLOUT}/{created['id']}").json()
    assert admin.delete(f"{ROLLOUT}/{created['id']}/appliesTo/{gid(100)}/$ref").status_code == 204
    assert admin.post(refs, json=_ref(gid(110))).status_code == 204
    assert_graph_error(
        admin.delete(f"{ROLLOUT}/{created['id']}/appliesTo/{gid(100)}/$ref"), 404, "Request_ResourceNotFound"
    )


def test_domains_and_federation(graph: httpx.Client) -> None:
    domains = graph.get("/v1.0/domains").json()["value"]
    assert {d["id"] for d in domains} == {"fabrikam.example", "corp.fabrikam.example"}
    assert all("federationConfiguration" not in d for d in domains)
    assert_graph_error(
        graph.get("/v1.0/domains/fabrikam.example/federationConfiguration"), 404, "Request_ResourceNotFound"
    )
    federation = graph.get("/v1.0/domains/corp.fabrikam.example/federationConfiguration").json()["value"][0]
    assert federation["federatedIdpMfaBehavior"] == "enforceMfaByFederatedIdp"
    path = f"/v1.0/domains/corp.fabrikam.example/federationConfiguration/{federation['id']}"
    assert_graph_error(
        graph.patch(path, json={"federatedIdpMfaBehavior": "sometimes"}), 400, "Request_BadRequest"
    )
    updated = graph.patch(path, json={"federatedIdpMfaBehavior": "rejectMfaByFederatedIdp"})
    assert (
        updated.status_code == 200 and updated.json()["federatedIdpMfaBehavior"] == "rejectMfaByFederatedIdp"
    )
    assert graph.get(path).json()["federatedIdpMfaBehavior"] == "rejectMfaByFederatedIdp"
