"""``/users/{id|upn}/authentication/...``: every method together, the read/delete families, password,
email, and the beta ``signInPreferences``. Phones, Temporary Access Passes and hardware OATH tokens have
modules of their own (``routes_phones``, ``routes_tap``, ``routes_hardware``); the rules they share are
in :mod:`methods`.

* ``methods``: every type the API version has (hardware OATH is beta only), TAPs rendered as when read.
* Microsoft Authenticator, software OATH, FIDO2 (passkeys), Windows Hello, platform credentials: list,
  get, delete (204; the default-method rule applies). They cannot be created through Graph (POST 405).
* ``passwordMethods``: list and get; ``password`` is always ``null``.
* ``emailMethods`` (SSPR only): create 201 (one per user, at its fixed id), update 204, delete 204.
* ``signInPreferences`` (beta): GET, PATCH (204) accepting only methods the user has.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.common import (
    METHOD_READ,
    METHOD_WRITE,
    body_object,
    collection,
    find_user,
    without_odata_type,
)
from analysis.graph.emulator.errors import BAD_REQUEST, GraphError, method_error, method_not_found
from analysis.graph.emulator.methods import (
    AUTHENTICATOR,
    BETA_ONLY_TYPES,
    EMAIL,
    FIDO2,
    HELLO,
    PASSWORD,
    PLATFORM_CREDENTIAL,
    PREFERRED_VALUES,
    SOFTWARE_OATH,
    TAP,
    available,
    delete_method,
    find_method,
    method_context,
    of_type,
    preferences,
)
from analysis.graph.emulator.router import BETA, Call, Resp, route
from analysis.graph.emulator.routes_tap import render_tap

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

# Read/delete-only families: URL segment -> @odata.type.
FAMILIES = {
    "microsoftAuthenticatorMethods": AUTHENTICATOR,
    "softwareOathMethods": SOFTWARE_OATH,
    "fido2Methods": FIDO2,
    "windowsHelloForBusinessMethods": HELLO,
    "platformCredentialMethods": PLATFORM_CREDENTIAL,
}
EMAIL_ID = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"
EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def render_method(emu: Emulator, method: dict[str, Any]) -> dict[str, Any]:
    """A stored method as Graph answers it (a TAP's usability is computed when read)."""
    return render_tap(emu, method) if method.get("@odata.type") == TAP else dict(method)


def _entity(emu: Emulator, call: Call, user: dict[str, Any], segment: str, method: dict[str, Any]) -> Resp:
    context = method_context(emu, call, user, f"{segment}/$entity")
    return Resp(200, {"@odata.context": context, **render_method(emu, method)})


def _list(
    emu: Emulator, call: Call, user: dict[str, Any], segment: str, methods: list[dict[str, Any]]
) -> Resp:
    context = f"users('{user['id']}')/authentication/{segment}"
    return collection(emu, call, methods, lambda m: render_method(emu, m), context, paged=False)


# ---------------------------------------------------------------------------------- all methods
@route("GET", "/users/{user}/authentication/methods", METHOD_READ)
def list_methods(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    methods = [
        m
        for m in user.get("authenticationMethods") or []
        if call.version == "beta" or m.get("@odata.type") not in BETA_ONLY_TYPES
    ]
    return _list(emu, call, user, "methods", methods)


@route("GET", "/users/{user}/authentication/methods/{method}", METHOD_READ)
def get_method(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, None, params["method"])
    if call.version != "beta" and method.get("@odata.type") in BETA_ONLY_TYPES:
        raise method_not_found(params["method"])
    return _entity(emu, call, user, "methods", method)


# ---------------------------------------------------------------------------------- read/delete families
def _register_family(segment: str, odata_type: str, *, deletable: bool = True) -> None:
    def list_family(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
        user = find_user(emu, params["user"])
        return _list(emu, call, user, segment, of_type(user, odata_type))

    def get_family(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
        user = find_user(emu, params["user"])
        return _entity(emu, call, user, segment, find_method(user, odata_type, params["method"]))

    def delete_family(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
        user = find_user(emu, params["user"])
        delete_method(emu, user, find_method(user, odata_type, params["method"]))
        return Resp(204)

    route("GET", f"/users/{{user}}/authentication/{segment}", METHOD_READ)(list_family)
    route("GET", f"/users/{{user}}/authentication/{segment}/{{method}}", METHOD_READ)(get_family)
    if deletable:
        route("DELETE", f"/users/{{user}}/authentication/{segment}/{{method}}", METHOD_WRITE)(delete_family)


for _segment, _type in FAMILIES.items():
    _register_family(_segment, _type)
_register_family("passwordMethods", PASSWORD, deletable=False)
_register_family("emailMethods", EMAIL)


# ---------------------------------------------------------------------------------- email (SSPR)
def _email_address(body: dict[str, Any]) -> str:
    for key in without_odata_type(body, "emailAuthenticationMethod"):
        if key != "emailAddress":
            raise method_error(f"Property '{key}' cannot be set on an email authentication method.")
    address = body.get("emailAddress")
    if not isinstance(address, str) or not EMAIL_ADDRESS.match(address):
        raise method_error("emailAddress is required and must be an email address, e.g. kim@contoso.com.")
    return address


@route("POST", "/users/{user}/authentication/emailMethods", METHOD_WRITE)
def create_email(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    address = _email_address(body_object(call))
    if of_type(user, EMAIL):
        raise method_error("The user already has an email authentication method; update it instead.")
    method = {"@odata.type": EMAIL, "id": EMAIL_ID, "emailAddress": address}
    emu.state.methods_of(user).append(method)
    context = method_context(emu, call, user, "emailMethods/$entity")
    return Resp(201, {"@odata.context": context, **method})


@route("PATCH", "/users/{user}/authentication/emailMethods/{method}", METHOD_WRITE)
def update_email(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, EMAIL, params["method"])
    method["emailAddress"] = _email_address(body_object(call))
    return Resp(204)


# ---------------------------------------------------------------------------------- signInPreferences (beta)
@route("GET", "/users/{user}/authentication/signInPreferences", METHOD_READ, BETA)
def get_preferences(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    prefs = {
        "isSystemPreferredAuthenticationMethodEnabled": False,
        "userPreferredMethodForSecondaryAuthentication": None,
        **preferences(user),
    }
    return Resp(200, {"@odata.context": method_context(emu, call, user, "signInPreferences"), **prefs})


@route("PATCH", "/users/{user}/authentication/signInPreferences", METHOD_WRITE, BETA)
def update_preferences(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    body = body_object(call)
    for key in without_odata_type(body, "signInPreferences"):
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
