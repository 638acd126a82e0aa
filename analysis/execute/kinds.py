"""The step kinds of a run: for each, the request, the "already in place" test against live state, and
the effect of a successful answer (with the ids later steps need, which the journal keeps).

Graph's rules these follow (reference in docs/executing.md): a phone type that exists is PATCHed, a
missing one POSTed; a hardware token is created in the inventory (beta), assigned to the user, then
activated with a TOTP code computed from its secret; the default method is the beta
``signInPreferences``; the hand-off adds the user to the Migration Utility's group, or issues a
Temporary Access Pass that goes only to the operator's ``--tap-out`` file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from analysis.execute.livestate import norm_phone
from analysis.execute.oath import totp
from analysis.execute.reads import INVENTORY
from analysis.execute.steps import Step
from analysis.execute.work import IN_PLACE, SEND, Choice, Context, Decision, Kind, Request, Work
from analysis.graph.constants import PHONE_METHOD_IDS


def auth_path(work: Work) -> str:
    return f"/users/{quote(work.entra_id)}/authentication"


def _live(work: Work) -> Any:
    assert work.live is not None, "a step is decided only on a read user"
    return work.live


class Phone(Kind):
    """mobile / alternateMobile / office: POST a new phone method, or PATCH the one of that type."""

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        now = _live(work).phones.get(step.name)
        return IN_PLACE if norm_phone(now) == norm_phone(step.value) else SEND

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        body = {"phoneNumber": step.value, "phoneType": step.name}
        if _live(work).phones.get(step.name):
            return Request(
                "PATCH", self.version, f"{auth_path(work)}/phoneMethods/{PHONE_METHOD_IDS[step.name]}", body
            )
        return Request("POST", self.version, f"{auth_path(work)}/phoneMethods", body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        _live(work).phones[step.name] = step.value
        return {}


def device_of(work: Work, serial: str) -> dict[str, Any] | None:
    return work.devices.get(serial)


def device_id(work: Work, serial: str) -> str | None:
    """The inventory id of the user's token: journaled by ``hw_create``, else from a read."""
    known = work.id_of("hw_create", "device")
    if known:
        return known
    device = device_of(work, serial)
    return str(device["id"]) if device and device.get("id") else None


class HardwareCreate(Kind):
    """Create the token in the inventory, with its secret (beta)."""

    version = "beta"

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        serial = str(step.value)
        if device_of(work, serial) is not None or _live(work).hardware(serial) is not None:
            return IN_PLACE
        return SEND

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        serial = str(step.value)
        body = {
            "displayName": f"MFA Server token {serial}",
            "serialNumber": serial,
            "manufacturer": "MFA Server",
            "model": "OATH TOTP",
            "secretKey": ctx.secret(work.username),
            "timeIntervalInSeconds": ctx.time_step(work.username),
            "hashFunction": "hmacsha1",
        }
        return Request("POST", self.version, INVENTORY, body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        made = str((body or {}).get("id"))
        work.devices[str(step.value)] = {"id": made, "serialNumber": step.value, "status": "available"}
        return {"device": made}

    def found(self, step: Step, work: Work, ctx: Context) -> dict[str, str]:
        found = device_id(work, str(step.value))
        method = _live(work).hardware(str(step.value))
        if found is None and method is not None:
            found = str(method["id"])
        return {"device": found} if found else {}

    def lookup(self, step: Step, work: Work) -> str | None:
        p = work.progress[step.name]
        # An unknown or refused create: is the token in the inventory, not yet assigned to anyone?
        return str(step.value) if p.open or work.check == step.name else None


class HardwareAssign(Kind):
    """Assign the inventory token to the user (beta ``hardwareOathMethods``)."""

    version = "beta"

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        serial = str(step.value)
        if _live(work).hardware(serial) is not None:
            return IN_PLACE
        assigned = ((device_of(work, serial) or {}).get("assignedTo") or {}).get("id")
        if assigned == work.entra_id:
            return IN_PLACE
        if assigned:
            reason = f"hardware token {serial} is already assigned to another Entra user"
            return Choice(Decision.BLOCKED, "failed", reason)
        if device_id(work, serial) is None:
            reason = f"hardware token {serial} is not in the inventory (deleted since it was created?)"
            return Choice(Decision.BLOCKED, "failed", reason)
        return SEND

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        body = {"device": {"id": device_id(work, str(step.value))}}
        return Request("POST", self.version, f"{auth_path(work)}/hardwareOathMethods", body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        serial, method = str(step.value), str((body or {}).get("id"))
        _live(work).methods.append({"kind": "hardware_oath", "id": method, "serial": serial})
        device = device_of(work, serial)
        if device is not None:
            device.update(assignedTo={"id": work.entra_id}, status="assigned")
        return {"method": method}

    def found(self, step: Step, work: Work, ctx: Context) -> dict[str, str]:
        method = _live(work).hardware(str(step.value))
        if method is not None:
            return {"method": str(method["id"])}
        found = device_id(work, str(step.value))
        return {"method": found} if found else {}

    def lookup(self, step: Step, work: Work) -> str | None:
        # The token exists (created, or found in place) but its inventory id is not known yet.
        created = work.progress.get("hw_create")
        known = device_id(work, str(step.value)) is not None
        return str(step.value) if created is not None and created.done and not known else None


def method_id(work: Work, serial: str) -> str | None:
    """The user's hardware method id for the token: journaled by ``hw_assign``, else from a read."""
    known = work.id_of("hw_assign", "method")
    if known:
        return known
    live = work.live
    method = live.hardware(serial) if live is not None else None
    return str(method["id"]) if method is not None else device_id(work, serial)


class HardwareActivate(Kind):
    """Activate the assigned token with a TOTP code computed now from its secret (beta)."""

    version = "beta"

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        serial = str(step.value)
        status = (device_of(work, serial) or {}).get("status") or (_live(work).hardware(serial) or {}).get(
            "status"
        )
        return IN_PLACE if status == "activated" else SEND

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        serial = str(step.value)
        code = totp(ctx.secret(work.username), ctx.time_step(work.username))
        body = {"verificationCode": code, "displayName": f"MFA Server token {serial}"}
        path = f"{auth_path(work)}/hardwareOathMethods/{method_id(work, serial)}/activate"
        return Request("POST", self.version, path, body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        serial = str(step.value)
        device = device_of(work, serial)
        if device is not None:
            device["status"] = "activated"
        method = _live(work).hardware(serial)
        if method is not None:
            method["status"] = "activated"
        return {}


class Default(Kind):
    """The default sign-in method (beta ``signInPreferences``)."""

    version = "beta"

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        live = _live(work)
        if live.preferred == step.value:
            return IN_PLACE
        kinds = {m["kind"] for m in live.methods}
        ours = work.step("hw_activate") is not None
        # Graph refuses a default the user has no method for; push/oath methods the utility creates
        # do not exist yet, so that default is the utility's to set.
        if work.utility and (
            (step.value == "push" and "authenticator" not in kinds)
            or (step.value == "oath" and not ours and not kinds & {"software_oath", "hardware_oath"})
        ):
            return Choice(Decision.HANDED_OFF, "handed_off", "the method is created by the utility")
        return SEND

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        body = {"userPreferredMethodForSecondaryAuthentication": step.value}
        return Request("PATCH", self.version, f"{auth_path(work)}/signInPreferences", body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        _live(work).preferred = step.value
        return {}


class HandoffGroup(Kind):
    """Add the user to the Migration Utility's migration group (``members/$ref``)."""

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        assert ctx.members is not None
        return IN_PLACE if work.entra_id in ctx.members else SEND

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        assert ctx.members is not None
        body = {"@odata.id": f"{ctx.graph_root}/v1.0/directoryObjects/{work.entra_id}"}
        return Request("POST", self.version, f"/groups/{ctx.members.group_id}/members/$ref", body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        assert ctx.members is not None
        ctx.members.add(work.entra_id)
        return {"group": ctx.members.group_id}

    def found(self, step: Step, work: Work, ctx: Context) -> dict[str, str]:
        assert ctx.members is not None
        return {"group": ctx.members.group_id}


#: Methods that keep working after the phone retirement date and that a user registers themselves
#: (passkeys are :attr:`LiveState.passkeys`: they use no device slot).
REGISTERED_KINDS = ("authenticator", "software_oath")
REGISTERED_NAMES = {"authenticator": "Microsoft Authenticator", "software_oath": "a software OATH token"}


def registered_methods(live: Any) -> list[str]:
    """What the user registered of the methods a re-registration campaign aims at, in words
    (Microsoft Authenticator, a software OATH token, a passkey); empty when none."""
    kinds = sorted({str(m.get("kind")) for m in live.methods if m.get("kind") in REGISTERED_KINDS})
    return [REGISTERED_NAMES[k] for k in kinds] + (["a passkey (FIDO2)"] if live.passkeys else [])


def registered(live: Any) -> bool:
    """Whether the user holds Microsoft Authenticator, a software OATH token or a passkey now (a
    re-registration campaign's aim)."""
    return bool(registered_methods(live))


class TemporaryAccessPass(Kind):
    """Issue a Temporary Access Pass for re-registration; the pass goes to ``--tap-out`` only.

    A pass is only useful if the operator has it, so "in place" means a TAP this batch delivered to the
    file. A TAP whose answer was lost (created, pass never received) cannot be read back: it is
    resolved ``lost`` and issued again, which replaces it (one TAP per user).
    """

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        if ctx.options.campaign and registered(_live(work)):
            return IN_PLACE  # a campaign's user who registered a new method since needs no pass
        return IN_PLACE if set(_live(work).taps) & ctx.delivered_taps else SEND

    def unknown_outcome(self, step: Step, work: Work, ctx: Context) -> str:
        if self.decide(step, work, ctx).decision is Decision.IN_PLACE:
            return "applied"
        return "lost" if _live(work).taps else "not_applied"

    def found(self, step: Step, work: Work, ctx: Context) -> dict[str, str]:
        ours = sorted(set(_live(work).taps) & ctx.delivered_taps)
        return {"method": ours[0]} if ours else {}

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        body: dict[str, Any] = {
            "lifetimeInMinutes": ctx.options.tap_lifetime_minutes,
            "isUsableOnce": ctx.options.tap_usable_once,
        }
        if ctx.options.tap_start:
            body["startDateTime"] = ctx.options.tap_start
        return Request("POST", self.version, f"{auth_path(work)}/temporaryAccessPassMethods", body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        assert ctx.deliver_tap is not None, "a run that issues passes has a --tap-out file"
        ctx.deliver_tap(work, body or {})  # written and synced before the answer is journaled
        method = str((body or {}).get("id"))
        ctx.delivered_taps.add(method)
        _live(work).taps.append(method)
        return {"method": method}


KINDS: dict[str, Kind] = {
    "phone": Phone(),
    "hw_create": HardwareCreate(),
    "hw_assign": HardwareAssign(),
    "hw_activate": HardwareActivate(),
    "default": Default(),
    "handoff_group": HandoffGroup(),
    "tap": TemporaryAccessPass(),
}
