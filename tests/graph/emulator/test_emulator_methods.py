"""Authentication methods: phone rules, read/delete-only families, default-method protection, TAP,
signInPreferences, v1.0 vs beta visibility."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import assert_graph_error
from emulator_tenant import ALTERNATE, MOBILE, OFFICE, uid

PHONES = "/v1.0/users/{}/authentication/phoneMethods"


def _phones(graph: httpx.Client, user: str) -> dict[str, str]:
    value = graph.get(PHONES.format(user)).json()["value"]
    return {m["phoneType"]: m["phoneNumber"] for m in value}


@pytest.mark.parametrize(
    "number",
    [
        "+15555551234",
        "5555551234",
        "+1 555",
        "+1 (425) 555-0100",
        "+1 5555551234 x12",
        "+1 5555551234xabc",
        "",
    ],
)
def test_phone_format_is_strict(graph: httpx.Client, number: str) -> None:
    response = graph.post(PHONES.format(uid(8)), json={"phoneNumber": number, "phoneType": "office"})
    assert_graph_error(response, 400, "badRequest")


def test_phone_create_rules(graph: httpx.Client) -> None:
    user = uid(9)
    alternate = {"phoneNumber": "+44 7700900999", "phoneType": "alternateMobile"}
    error = assert_graph_error(graph.post(PHONES.format(user), json=alternate), 400, "badRequest")
    assert "mobile" in error["message"]
    created = graph.post(PHONES.format(user), json={"phoneNumber": "+44 7700900900", "phoneType": "mobile"})
    assert created.status_code == 201
    body = created.json()
    assert body["id"] == MOBILE and body["smsSignInState"] == "notAllowedByPolicy"
    assert body["@odata.context"].endswith("phoneMethods/$entity")
    again = graph.post(PHONES.format(user), json={"phoneNumber": "+44 7700900901", "phoneType": "mobile"})
    assert_graph_error(again, 400, "badRequest")
    assert graph.post(PHONES.format(user), json=alternate).json()["id"] == ALTERNATE
    office = graph.post(PHONES.format(user), json={"phoneNumber": "+1 4255550100x123", "phoneType": "office"})
    assert office.json()["id"] == OFFICE and office.json()["smsSignInState"] == "notSupported"
    assert _phones(graph, user) == {
        "mobile": "+44 7700900900",
        "alternateMobile": "+44 7700900999",
        "office": "+1 4255550100x123",
    }
    read_only = {"phoneNumber": "+44 7700900902", "phoneType": "mobile", "smsSignInState": "ready"}
    assert_graph_error(graph.post(PHONES.format(uid(10)), json=read_only), 400, "badRequest")
    assert_graph_error(
        graph.post(PHONES.format(uid(10)), json={"phoneNumber": "+1 5555551234"}), 400, "badRequest"
    )


def test_phone_update_keeps_type(graph: httpx.Client) -> None:
    path = PHONES.format("u1@fabrikam.example") + "/" + MOBILE
    assert graph.patch(path, json={"phoneNumber": "+44 7700900011", "phoneType": "mobile"}).status_code == 204
    assert graph.get(path).json()["phoneNumber"] == "+44 7700900011"
    assert_graph_error(
        graph.patch(path, json={"phoneNumber": "+44 7700900011", "phoneType": "office"}), 400, "badRequest"
    )
    assert_graph_error(graph.patch(path, json={"phoneNumber": "07700900011"}), 400, "badRequest")
    missing = PHONES.format("u0@fabrikam.example") + "/" + MOBILE
    assert_graph_error(graph.patch(missing, json={"phoneNumber": "+44 7700900011"}), 404, "itemNotFound")


def test_phone_delete_rules(graph: httpx.Client) -> None:
    user = "u2@fabrikam.example"  # mobile + alternate, default voiceMobile
    mobile = PHONES.format(user) + "/" + MOBILE
    error = assert_graph_error(graph.delete(mobile), 400, "badRequest")
    assert "alternateMobile" in error["message"]
    assert graph.delete(PHONES.format(user) + "/" + ALTERNATE).status_code == 204
    # the mobile is now the only method providing the default and nothing else is registered: allowed
    assert graph.delete(mobile).status_code == 204
    prefs = graph.get(f"/beta/users/{user}/authentication/signInPreferences").json()
    assert prefs["userPreferredMethodForSecondaryAuthentication"] is None
    assert _phones(graph, user) == {}


def test_default_method_cannot_be_deleted_while_others_exist(graph: httpx.Client) -> None:
    user = "u6@fabrikam.example"  # Authenticator only, default push
    assert (
        graph.post(
            PHONES.format(user), json={"phoneNumber": "+1 5555550106", "phoneType": "mobile"}
        ).status_code
        == 201
    )
    authenticator = graph.get(f"/v1.0/users/{user}/authentication/microsoftAuthenticatorMethods").json()[
        "value"
    ][0]
    path = f"/v1.0/users/{user}/authentication/microsoftAuthenticatorMethods/{authenticator['id']}"
    error = assert_graph_error(graph.delete(path), 400, "badRequest")
    assert "default" in error["message"]
    prefs = f"/beta/users/{user}/authentication/signInPreferences"
    assert (
        graph.patch(prefs, json={"userPreferredMethodForSecondaryAuthentication": "sms"}).status_code == 204
    )
    assert graph.delete(path).status_code == 204
    assert graph.get(path).status_code == 404


def test_read_delete_only_families(graph: httpx.Client) -> None:
    user = "u4@fabrikam.example"
    for segment in ("microsoftAuthenticatorMethods", "softwareOathMethods"):
        listing = graph.get(f"/v1.0/users/{user}/authentication/{segment}").json()["value"]
        assert listing
        one = graph.get(f"/v1.0/users/{user}/authentication/{segment}/{listing[0]['id']}").json()
        assert one["id"] == listing[0]["id"]
        assert_graph_error(
            graph.post(f"/v1.0/users/{user}/authentication/{segment}", json={"displayName": "x"}),
            405,
            "Request_BadRequest",
        )
    software = graph.get(f"/v1.0/users/{user}/authentication/softwareOathMethods").json()["value"][0]
    assert software["secretKey"] is None


def test_methods_graph_cannot_create_or_delete(graph: httpx.Client) -> None:
    base = "/v1.0/users/u12@fabrikam.example/authentication"
    for segment in (
        "fido2Methods",
        "windowsHelloForBusinessMethods",
        "platformCredentialMethods",
        "passwordMethods",
    ):
        assert_graph_error(graph.post(f"{base}/{segment}", json={}), 405, "Request_BadRequest")
    password = graph.get(f"{base}/passwordMethods").json()["value"][0]
    assert password["password"] is None
    assert_graph_error(graph.delete(f"{base}/passwordMethods/{password['id']}"), 405, "Request_BadRequest")
    email = graph.get(f"{base}/emailMethods").json()["value"][0]
    assert_graph_error(
        graph.post(f"{base}/emailMethods", json={"emailAddress": "x@y.example"}), 400, "badRequest"
    )
    assert_graph_error(
        graph.patch(f"{base}/emailMethods/{email['id']}", json={"emailAddress": "not an address"}),
        400,
        "badRequest",
    )


def test_all_methods_listing(graph: httpx.Client) -> None:
    listing = graph.get("/v1.0/users/u3@fabrikam.example/authentication/methods").json()
    types = {m["@odata.type"] for m in listing["value"]}
    assert types == {
        "#microsoft.graph.passwordAuthenticationMethod",
        "#microsoft.graph.phoneAuthenticationMethod",
    }
    assert_graph_error(
        graph.get(f"/v1.0/users/{uid(99)}/authentication/methods"), 404, "Request_ResourceNotFound"
    )


def test_temporary_access_pass_is_returned_once(graph: httpx.Client) -> None:
    user = "u11@fabrikam.example"
    path = f"/v1.0/users/{user}/authentication/temporaryAccessPassMethods"
    created = graph.post(path, json={"lifetimeInMinutes": 120, "isUsableOnce": True})
    assert created.status_code == 201
    body = created.json()
    assert len(body["temporaryAccessPass"]) == 8 and body["lifetimeInMinutes"] == 120 and body["isUsableOnce"]
    stored = graph.get(path).json()["value"]
    assert len(stored) == 1 and stored[0]["temporaryAccessPass"] is None
    second = graph.post(path, json={}).json()
    assert second["lifetimeInMinutes"] == 60  # the policy's default
    assert [m["id"] for m in graph.get(path).json()["value"]] == [second["id"]]  # replaced, one per user
    assert_graph_error(
        graph.post(path, json={"lifetimeInMinutes": 10}), 400, "badRequest"
    )  # below policy min
    later = graph.post(path, json={"startDateTime": "2099-01-01T00:00:00"}).json()  # no zone: UTC
    assert later["isUsable"] is False and later["methodUsabilityReason"] == "NotYetValid"


def test_sign_in_preferences(graph: httpx.Client) -> None:
    path = "/beta/users/u3@fabrikam.example/authentication/signInPreferences"
    prefs = graph.get(path).json()
    assert prefs["userPreferredMethodForSecondaryAuthentication"] == "voiceOffice"
    assert prefs["isSystemPreferredAuthenticationMethodEnabled"] is False
    assert_graph_error(
        graph.patch(path, json={"userPreferredMethodForSecondaryAuthentication": "push"}), 400, "badRequest"
    )
    assert_graph_error(
        graph.patch(path, json={"userPreferredMethodForSecondaryAuthentication": "carrierPigeon"}),
        400,
        "Request_BadRequest",
    )
    assert graph.patch(path, json={"isSystemPreferredAuthenticationMethodEnabled": True}).status_code == 204
    assert graph.get(path).json()["isSystemPreferredAuthenticationMethodEnabled"] is True
    # beta only, as on Graph
    assert_graph_error(
        graph.get("/v1.0/users/u3@fabrikam.example/authentication/signInPreferences"), 400, "BadRequest"
    )
