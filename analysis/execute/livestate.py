"""A user's live Entra state, in the canonical shape the plan's assumptions are stored in.

The executor re-reads every user before writing (docs/executing.md) and compares what it reads with what the
plan assumed (``batch_users.assumed``, built in SQL from the tenant snapshot by
``queries/execute/freeze_users.sql``). Both sides use the same shape::

    {"mobile": "+44 7700900123" | null, "alternateMobile": ..., "office": "+1 4255550100x12" | null,
     "preferred": "sms" | null,
     "methods": [{"kind": "authenticator" | "software_oath" | "hardware_oath", "id": "..."}, ...]}

Only what the plan depends on is compared: the three phone slots, the preferred method, and the
methods that use one of the five device slots. Phone numbers compare without spaces, case-insensitive
(Graph echoes the number as it was written, ``+44 7700900123x12``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from analysis.graph.constants import (
    AUTHENTICATOR_METHOD,
    FIDO2_METHOD,
    HARDWARE_OATH_METHOD,
    PHONE_METHOD,
    PHONE_TYPES,
    SOFTWARE_OATH_METHOD,
    TAP_METHOD,
)

#: The methods that use one of a user's five device slots, by the kind the plan calls them.
SLOT_KINDS = {
    AUTHENTICATOR_METHOD: "authenticator",
    SOFTWARE_OATH_METHOD: "software_oath",
    HARDWARE_OATH_METHOD: "hardware_oath",
}


def norm_phone(number: str | None) -> str | None:
    """``'+44 7700900123X12'`` → ``'+447700900123x12'``; None stays None."""
    if number is None:
        return None
    text = re.sub(r"\s+", "", str(number)).lower()
    return text or None


@dataclass
class LiveState:
    """What one read of a user returned (methods, sign-in preferences, and group/inventory facts)."""

    phones: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(PHONE_TYPES))
    preferred: str | None = None
    methods: list[dict[str, Any]] = field(default_factory=list)  # slot methods: kind, id, serial?
    taps: list[str] = field(default_factory=list)  # ids of Temporary Access Pass methods
    # ids of passkeys (FIDO2): no device slot and never in the plan's assumptions, but what a
    # re-registration campaign may have led a user to register
    passkeys: list[str] = field(default_factory=list)

    @classmethod
    def from_graph(
        cls,
        methods: list[dict[str, Any]],
        prefs: dict[str, Any] | None,
        hardware: list[dict[str, Any]] | None = None,
    ) -> LiveState:
        """Build from ``/authentication/methods``, ``signInPreferences`` and, optionally, the user's
        ``hardwareOathMethods?$expand=device`` (which names each token's serial number and status)."""
        state = cls()
        devices = {str(h.get("id")): h.get("device") or {} for h in hardware or []}
        for method in methods:
            otype = method.get("@odata.type")
            if otype == PHONE_METHOD:
                ptype = method.get("phoneType")
                if ptype in state.phones:
                    state.phones[ptype] = method.get("phoneNumber")
            elif otype in SLOT_KINDS:
                entry: dict[str, Any] = {"kind": SLOT_KINDS[otype], "id": str(method.get("id"))}
                device = devices.get(entry["id"]) or method.get("device") or {}
                serial = method.get("serialNumber") or device.get("serialNumber")
                if serial:
                    entry["serial"] = str(serial)
                status = method.get("status") or device.get("status")
                if status:
                    entry["status"] = status
                state.methods.append(entry)
            elif otype == TAP_METHOD:
                state.taps.append(str(method.get("id")))
            elif otype == FIDO2_METHOD:
                state.passkeys.append(str(method.get("id")))
        state.methods.sort(key=lambda m: (m["kind"], m["id"]))
        value = (prefs or {}).get("userPreferredMethodForSecondaryAuthentication")
        state.preferred = value if isinstance(value, str) and value.strip() else None
        return state

    @classmethod
    def from_canonical(cls, state: dict[str, Any]) -> LiveState:
        """The state :meth:`canonical` describes (what a plan assumed): to decide steps without a read."""
        live = cls(preferred=state.get("preferred"))
        for ptype in PHONE_TYPES:
            live.phones[ptype] = state.get(ptype)
        live.methods = [{"kind": m["kind"], "id": m["id"]} for m in state.get("methods") or []]
        return live

    def canonical(self) -> dict[str, Any]:
        """The shape stored as a before-image and compared with ``batch_users.assumed``."""
        return {
            "mobile": self.phones.get("mobile"),
            "alternateMobile": self.phones.get("alternateMobile"),
            "office": self.phones.get("office"),
            "preferred": self.preferred,
            "methods": [{"kind": m["kind"], "id": m["id"]} for m in self.methods],
        }

    def to_json(self) -> str:
        return json.dumps(self.canonical(), sort_keys=True)

    def hardware(self, serial: str) -> dict[str, Any] | None:
        """The user's hardware OATH method for ``serial`` (when Graph names the serial)."""
        return next(
            (m for m in self.methods if m["kind"] == "hardware_oath" and m.get("serial") == serial), None
        )


@dataclass(frozen=True)
class Expectations:
    """What this batch itself may change for one user, so its own writes are not mistaken for drift."""

    phones: dict[str, str]  # phone type -> number the batch writes
    preferred: str | None  # method the batch sets as default
    hardware_serials: frozenset[str]  # tokens the batch creates
    utility: bool  # devices / software OATH handed to Microsoft's utility (it may add them any time)


def drift(assumed: dict[str, Any], live: LiveState, expect: Expectations) -> list[str]:
    """Why the live state differs from what the plan assumed (empty = no drift).

    A value counts as expected when it is what the plan assumed *or* what this batch writes there: a
    resumed run sees its own earlier writes, and a value someone else already set to exactly the
    planned one changes nothing the plan decided.
    """
    reasons: list[str] = []
    for ptype in PHONE_TYPES:
        now = norm_phone(live.phones.get(ptype))
        allowed = {norm_phone(assumed.get(ptype))}
        if ptype in expect.phones:
            allowed.add(norm_phone(expect.phones[ptype]))
        if now not in allowed:
            was = assumed.get(ptype) or "none"
            reasons.append(f"{ptype} phone is {live.phones.get(ptype) or 'none'} (plan assumed {was})")
    allowed_pref = {assumed.get("preferred")}
    if expect.preferred:
        allowed_pref.add(expect.preferred)
    if live.preferred not in allowed_pref:
        was = assumed.get("preferred") or "unset"
        reasons.append(f"default method is {live.preferred or 'unset'} (plan assumed {was})")
    assumed_methods = {(m["kind"], m["id"]) for m in assumed.get("methods") or []}
    live_methods = {(m["kind"], m["id"]) for m in live.methods}
    gone = assumed_methods - live_methods
    if gone:
        reasons.append(f"{len(gone)} authenticator/OATH method(s) the plan counted were removed")
    extra = [m for m in live.methods if (m["kind"], m["id"]) not in assumed_methods]
    unexplained = []
    for m in extra:
        if (
            m["kind"] == "hardware_oath"
            and expect.hardware_serials
            and (m.get("serial") in expect.hardware_serials or m.get("serial") is None)
        ):
            continue
        if m["kind"] in ("authenticator", "software_oath") and expect.utility:
            continue
        unexplained.append(m)
    if unexplained:
        reasons.append(f"{len(unexplained)} authenticator/OATH method(s) were added since the plan was made")
    return reasons
