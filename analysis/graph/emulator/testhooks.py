"""Test hooks under ``/_emulator/test/``: a test plays the people a product deals with.

A real tenant has people who sign in with a device code and who register methods on their phones; a
product test needs to make that happen on cue. These endpoints do it, and exist only when the
emulator was started with ``--test-hooks`` (otherwise 404, so a rehearsal against a copy of a real
tenant cannot be steered by accident). Like the admin endpoints they need the run's admin key, and
they live outside ``/v1.0`` and ``/beta``, so no Graph client reaches them by mistake.

* ``GET  /_emulator/test/device-codes``: pending device-code sign-ins (user code, client, scopes).
* ``POST /_emulator/test/device-codes/approve`` ``{"user_code", "user"}`` approves one as that user
  (UPN or object id of the tenant); ``{"user_code", "decline": true}`` declines it.
* ``POST /_emulator/test/sign-in-as`` ``{"user": UPN|null}``: whom automatic approval signs in.
* ``POST /_emulator/test/register`` ``{"user", "method", "at"|"afterSeconds"|"afterReads"?, "default"?,
  "displayName"?}``: a user registers a method now or later (:mod:`registrations`);
  ``GET /_emulator/test/registrations`` reports every scheduled registration and its status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.routing import Route

from analysis.graph.emulator.admin import Handler, admin_endpoint
from analysis.graph.emulator.devicecode import EMULATOR_ADMIN, Identity

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

HOOKS_OFF = "test hooks are off: start the emulator with --test-hooks to use /_emulator/test/*"


def identity_of(emu: Emulator, ref: Any) -> Identity:
    """The sign-in identity of a tenant user named by UPN or object id; ValueError names the miss."""
    user = emu.state.user(str(ref)) if isinstance(ref, str) and ref else None
    if user is None:
        raise ValueError(f"no user {ref!r} in the tenant: give a userPrincipalName or object id")
    return Identity.of_user(user)


def test_routes(emu: Emulator) -> list[Route]:
    def refuse() -> str | None:
        return None if emu.config.test_hooks else HOOKS_OFF

    def hook(handler: Handler) -> Any:
        return admin_endpoint(emu, handler, refuse=refuse)

    def device_codes(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        return {"pending": emu.tokens.devices.pending()}

    def approve(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        user_code = payload.get("user_code")
        if not isinstance(user_code, str) or not user_code:
            raise ValueError(
                'send {"user_code": "...", "user": "upn"} or {"user_code": "...", "decline": true}'
            )
        if payload.get("decline") is True:
            emu.tokens.devices.decide(user_code, None)
            return {"user_code": user_code, "declined": True}
        who = identity_of(emu, payload.get("user"))
        emu.tokens.devices.decide(user_code, who)
        return {"user_code": user_code, "approved_as": who.upn, "oid": who.oid}

    def sign_in_as(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        ref = payload.get("user")
        who = EMULATOR_ADMIN if ref is None else identity_of(emu, ref)
        emu.tokens.devices.sign_in_as = who
        return {"sign_in_as": who.upn, "oid": who.oid}

    def register(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        return emu.registrations.add(emu, payload).report()

    def registrations(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        emu.registrations.apply_due(emu)
        return {"registrations": [reg.report() for reg in emu.registrations.items]}

    return [
        Route("/_emulator/test/register", hook(register), methods=["POST"]),
        Route("/_emulator/test/registrations", hook(registrations), methods=["GET"]),
        Route("/_emulator/test/device-codes", hook(device_codes), methods=["GET"]),
        Route("/_emulator/test/device-codes/approve", hook(approve), methods=["POST"]),
        Route("/_emulator/test/sign-in-as", hook(sign_in_as), methods=["POST"]),
    ]
