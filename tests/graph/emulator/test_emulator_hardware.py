"""Beta hardware OATH: inventory create, assign, activate with a TOTP code, the 5-device limit."""

from __future__ import annotations

import base64
import time

import httpx
import pytest
from emulator_helpers import assert_graph_error
from emulator_tenant import uid

from analysis.graph.emulator import totp

DEVICES = "/beta/directory/authenticationMethodDevices/hardwareOathDevices"
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's "12345678901234567890"


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
    ],
)
def test_totp_matches_rfc_6238_vectors(at: int, code: str) -> None:
    assert totp.totp(SECRET, 30, "hmacsha1", at=at) == code


def test_totp_sha256_vector_and_window() -> None:
    secret = base64.b32encode(b"12345678901234567890123456789012").decode()
    assert totp.totp(secret, 30, "hmacsha256", at=59) == "119246"
    assert totp.verify(SECRET, "287082", 30, at=59 + 30)  # one step late still accepted
    assert not totp.verify(SECRET, "287082", 30, at=59 + 90)  # three steps late is not


def _create(
    graph: httpx.Client, serial: str, secret: str = SECRET, period: int = 30, **extra: object
) -> httpx.Response:
    body = {
        "displayName": f"Token {serial}",
        "serialNumber": serial,
        "manufacturer": "Contoso",
        "model": "Hardware Token 1000",
        "secretKey": secret,
        "timeIntervalInSeconds": period,
        "hashFunction": "hmacsha1",
        **extra,
    }
    return graph.post(DEVICES, json=body)


def test_inventory_create_hides_secret_and_refuses_duplicates(graph: httpx.Client) -> None:
    created = _create(graph, "HW-0001")
    assert created.status_code == 201
    device = created.json()
    assert device["secretKey"] is None and device["status"] == "available" and device["assignedTo"] is None
    assert graph.get(f"{DEVICES}/{device['id']}").json()["secretKey"] is None
    assert SECRET not in graph.get(DEVICES).text
    assert_graph_error(_create(graph, "HW-0001"), 409, "conflict")
    assert_graph_error(_create(graph, "HW-0002", secret="not base32!"), 400, "badRequest")
    assert_graph_error(_create(graph, "HW-0003", period=45), 400, "badRequest")
    assert_graph_error(graph.post(f"/v1.0{DEVICES[5:]}", json={}), 400, "BadRequest")  # beta only


def test_assign_then_activate_with_current_code(graph: httpx.Client) -> None:
    device = _create(graph, "HW-0100", period=60).json()
    user = "u10@fabrikam.example"
    methods = f"/beta/users/{user}/authentication/hardwareOathMethods"
    assigned = graph.post(methods, json={"device": {"id": device["id"]}})
    assert assigned.status_code == 201
    method_id = assigned.json()["id"]
    assert graph.get(f"{DEVICES}/{device['id']}").json()["status"] == "assigned"
    again = graph.post(methods, json={"device": {"id": device["id"]}})
    assert_graph_error(again, 400, "badRequest")
    wrong = str((int(totp.totp(SECRET, 60)) + 1) % 1_000_000).zfill(6)
    assert_graph_error(
        graph.post(f"{methods}/{method_id}/activate", json={"verificationCode": wrong}), 400, "badRequest"
    )
    assert graph.get(f"{DEVICES}/{device['id']}").json()["status"] == "failedActivation"
    code = totp.totp(SECRET, 60, "hmacsha1", at=time.time())
    activated = graph.post(
        f"{methods}/{method_id}/activate", json={"verificationCode": code, "displayName": "Fob"}
    )
    assert activated.status_code == 204
    assert graph.get(f"{DEVICES}/{device['id']}").json()["status"] == "activated"
    expanded = graph.get(f"{methods}/{method_id}", params={"$expand": "device"}).json()
    assert expanded["device"]["displayName"] == "Fob" and expanded["device"]["serialNumber"] == "HW-0100"
    assert set(expanded) == {"@odata.context", "@odata.type", "id", "createdDateTime", "device"}
    # hardware OATH is a beta type: the beta methods list shows it, v1.0 does not
    beta_types = {
        m["@odata.type"] for m in graph.get(f"/beta/users/{user}/authentication/methods").json()["value"]
    }
    v1_types = {
        m["@odata.type"] for m in graph.get(f"/v1.0/users/{user}/authentication/methods").json()["value"]
    }
    assert "#microsoft.graph.hardwareOathAuthenticationMethod" in beta_types - v1_types
    # now the token can be the default method
    prefs = f"/beta/users/{user}/authentication/signInPreferences"
    assert (
        graph.patch(prefs, json={"userPreferredMethodForSecondaryAuthentication": "oath"}).status_code == 204
    )


def test_five_device_limit(graph: httpx.Client) -> None:
    four = "/beta/users/u4@fabrikam.example/authentication/hardwareOathMethods"  # 4 devices
    first, second = _create(graph, "HW-0200").json(), _create(graph, "HW-0201").json()
    assert graph.post(four, json={"device": {"id": first["id"]}}).status_code == 201
    error = assert_graph_error(graph.post(four, json={"device": {"id": second["id"]}}), 400, "badRequest")
    assert "5" in error["message"]
    assert graph.get(f"{DEVICES}/{second['id']}").json()["status"] == "available"
    at_limit = {"id": uid(5)}  # u5 has 5 devices: create-and-assign must leave nothing behind
    assert_graph_error(_create(graph, "HW-0202", assignTo=at_limit), 400, "badRequest")
    assert all(d["serialNumber"] != "HW-0202" for d in graph.get(DEVICES).json()["value"])


def test_unassign_by_delete_and_assign_by_serial(graph: httpx.Client) -> None:
    device = _create(graph, "HW-0300").json()
    user = "u11@fabrikam.example"
    methods = f"/beta/users/{user}/authentication/hardwareOathMethods"
    assert graph.post(methods, json={"device": {"id": device["id"]}}).status_code == 201
    assert_graph_error(graph.delete(f"{DEVICES}/{device['id']}"), 400, "badRequest")  # still assigned
    assert graph.delete(f"{methods}/{device['id']}").status_code == 204
    assert graph.get(f"{DEVICES}/{device['id']}").json()["status"] == "available"
    body = {"serialNumber": "HW-0300", "verificationCode": totp.totp(SECRET, 30)}
    assert graph.post(f"{methods}/assignAndActivateBySerialNumber", json=body).status_code == 204
    assert graph.get(f"{DEVICES}/{device['id']}").json()["status"] == "activated"
    created_with_assign = _create(graph, "HW-0301", assignTo={"id": uid(11)})
    assert created_with_assign.status_code == 201
    assert created_with_assign.json()["assignedTo"]["id"] == uid(11)
