"""``/users/{id|upn}/authentication/...``: a user's methods, with the rules Graph enforces on writes.

Phones (v1.0): format ``+{cc} {number}[x{ext}]`` (``--phone-format lenient`` also takes no space), one
per ``phoneType`` at fixed ids, ``alternateMobile`` only with a ``mobile``, ``phoneType`` immutable on
PATCH, no deleting the mobile while an alternate exists, create 201 / update 204 / delete 204.

Default method: a method that alone provides the user's preferred secondary method
(``signInPreferences.userPreferredMethodForSecondaryAuthentication``) cannot be deleted while other
methods are registered ("cannot delete default method with other methods configured"); deleting the
last method is allowed and clears the preference.

Authenticator, software OATH, FIDO2, Windows Hello, email: read and delete only (POST is 405).
Hardware OATH (beta): assign an inventory token (``{"device": {"id"}}``), ``activate`` with a TOTP code
checked against the token's secret (RFC 6238, its own step, ±1 step), ``deactivate``,
``assignAndActivateBySerialNumber``, delete (unassigns). At most 5 devices (Authenticator + software
OATH + hardware OATH) per user. Temporary Access Pass: POST returns the pass once (never stored, never
logged); one per user, a new one replaces the old; policy state and lifetime bounds enforced.
``signInPreferences`` (beta): GET, PATCH (204) accepting only methods the user has.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator import totp
from analysis.graph.emulator.common import (
    METHOD_READ,
    METHOD_WRITE,
    PHONE_READ,
    PHONE_WRITE,
    body_object,
    collection,
    find_user,
)
from analysis.graph.emulator.errors import BAD_REQUEST, GraphError, method_error, method_not_found
from analysis.graph.emulator.router import BETA, Call, Resp, route
from analysis.graph.emulator.state import HARDWARE_OATH, now_iso

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

PHONE = "#microsoft.graph.phoneAuthenticationMethod"
AUTHENTICATOR = "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"
SOFTWARE_OATH = "#microsoft.graph.softwareOathAuthenticationMethod"
TAP = "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
FIDO2 = "#microsoft.graph.fido2AuthenticationMethod"
EMAIL = "#microsoft.graph.emailAuthenticationMethod"
HELLO = "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod"
PASSWORD = "#microsoft.graph.passwordAuthenticationMethod"

PHONE_IDS = {
    "mobile": "3179e48a-750b-4051-897c-87b9720928f7",
    "alternateMobile": "b6332ec1-7057-4abe-9331-3d72feddfe41",
    "office": "e37fc753-ff3b-4958-9484-eaa9425c82bc",
}
PHONE_TYPE_BY_ID = {value: key for key, value in PHONE_IDS.items()}
STRICT_PHONE = re.compile(r"^\+\d{1,4} \d{4,20}(x\d{1,10})?$")
LENIENT_PHONE = re.compile(r"^\+\d{1,4} ?\d{4,20}(x\d{1,10})?$")
DEVICE_TYPES = {AUTHENTICATOR, SOFTWARE_OATH, HARDWARE_OATH}
MFA_TYPES = {PHONE, AUTHENTICATOR, SOFTWARE_OATH, HARDWARE_OATH, FIDO2, HELLO}
BETA_ONLY_TYPES = {HARDWARE_OATH}
DEVICE_LIMIT = 5
PREFERRED_VALUES = {
    "push",
    "oath",
    "voiceMobile",
    "voiceAlternateMobile",
    "voiceOffice",
    "sms",
    "unknownFutureValue",
}

# Read/delete-only families: URL segment -> @odata.type.
FAMILIES = {
    "microsoftAuthenticatorMethods": AUTHENTICATOR,
    "softwareOathMethods": SOFTWARE_OATH,
    "fido2Methods": FIDO2,
    "emailMethods": EMAIL,
    "windowsHelloForBusinessMethods": HELLO,
    "temporaryAccessPassMethods": TAP,
}


# ---------------------------------------------------------------------------------- helpers
def _of_type(user: dict[str, Any], odata_type: str) -> list[dict[str, Any]]:
    return [m for m in user.get("authenticationMethods") or [] if m.get("@odata.type") == odata_type]


def _find(user: dict[str, Any], odata_type: str | None, method_id: str) -> dict[str, Any]:
    for method in user.get("authenticationMethods") or []:
        if method.get("id", "").lower() == method_id.lower() and (
            odata_type is None or method.get("@odata.type") == odata_type
        ):
            return method
    raise method_not_found(method_id)


def _context(emu: Emulator, call: Call, user: dict[str, Any], segment: str) -> str:
    return emu.context(call, f"users('{user['id']}')/authentication/{segment}")


def _preferences(user: dict[str, Any]) -> dict[str, Any]:
    prefs = user.get("signInPreferences")
    return prefs if isinstance(prefs, dict) else {}


def provides(emu: Emulator, method: dict[str, Any]) -> set[str]:
    """Which ``userPreferredMethodForSecondaryAuthentication`` values a method makes available."""
    kind = method.get("@odata.type")
    if kind == PHONE:
        return {
            "mobile": {"sms", "voiceMobile"},
            "alternateMobile": {"voiceAlternateMobile"},
            "office": {"voiceOffice"},
        }.get(str(method.get("phoneType")), set())
    if kind == AUTHENTICATOR:
        return {"push", "oath"}
    if kind == SOFTWARE_OATH:
        return {"oath"}
    if kind == HARDWARE_OATH:
        device = emu.state.devices.get(method.get("id", ""))
        return {"oath"} if device is None or device.get("status") == "activated" else set()
    return set()


def available(emu: Emulator, user: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for method in user.get("authenticationMethods") or []:
        out |= provides(emu, method)
    return out


def check_delete_default(emu: Emulator, user: dict[str, Any], method: dict[str, Any]) -> bool:
    """Refuse deleting the method that alone provides the default; True if the default must be cleared."""
    preferred = _preferences(user).get("userPreferredMethodForSecondaryAuthentication")
    if not preferred or preferred not in provides(emu, method):
        return False
    others = [m for m in user.get("authenticationMethods") or [] if m is not method]
    if any(preferred in provides(emu, m) for m in others):
        return False
    if any(m.get("@odata.type") in MFA_TYPES for m in others):
        raise method_error(
            "Cannot delete the default authentication method while other methods are configured. Change the "
            "user's default sign-in method (signInPreferences) first."
        )
    return True


def _delete(emu: Emulator, user: dict[str, Any], method: dict[str, Any]) -> None:
    clear = check_delete_default(emu, user, method)
    user["authenticationMethods"] = [m for m in user["authenticationMethods"] if m is not method]
    if clear:
        _preferences(user)["userPreferredMethodForSecondaryAuthentication"] = None


def device_count(user: dict[str, Any]) -> int:
    return sum(1 for m in user.get("authenticationMethods") or [] if m.get("@odata.type") in DEVICE_TYPES)


def check_device_limit(user: dict[str, Any]) -> None:
    if device_count(user) >= DEVICE_LIMIT:
        raise method_error(
            f"The user already has the maximum of {DEVICE_LIMIT} devices (Microsoft Authenticator, "
            "software OATH "
            "and hardware OATH tokens combined). Remove one before adding another."
        )


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


# ---------------------------------------------------------------------------------- all methods
@route("GET", "/users/{user}/authentication/methods", METHOD_READ)
def list_methods(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    methods = [
        m
        for m in user.get("authenticationMethods") or []
        if call.version == "beta" or m.get("@odata.type") not in BETA_ONLY_TYPES
    ]
    return collection(emu, call, methods, dict, f"users('{user['id']}')/authentication/methods", paged=False)


@route("GET", "/users/{user}/authentication/methods/{method}", METHOD_READ)
def get_method(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = _find(user, None, params["method"])
    if call.version != "beta" and method.get("@odata.type") in BETA_ONLY_TYPES:
        raise method_not_found(params["method"])
    return Resp(200, {"@odata.context": _context(emu, call, user, "methods/$entity"), **method})


# ---------------------------------------------------------------------------------- phones
@route("GET", "/users/{user}/authentication/phoneMethods", PHONE_READ)
def list_phones(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    return collection(
        emu,
        call,
        _of_type(user, PHONE),
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
    existing = {m.get("phoneType") for m in _of_type(user, PHONE)}
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
    return Resp(201, {"@odata.context": _context(emu, call, user, "phoneMethods/$entity"), **method})


@route("GET", "/users/{user}/authentication/phoneMethods/{method}", PHONE_READ)
def get_phone(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = _find(user, PHONE, params["method"])
    return Resp(200, {"@odata.context": _context(emu, call, user, "phoneMethods/$entity"), **method})


@route("PATCH", "/users/{user}/authentication/phoneMethods/{method}", PHONE_WRITE)
def update_phone(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = _find(user, PHONE, params["method"])
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
    method = _find(user, PHONE, params["method"])
    if method.get("phoneType") == "mobile" and any(
        m.get("phoneType") == "alternateMobile" for m in _of_type(user, PHONE)
    ):
        raise method_error(
            "The mobile phone cannot be deleted while an alternateMobile phone exists. Update the mobile "
            "number instead, or delete the alternateMobile phone first."
        )
    _delete(emu, user, method)
    return Resp(204)


def _sms_toggle(emu: Emulator, call: Call, params: dict[str, str], enable: bool) -> Resp:
    user = find_user(emu, params["user"])
    method = _find(user, PHONE, params["method"])
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


# ---------------------------------------------------------------------------------- temporary access pass
def _tap_config(emu: Emulator) -> dict[str, Any]:
    return emu.state.methods_policy_config("TemporaryAccessPass") or {}


@route("POST", "/users/{user}/authentication/temporaryAccessPassMethods", METHOD_WRITE)
def create_tap(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    body = call.body if isinstance(call.body, dict) else {}
    config = _tap_config(emu)
    if config.get("state") != "enabled":
        raise method_error(
            "Temporary Access Pass is not enabled in the tenant's authentication methods policy.", 400
        )
    low = int(config.get("minimumLifetimeInMinutes") or 10)
    high = int(config.get("maximumLifetimeInMinutes") or 43200)
    lifetime = body.get("lifetimeInMinutes", config.get("defaultLifetimeInMinutes") or 60)
    if not isinstance(lifetime, int) or not low <= lifetime <= high:
        raise method_error(
            f"lifetimeInMinutes must be between {low} and {high} as set by the tenant's policy."
        )
    once = body.get("isUsableOnce", bool(config.get("isUsableOnce", False)))
    if not isinstance(once, bool):
        raise method_error("isUsableOnce must be true or false.")
    start = body.get("startDateTime") or now_iso()
    try:
        starts = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphError(400, BAD_REQUEST, "startDateTime is not a valid date and time.") from exc
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)
    length = int(config.get("defaultLength") or 8)
    alphabet = string.ascii_letters + string.digits + "+-*!@#$%&"
    secret_pass = "".join(secrets.choice(alphabet) for _ in range(length))
    method = {
        "@odata.type": TAP,
        "id": secrets.token_hex(16),
        "temporaryAccessPass": None,
        "createdDateTime": now_iso(),
        "startDateTime": start,
        "lifetimeInMinutes": lifetime,
        "isUsableOnce": once,
        "isUsable": starts <= datetime.now(UTC),
        "methodUsabilityReason": "EnabledByPolicy" if starts <= datetime.now(UTC) else "NotYetValid",
    }
    methods = emu.state.methods_of(user)
    methods[:] = [m for m in methods if m.get("@odata.type") != TAP]
    methods.append(method)
    response = dict(method, temporaryAccessPass=secret_pass)
    return Resp(
        201, {"@odata.context": _context(emu, call, user, "temporaryAccessPassMethods/$entity"), **response}
    )


# ---------------------------------------------------------------------------------- read/delete families
def _register_family(segment: str, odata_type: str) -> None:
    def list_family(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
        user = find_user(emu, params["user"])
        return collection(
            emu,
            call,
            _of_type(user, odata_type),
            dict,
            f"users('{user['id']}')/authentication/{segment}",
            paged=False,
        )

    def get_family(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
        user = find_user(emu, params["user"])
        method = _find(user, odata_type, params["method"])
        return Resp(200, {"@odata.context": _context(emu, call, user, f"{segment}/$entity"), **method})

    def delete_family(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
        user = find_user(emu, params["user"])
        method = _find(user, odata_type, params["method"])
        _delete(emu, user, method)
        return Resp(204)

    route("GET", f"/users/{{user}}/authentication/{segment}", METHOD_READ)(list_family)
    route("GET", f"/users/{{user}}/authentication/{segment}/{{method}}", METHOD_READ)(get_family)
    route("DELETE", f"/users/{{user}}/authentication/{segment}/{{method}}", METHOD_WRITE)(delete_family)


for _segment, _type in FAMILIES.items():
    _register_family(_segment, _type)


# ---------------------------------------------------------------------------------- hardware OATH (beta)
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
        _of_type(user, HARDWARE_OATH),
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
    method = {
        "@odata.type": HARDWARE_OATH,
        "id": device["id"],
        "displayName": device.get("displayName"),
        "createdDateTime": now_iso(),
    }
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
    return Resp(201, {"@odata.context": _context(emu, call, user, "hardwareOathMethods/$entity"), **method})


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
    method = _find(user, HARDWARE_OATH, params["method"])
    return Resp(
        200,
        {
            "@odata.context": _context(emu, call, user, "hardwareOathMethods/$entity"),
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
        for method in _of_type(user, HARDWARE_OATH):
            if method.get("id") == device["id"]:
                method["displayName"] = body["displayName"]


@route("POST", "/users/{user}/authentication/hardwareOathMethods/{method}/activate", METHOD_WRITE, BETA)
def activate_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = _find(user, HARDWARE_OATH, params["method"])
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
    method = _find(user, HARDWARE_OATH, params["method"])
    device = emu.state.devices.get(method["id"])
    if device is not None:
        device["status"] = "assigned"
    return Resp(204)


@route("DELETE", "/users/{user}/authentication/hardwareOathMethods/{method}", METHOD_WRITE, BETA)
def delete_hardware(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = _find(user, HARDWARE_OATH, params["method"])
    _delete(emu, user, method)
    device = emu.state.devices.get(method["id"])
    if device is not None:
        device["status"] = "available"
        device["assignedTo"] = None
    return Resp(204)


# ---------------------------------------------------------------------------------- signInPreferences (beta)
@route("GET", "/users/{user}/authentication/signInPreferences", METHOD_READ, BETA)
def get_preferences(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    prefs = {
        "isSystemPreferredAuthenticationMethodEnabled": False,
        "userPreferredMethodForSecondaryAuthentication": None,
        **_preferences(user),
    }
    return Resp(200, {"@odata.context": _context(emu, call, user, "signInPreferences"), **prefs})


@route("PATCH", "/users/{user}/authentication/signInPreferences", METHOD_WRITE, BETA)
def update_preferences(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    body = body_object(call)
    for key in body:
        if key not in (
            "userPreferredMethodForSecondaryAuthentication",
            "isSystemPreferredAuthenticationMethodEnabled",
        ):
            raise GraphError(
                400,
                BAD_REQUEST,
                f"Property '{key}' does not exist on type 'microsoft.graph.signInPreferences' "
                "or is read-only.",
            )
    changes: dict[str, Any] = {}
    if "userPreferredMethodForSecondaryAuthentication" in body:
        value = body["userPreferredMethodForSecondaryAuthentication"]
        if value not in PREFERRED_VALUES:
            raise GraphError(
                400,
                BAD_REQUEST,
                f"Invalid value '{value}' for property 'userPreferredMethodForSecondaryAuthentication'.",
            )
        if value not in available(emu, user):
            raise method_error(
                f"The user has no registered authentication method that supports '{value}'; "
                "register one first."
            )
        changes["userPreferredMethodForSecondaryAuthentication"] = value
    if "isSystemPreferredAuthenticationMethodEnabled" in body:
        flag = body["isSystemPreferredAuthenticationMethodEnabled"]
        if not isinstance(flag, bool):
            raise GraphError(
                400, BAD_REQUEST, "isSystemPreferredAuthenticationMethodEnabled must be true or false."
            )
        changes["isSystemPreferredAuthenticationMethodEnabled"] = flag
    if changes:
        prefs = user.get("signInPreferences")
        if not isinstance(prefs, dict):
            prefs = {
                "userPreferredMethodForSecondaryAuthentication": None,
                "isSystemPreferredAuthenticationMethodEnabled": False,
            }
            user["signInPreferences"] = prefs
        prefs.update(changes)
    return Resp(204)
