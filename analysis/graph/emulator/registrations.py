"""Users who register methods over time: the test hook behind a re-registration campaign's progress.

In a real tenant, users who were told to re-register open Microsoft Authenticator (or add a passkey,
or an authenticator app) some days later. A product that tracks campaign progress loads one snapshot
after another and counts who registered what. To test that end to end, the emulator makes chosen users
register chosen methods on cue:

* ``at``: at (or after) a wall-clock time (ISO 8601; without an offset, UTC);
* ``afterSeconds``: that many seconds after the registration was scheduled;
* ``afterReads``: once the user's list of methods was read that many more times (successful
  ``GET /users/{user}/authentication/methods``, v1.0 or beta, alone or in a ``$batch``; a snapshot reads
  it once per user): with ``afterReads: 1`` the first snapshot still shows the user without the method
  and the next one with it. Deterministic, so tests prefer it;
* none of them: at once.

A registration adds the method as Graph then lists it (``microsoftAuthenticator``, ``passkey`` (a
FIDO2 method), ``softwareOath``, ``windowsHelloForBusiness``), respects the 5-device limit (a refused
registration is kept with its reason), optionally makes it the default (``"default": true``: ``push``
for Authenticator, ``oath`` for software OATH), and uses up the user's one-time Temporary Access Pass
if one is usable (as signing in with it to register would).

Schedules come from ``--registrations FILE`` (JSON lines, one registration each) at start, or from
``POST /_emulator/test/register`` (with ``--test-hooks``); ``GET /_emulator/test/registrations`` reports
each one's status. Due registrations are applied before every Graph request and before a state read or
dump, under the state lock.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import UserError
from analysis.graph.emulator import tenantfiles
from analysis.graph.emulator.errors import GraphError
from analysis.graph.emulator.methods import (
    AUTHENTICATOR,
    FIDO2,
    HELLO,
    SOFTWARE_OATH,
    TAP,
    check_device_limit,
)
from analysis.graph.emulator.routes_tap import parse_time, usability
from analysis.graph.emulator.state import now_iso

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

METHODS = {
    "microsoftAuthenticator": AUTHENTICATOR,
    "passkey": FIDO2,
    "fido2": FIDO2,
    "softwareOath": SOFTWARE_OATH,
    "windowsHelloForBusiness": HELLO,
}
DEFAULT_VALUE = {AUTHENTICATOR: "push", SOFTWARE_OATH: "oath"}
KEYS = {"user", "method", "at", "afterSeconds", "afterReads", "default", "displayName"}


@dataclass
class Registration:
    """One user registering one method, and what became of it."""

    user_id: str
    upn: str
    method: str
    odata_type: str
    due_at: float | None = None  # epoch seconds
    after_reads: int | None = None
    reads_before: int = 0  # the user's method-list reads when this was scheduled
    default: bool = False
    display_name: str | None = None
    status: str = "pending"  # pending | registered | refused: <why>
    method_id: str | None = None
    registered_at: str | None = None

    def report(self) -> dict[str, Any]:
        return {
            "user": self.upn,
            "userId": self.user_id,
            "method": self.method,
            "status": self.status,
            "methodId": self.method_id,
            "registeredAt": self.registered_at,
            "afterReads": self.after_reads,
            "at": datetime.fromtimestamp(self.due_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if self.due_at
            else None,
        }


def parse_entry(emu: Emulator, entry: dict[str, Any]) -> Registration:
    """A registration from its JSON form; ValueError says what is wrong (the caller adds where)."""
    unknown = set(entry) - KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(KEYS))}")
    user = emu.state.user(str(entry.get("user") or ""))
    if user is None:
        raise ValueError(
            f"no user {entry.get('user')!r} in the tenant (give a userPrincipalName or object id)"
        )
    method = entry.get("method")
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    odata_type = METHODS[str(method)]
    reg = Registration(user["id"], str(user.get("userPrincipalName") or user["id"]), str(method), odata_type)
    timings = [key for key in ("at", "afterSeconds", "afterReads") if key in entry]
    if len(timings) > 1:
        raise ValueError(f"give at most one of at, afterSeconds, afterReads (got {', '.join(timings)})")
    if "at" in entry:
        when = parse_time(entry["at"])
        if when is None:
            raise ValueError(f"at {entry['at']!r} is not an ISO 8601 time, e.g. 2027-01-15T08:00:00Z")
        reg.due_at = when.timestamp()
    if "afterSeconds" in entry:
        seconds = entry["afterSeconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("afterSeconds must be a number of seconds, 0 or more")
        reg.due_at = time.time() + float(seconds)
    if "afterReads" in entry:
        reads = entry["afterReads"]
        if isinstance(reads, bool) or not isinstance(reads, int) or reads < 0:
            raise ValueError("afterReads must be a whole number, 0 or more")
        reg.after_reads = reads
    reg.default = entry.get("default") is True
    if reg.default and odata_type not in DEFAULT_VALUE:
        raise ValueError(
            f"a {method} cannot be the default method (only microsoftAuthenticator or softwareOath)"
        )
    name = entry.get("displayName")
    reg.display_name = str(name) if name is not None else None
    return reg


@dataclass
class Registrations:
    """The schedule of one emulator run (mutated under the state lock)."""

    items: list[Registration] = field(default_factory=list)
    reads: dict[str, int] = field(default_factory=dict)

    def load(self, emu: Emulator, path: Path) -> None:
        """``--registrations FILE``: one JSON object per line; errors name the line."""
        if not path.is_file():
            raise UserError(
                f"--registrations {path}: no such file; give a JSON-lines schedule (docs/emulator.md)."
            )
        for number, entry in tenantfiles.read_jsonl(path):
            try:
                self.items.append(parse_entry(emu, entry))
            except ValueError as exc:
                raise UserError(f"{path}, line {number}: {exc}.") from None

    def add(self, emu: Emulator, entry: dict[str, Any]) -> Registration:
        reg = parse_entry(emu, entry)
        reg.reads_before = self.reads.get(reg.user_id, 0)
        self.items.append(reg)
        self.apply_due(emu)
        return reg

    def note_read(self, emu: Emulator, user_ref: str) -> None:
        """A successful read of the user's methods: count it, then register what became due."""
        if not self.items:  # nothing scheduled yet: later schedules count from their own start
            return
        user = emu.state.user(user_ref)
        if user is None:
            return
        self.reads[user["id"]] = self.reads.get(user["id"], 0) + 1
        if any(r.status == "pending" and r.after_reads is not None for r in self.items):
            self.apply_due(emu)

    def apply_due(self, emu: Emulator) -> None:
        now = time.time()
        for reg in self.items:
            if reg.status != "pending":
                continue
            if (
                reg.after_reads is not None
                and self.reads.get(reg.user_id, 0) - reg.reads_before < reg.after_reads
            ):
                continue
            if reg.due_at is not None and now < reg.due_at:
                continue
            _register(emu, reg)


def _register(emu: Emulator, reg: Registration) -> None:
    user = emu.state.users[reg.user_id]
    name = reg.display_name or str(user.get("displayName") or reg.upn)
    method: dict[str, Any] = {"@odata.type": reg.odata_type, "id": str(uuid.uuid4())}
    if reg.odata_type == AUTHENTICATOR:
        method.update(
            displayName=reg.display_name or f"iPhone of {name}",
            deviceTag="SoftwareTokenActivated",
            phoneAppVersion="6.2501.0101",
            createdDateTime=now_iso(),
        )
    elif reg.odata_type == FIDO2:
        method.update(
            displayName=reg.display_name or "Passkey",
            createdDateTime=now_iso(),
            aaGuid="00000000-0000-0000-0000-000000000000",
            model=None,
            attestationCertificates=[],
            attestationLevel="notAttested",
        )
    elif reg.odata_type == SOFTWARE_OATH:
        method.update(secretKey=None)
    else:
        method.update(
            displayName=reg.display_name or f"PC of {name}", createdDateTime=now_iso(), keyStrength="normal"
        )
    if reg.odata_type in (AUTHENTICATOR, SOFTWARE_OATH):
        try:
            check_device_limit(user)
        except GraphError as exc:
            reg.status = f"refused: {exc.message}"
            return
    emu.state.methods_of(user).append(method)
    for tap in [m for m in emu.state.methods_of(user) if m.get("@odata.type") == TAP]:
        if tap.get("isUsableOnce") and usability(emu, tap)[0]:
            tap["lastUsedDateTime"] = now_iso()  # signing in with it to register used it up
    if reg.default:
        prefs = user.get("signInPreferences")
        if not isinstance(prefs, dict):
            prefs = user["signInPreferences"] = {"isSystemPreferredAuthenticationMethodEnabled": False}
        prefs["userPreferredMethodForSecondaryAuthentication"] = DEFAULT_VALUE[reg.odata_type]
    reg.status, reg.method_id, reg.registered_at = "registered", method["id"], now_iso()
    emu.state.changed = True
