"""``/beta/users/{id|upn}/authentication/hardwareOathMethods``: a user's hardware OATH tokens.

Assign an inventory token (``{"device": {"id"}}``, 201), ``activate`` with a TOTP code checked against
the token's secret (RFC 6238, its own step, ±1 step; a wrong code sets ``failedActivation``),
``deactivate``, ``assignAndActivateBySerialNumber``, delete (unassigns; the default-method rule
applies). At most 5 devices per user (:mod:`methods`). ``$expand=device`` adds the inventory device,
secret always ``null``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.graph.emulator import totp
from analysis.graph.emulator.common import METHOD_READ, METHOD_WRITE, body_object, collection, find_user
from analysis.graph.emulator.errors import method_error, method_not_found
from analysis.graph.emulator.methods import (
    check_device_limit,
    delete_method,
    find_method,
    method_context,
    of_type,
)
from analysis.graph.emulator.router import BETA, Call, Resp, route
from analysis.graph.emulator.state import HARDWARE_OATH, now_iso

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator


def _with_device(emu: Emulator, method: dict[str, Any], expand: bool) -> dict[str, Any]:
    if not expand:
        return dict(method)
    device = emu.state.devices.get(method.get("id", ""))
    return dict(method, device=dict(device, secretKey=None) if device else None)


def _expand_device(call: Call) -> bool:
    return "device" in [part.strip().lower() for part in call.query.get("$expand", "").split(",")]


@route("GET", "/users/{user}/authentication/hardwareOathMethods", METHOD_READ, BETA)
def list_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    expand = _expand_device(call)
    return collection(
        emu,
        call,
        of_type(user, HARDWARE_OATH),
        lambda m: _with_device(emu, m, expand),
        f"users('{user['id']}')/authentication/hardwareOathMethods",
        paged=False,
    )


def assign_device(emu: Emulator, user: dict[str, Any], device: dict[str, Any]) -> dict[str, Any]:
    """Assign an inventory token to a user (status ``assigned``); shared with inventory create."""
    assigned = device.get("assignedTo") or {}
    if device.get("status") != "available" or assigned:
        if assigned.get("id") == user["id"]:
            raise method_error("This hardware OATH token is already assigned to this user.")
        raise method_error("This hardware OATH token is already assigned to another user.")
    check_device_limit(user)
    device["status"] = "assigned"
    device["assignedTo"] = {"id": user["id"], "displayName": user.get("displayName")}
    # Graph's hardwareOathAuthenticationMethod has no name or serial of its own: they are the device's.
    method = {"@odata.type": HARDWARE_OATH, "id": device["id"], "createdDateTime": now_iso()}
    emu.state.methods_of(user).append(method)
    return method


@route("POST", "/users/{user}/authentication/hardwareOathMethods", METHOD_WRITE, BETA)
def assign_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    body = body_object(call)
    device_ref = body.get("device") if isinstance(body.get("device"), dict) else body
    device_id = device_ref.get("id") if isinstance(device_ref, dict) else None
    if not isinstance(device_id, str) or not device_id:
        raise method_error('The request must name the token to assign: {"device": {"id": "..."}}.')
    device = emu.state.devices.get(device_id)
    if device is None:
        raise method_not_found(device_id)
    method = assign_device(emu, user, device)
    return Resp(
        201, {"@odata.context": method_context(emu, call, user, "hardwareOathMethods/$entity"), **method}
    )


@route(
    "POST",
    "/users/{user}/authentication/hardwareOathMethods/assignAndActivateBySerialNumber",
    METHOD_WRITE,
    BETA,
)
def assign_activate_serial(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    body = body_object(call)
    serial = body.get("serialNumber")
    device = next((d for d in emu.state.devices.values() if d.get("serialNumber") == serial), None)
    if device is None:
        raise method_not_found(str(serial))
    assigned = device.get("assignedTo") or {}
    if assigned.get("id") != user["id"]:
        _verify_code(emu, device, body, mark_failure=False)
        assign_device(emu, user, device)
    else:
        _verify_code(emu, device, body, mark_failure=False)
    _activate(emu, user, device, body)
    return Resp(204)


@route("GET", "/users/{user}/authentication/hardwareOathMethods/{method}", METHOD_READ, BETA)
def get_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, HARDWARE_OATH, params["method"])
    return Resp(
        200,
        {
            "@odata.context": method_context(emu, call, user, "hardwareOathMethods/$entity"),
            **_with_device(emu, method, _expand_device(call)),
        },
    )


def _verify_code(
    emu: Emulator, device: dict[str, Any], body: dict[str, Any], mark_failure: bool = True
) -> None:
    code = body.get("verificationCode")
    if not isinstance(code, str) or not code.isdigit():
        raise method_error("verificationCode is required: the code the token shows now.")
    secret = emu.state.device_secrets.get(device["id"])
    ok = secret is not None and totp.verify(secret.secret, code, secret.period, secret.hash_function)
    if not ok:
        if mark_failure:
            device["status"] = "failedActivation"
        raise method_error("The verification code is not valid for this hardware OATH token.")


def _activate(emu: Emulator, user: dict[str, Any], device: dict[str, Any], body: dict[str, Any]) -> None:
    device["status"] = "activated"
    if isinstance(body.get("displayName"), str):
        device["displayName"] = body["displayName"]


@route("POST", "/users/{user}/authentication/hardwareOathMethods/{method}/activate", METHOD_WRITE, BETA)
def activate_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, HARDWARE_OATH, params["method"])
    device = emu.state.devices.get(method["id"])
    if device is None:
        raise method_not_found(params["method"])
    if device.get("status") == "activated":
        raise method_error("This hardware OATH token is already activated.")
    body = body_object(call)
    _verify_code(emu, device, body)
    _activate(emu, user, device, body)
    return Resp(204)


@route("POST", "/users/{user}/authentication/hardwareOathMethods/{method}/deactivate", METHOD_WRITE, BETA)
def deactivate_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, HARDWARE_OATH, params["method"])
    device = emu.state.devices.get(method["id"])
    if device is not None:
        device["status"] = "assigned"
    return Resp(204)


@route("DELETE", "/users/{user}/authentication/hardwareOathMethods/{method}", METHOD_WRITE, BETA)
def delete_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, HARDWARE_OATH, params["method"])
    delete_method(emu, user, method)
    device = emu.state.devices.get(method["id"])
    if device is not None:
        device["status"] = "available"
        device["assignedTo"] = None
    return Resp(204)
