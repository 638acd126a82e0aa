"""``/users/{id|upn}/authentication/phoneMethods`` (v1.0 and beta), with the rules Graph enforces on writes.

Format ``+{cc} {number}[x{ext}]`` (``--phone-format lenient`` also takes no space), one per
``phoneType`` at fixed ids, ``alternateMobile`` only with a ``mobile``, ``phoneType`` immutable on
PATCH, no deleting the mobile while an alternate exists, the default-method rule on delete
(:mod:`methods`); create 201 / update 204 / delete 204; ``enableSmsSignIn``/``disableSmsSignIn`` 204.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.common import PHONE_READ, PHONE_WRITE, body_object, collection, find_user
from analysis.graph.emulator.errors import method_error
from analysis.graph.emulator.methods import (
    LENIENT_PHONE,
    PHONE,
    PHONE_IDS,
    STRICT_PHONE,
    delete_method,
    find_method,
    method_context,
    of_type,
)
from analysis.graph.emulator.router import Call, Resp, route

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator


def _sms_state(emu: Emulator, phone_type: str) -> str:
    if phone_type != "mobile":
        return "notSupported"
    config = emu.state.methods_policy_config("Sms")
    targets = (config or {}).get("includeTargets") or []
    if config and config.get("state") == "enabled" and any(t.get("isUsableForSignIn") for t in targets):
        return "ready"
    return "notAllowedByPolicy"


def _check_number(emu: Emulator, number: Any) -> str:
    pattern = LENIENT_PHONE if emu.config.phone_format == "lenient" else STRICT_PHONE
    if not isinstance(number, str) or not pattern.match(number):
        raise method_error(
            "Invalid phone number. Phone numbers must use the format '+{country code} {number}x{extension}' "
            "(extension optional), e.g. '+1 5555551234' or '+1 5555551234x123'."
        )
    return number


@route("GET", "/users/{user}/authentication/phoneMethods", PHONE_READ)
def list_phones(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    return collection(
        emu,
        call,
        of_type(user, PHONE),
        dict,
        f"users('{user['id']}')/authentication/phoneMethods",
        paged=False,
    )


@route("POST", "/users/{user}/authentication/phoneMethods", PHONE_WRITE)
def create_phone(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    body = body_object(call)
    if "smsSignInState" in body:
        raise method_error("The property 'smsSignInState' is read-only and cannot be set.")
    phone_type = body.get("phoneType")
    if phone_type not in PHONE_IDS:
        raise method_error("phoneType is required and must be one of mobile, alternateMobile, office.")
    number = _check_number(emu, body.get("phoneNumber"))
    existing = {m.get("phoneType") for m in of_type(user, PHONE)}
    if phone_type in existing:
        raise method_error(f"A phone method of type '{phone_type}' already exists for this user.")
    if phone_type == "alternateMobile" and "mobile" not in existing:
        raise method_error("An alternateMobile phone can only be added when the user has a mobile phone.")
    method = {
        "@odata.type": PHONE,
        "id": PHONE_IDS[phone_type],
        "phoneNumber": number,
        "phoneType": phone_type,
        "smsSignInState": _sms_state(emu, phone_type),
    }
    emu.state.methods_of(user).append(method)
    return Resp(201, {"@odata.context": method_context(emu, call, user, "phoneMethods/$entity"), **method})


@route("GET", "/users/{user}/authentication/phoneMethods/{method}", PHONE_READ)
def get_phone(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, PHONE, params["method"])
    return Resp(200, {"@odata.context": method_context(emu, call, user, "phoneMethods/$entity"), **method})


@route("PATCH", "/users/{user}/authentication/phoneMethods/{method}", PHONE_WRITE)
def update_phone(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, PHONE, params["method"])
    body = body_object(call)
    if "smsSignInState" in body:
        raise method_error("The property 'smsSignInState' is read-only and cannot be set.")
    if "phoneType" in body and body["phoneType"] != method.get("phoneType"):
        raise method_error(
            "phoneType cannot be changed. Add a phone method of the new type and delete the old one."
        )
    if "phoneNumber" not in body:
        raise method_error("phoneNumber is required.")
    method["phoneNumber"] = _check_number(emu, body["phoneNumber"])
    method["smsSignInState"] = _sms_state(emu, str(method.get("phoneType")))
    return Resp(204)


@route("DELETE", "/users/{user}/authentication/phoneMethods/{method}", PHONE_WRITE)
def delete_phone(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, PHONE, params["method"])
    if method.get("phoneType") == "mobile" and any(
        m.get("phoneType") == "alternateMobile" for m in of_type(user, PHONE)
    ):
        raise method_error(
            "The mobile phone cannot be deleted while an alternateMobile phone exists. Update the mobile "
            "number instead, or delete the alternateMobile phone first."
        )
    delete_method(emu, user, method)
    return Resp(204)


def _sms_toggle(emu: Emulator, call: Call, params: dict[str, str], enable: bool) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, PHONE, params["method"])
    if method.get("phoneType") != "mobile":
        raise method_error("SMS sign-in is only available for the mobile phone.")
    if enable and _sms_state(emu, "mobile") != "ready":
        raise method_error("SMS sign-in is not allowed by the tenant's authentication methods policy.")
    method["smsSignInState"] = "ready" if enable else "notEnabled"
    return Resp(204)


@route("POST", "/users/{user}/authentication/phoneMethods/{method}/enableSmsSignIn", PHONE_WRITE)
def enable_sms(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return _sms_toggle(emu, call, params, True)


@route("POST", "/users/{user}/authentication/phoneMethods/{method}/disableSmsSignIn", PHONE_WRITE)
def disable_sms(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return _sms_toggle(emu, call, params, False)
