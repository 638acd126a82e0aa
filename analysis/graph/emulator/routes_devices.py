"""Beta hardware OATH inventory: ``/directory/authenticationMethodDevices/hardwareOathDevices``.

Create validates what Graph requires (serial, manufacturer, model, Base32 secret, 30/60 s step, hash
function), keeps the secret in memory only and answers it as ``null`` like Graph; ``assignTo`` creates
and assigns in one call (which additionally needs ``UserAuthenticationMethod.ReadWrite.All``, and obeys
the 5-device limit). A second token with the same serial number is a 409 conflict. Delete needs the
token unassigned. A bulk create (``{"@context": "#$delta", "value": [...]}``) is taken by POST or PATCH.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator import totp
from analysis.graph.emulator.common import POLICY_READ, POLICY_WRITE, body_object, collection, find_user
from analysis.graph.emulator.errors import (
    CONFLICT,
    DENIED,
    INSUFFICIENT,
    GraphError,
    method_error,
    method_not_found,
)
from analysis.graph.emulator.methods import check_device_limit
from analysis.graph.emulator.router import BETA, Call, Resp, route
from analysis.graph.emulator.routes_hardware import assign_device
from analysis.graph.emulator.state import DeviceSecret

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

DEVICE_TYPE = "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice"
BASE = "/directory/authenticationMethodDevices/hardwareOathDevices"
UPDATABLE = {"displayName", "manufacturer", "model"}


def _public(device: dict[str, Any]) -> dict[str, Any]:
    return dict(device, secretKey=None)


def _create_one(emu: Emulator, call: Call, body: dict[str, Any]) -> dict[str, Any]:
    for key in ("serialNumber", "manufacturer", "model", "secretKey", "timeIntervalInSeconds"):
        if body.get(key) in (None, ""):
            raise method_error(f"'{key}' is required to create a hardware OATH token.")
    secret = str(body["secretKey"])
    try:
        totp.decode_secret(secret)
    except ValueError as exc:
        raise method_error("secretKey must be Base32 encoded.") from exc
    period = body["timeIntervalInSeconds"]
    if period not in (30, 60):
        raise method_error("timeIntervalInSeconds must be 30 or 60.")
    hash_function = body.get("hashFunction") or "hmacsha1"
    if hash_function not in ("hmacsha1", "hmacsha256"):
        raise method_error("hashFunction must be hmacsha1 or hmacsha256.")
    serial = str(body["serialNumber"])
    if any(d.get("serialNumber") == serial for d in emu.state.devices.values()):
        raise GraphError(409, CONFLICT, "A hardware OATH token with this serial number already exists.")
    user = None
    assign_to = body.get("assignTo")
    if isinstance(assign_to, dict) and assign_to.get("id"):
        claims = call.claims
        if claims is not None and not claims.permissions() & {"UserAuthenticationMethod.ReadWrite.All"}:
            raise GraphError(
                403, DENIED, f"{INSUFFICIENT} Missing permission: UserAuthenticationMethod.ReadWrite.All."
            )
        user = find_user(emu, str(assign_to["id"]))
    device = {
        "@odata.type": DEVICE_TYPE,
        "id": str(uuid.uuid4()),
        "displayName": body.get("displayName"),
        "serialNumber": serial,
        "manufacturer": body["manufacturer"],
        "model": body["model"],
        "secretKey": None,
        "timeIntervalInSeconds": period,
        "hashFunction": hash_function,
        "status": "available",
        "lastUsedDateTime": None,
        "assignedTo": None,
    }
    if user is not None:
        # Check the limit before the token exists, so a refused create leaves nothing behind.
        check_device_limit(user)
    emu.state.devices[device["id"]] = device
    emu.state.device_secrets[device["id"]] = DeviceSecret(secret, int(period), hash_function)
    if user is not None:
        assign_device(emu, user, device)
    return device


@route("GET", BASE, POLICY_READ, BETA)
def list_devices(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return collection(
        emu,
        call,
        list(emu.state.devices.values()),
        _public,
        "directory/authenticationMethodDevices/hardwareOathDevices",
    )


def _bulk(emu: Emulator, call: Call, body: dict[str, Any]) -> Resp:
    items = body.get("value")
    if not isinstance(items, list) or not items:
        raise method_error("A bulk create needs a non-empty 'value' array.")
    created = []
    for item in items:
        if not isinstance(item, dict):
            raise method_error("Every item of 'value' must be an object.")
        device = _create_one(emu, call, {k: v for k, v in item.items() if k != "@contentId"})
        created.append(
            {
                "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
                "id": device["id"],
                "@contentId": item.get("@contentId"),
                "device": _public(device),
            }
        )
    return Resp(201, {"value": created})


@route("POST", BASE, POLICY_WRITE, BETA)
def create_device(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    body = body_object(call)
    if "value" in body and "serialNumber" not in body:
        return _bulk(emu, call, body)
    device = _create_one(emu, call, body)
    return Resp(
        201,
        {
            "@odata.context": emu.context(
                call, "directory/authenticationMethodDevices/hardwareOathDevices/$entity"
            ),
            **_public(device),
        },
    )


@route("PATCH", BASE, POLICY_WRITE, BETA)
def bulk_patch(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return _bulk(emu, call, body_object(call))


def _device(emu: Emulator, device_id: str) -> dict[str, Any]:
    device = emu.state.devices.get(device_id)
    if device is None:
        raise method_not_found(device_id)
    return device


@route("GET", BASE + "/{device}", POLICY_READ, BETA)
def get_device(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    device = _device(emu, params["device"])
    return Resp(
        200,
        {
            "@odata.context": emu.context(
                call, "directory/authenticationMethodDevices/hardwareOathDevices/$entity"
            ),
            **_public(device),
        },
    )


@route("PATCH", BASE + "/{device}", POLICY_WRITE, BETA)
def update_device(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    device = _device(emu, params["device"])
    body = body_object(call)
    for key in body:
        if key not in UPDATABLE:
            raise method_error(f"Property '{key}' cannot be updated.")
    device.update(body)
    return Resp(204)


@route("DELETE", BASE + "/{device}", POLICY_WRITE, BETA)
def delete_device(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    device = _device(emu, params["device"])
    if device.get("assignedTo"):
        raise method_error("The hardware OATH token is assigned to a user; unassign it before deleting it.")
    del emu.state.devices[device["id"]]
    emu.state.device_secrets.pop(device["id"], None)
    emu.state.derived_devices.discard(device["id"])
    return Resp(204)
