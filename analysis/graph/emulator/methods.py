"""What the method routes share: Graph's method types and fixed ids, lookups, the default-method rule and
the device limit.

Default method: a method that alone provides the user's preferred secondary method
(``signInPreferences.userPreferredMethodForSecondaryAuthentication``) cannot be deleted while other
MFA methods are registered ("cannot delete default method with other methods configured"); deleting
the last one is allowed and clears the preference. Devices: at most 5 Authenticator + software OATH +
hardware OATH per user.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.errors import method_error, method_not_found
from analysis.graph.emulator.router import Call
from analysis.graph.emulator.state import HARDWARE_OATH

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
PLATFORM_CREDENTIAL = "#microsoft.graph.platformCredentialAuthenticationMethod"

PHONE_IDS = {
    "mobile": "3179e48a-750b-4051-897c-87b9720928f7",
    "alternateMobile": "b6332ec1-7057-4abe-9331-3d72feddfe41",
    "office": "e37fc753-ff3b-4958-9484-eaa9425c82bc",
}
PHONE_TYPE_BY_ID = {value: key for key, value in PHONE_IDS.items()}
STRICT_PHONE = re.compile(r"^\+\d{1,4} \d{4,20}(x\d{1,10})?$")
LENIENT_PHONE = re.compile(r"^\+\d{1,4} ?\d{4,20}(x\d{1,10})?$")
DEVICE_TYPES = {AUTHENTICATOR, SOFTWARE_OATH, HARDWARE_OATH}
MFA_TYPES = {PHONE, AUTHENTICATOR, SOFTWARE_OATH, HARDWARE_OATH, FIDO2, HELLO, PLATFORM_CREDENTIAL}
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


def of_type(user: dict[str, Any], odata_type: str) -> list[dict[str, Any]]:
    return [m for m in user.get("authenticationMethods") or [] if m.get("@odata.type") == odata_type]


def find_method(user: dict[str, Any], odata_type: str | None, method_id: str) -> dict[str, Any]:
    for method in user.get("authenticationMethods") or []:
        if method.get("id", "").lower() == method_id.lower() and (
            odata_type is None or method.get("@odata.type") == odata_type
        ):
            return method
    raise method_not_found(method_id)


def method_context(emu: Emulator, call: Call, user: dict[str, Any], segment: str) -> str:
    return emu.context(call, f"users('{user['id']}')/authentication/{segment}")


def preferences(user: dict[str, Any]) -> dict[str, Any]:
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
    preferred = preferences(user).get("userPreferredMethodForSecondaryAuthentication")
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


def delete_method(emu: Emulator, user: dict[str, Any], method: dict[str, Any]) -> None:
    clear = check_delete_default(emu, user, method)
    user["authenticationMethods"] = [m for m in user["authenticationMethods"] if m is not method]
    if clear:
        preferences(user)["userPreferredMethodForSecondaryAuthentication"] = None


def device_count(user: dict[str, Any]) -> int:
    return sum(1 for m in user.get("authenticationMethods") or [] if m.get("@odata.type") in DEVICE_TYPES)


def check_device_limit(user: dict[str, Any]) -> None:
    if device_count(user) >= DEVICE_LIMIT:
        raise method_error(
            f"The user already has the maximum of {DEVICE_LIMIT} devices (Microsoft Authenticator, "
            "software OATH "
            "and hardware OATH tokens combined). Remove one before adding another."
        )
