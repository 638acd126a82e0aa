"""Device-code sign-in: pending codes, who approves them, and as which emulated user.

Entra's device flow: the client asks ``/devicecode`` for a code, shows the user code to a person and
polls ``/token``; Entra answers ``authorization_pending`` until the person signed in at the
verification page (or ``authorization_declined`` / ``expired_token``). The emulator has no person and
no page, so a test decides:

* ``auto`` approval (the default): the first ``pending_polls`` polls are pending, then the code is
  approved as the configured sign-in identity (``--sign-in-as USER``; without it a fixed emulator
  admin who is not a user of the tenant).
* ``manual`` approval (``--device-approval manual``): codes stay pending until a test approves one as a
  chosen user, or declines it, through the test-hook endpoints (``/_emulator/test/device-codes``).

The device code itself is a bearer secret: it is never listed, logged or returned by the hooks;
tests name a pending sign-in by its user code, as a person would.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

ADMIN_OID = "00000000-0000-0000-0000-0000000ad111"
USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LIFETIME = 900


@dataclass(frozen=True)
class Identity:
    """The person a delegated token is for: what the ID token and the access token say about them."""

    oid: str
    upn: str
    name: str

    @classmethod
    def of_user(cls, user: dict[str, Any]) -> Identity:
        upn = str(user.get("userPrincipalName") or user["id"])
        return cls(oid=str(user["id"]), upn=upn, name=str(user.get("displayName") or upn))


EMULATOR_ADMIN = Identity(ADMIN_OID, "emulator.admin@emulator.invalid", "Emulator Admin")


class FlowError(Exception):
    """The OAuth answer for a poll that does not get a token: (error, AADSTS code, description)."""

    def __init__(self, error: str, aadsts: int, description: str) -> None:
        super().__init__(error)
        self.error, self.aadsts, self.description = error, aadsts, description


@dataclass
class _Flow:
    client_id: str
    scopes: frozenset[str]
    user_code: str
    expires_at: float
    polls: int = 0
    approved_as: Identity | None = None
    declined: bool = False


@dataclass
class DeviceFlows:
    """The pending device-code sign-ins of one emulator run (thread-safe)."""

    pending_polls: int = 1
    manual: bool = False
    sign_in_as: Identity = EMULATOR_ADMIN
    _flows: dict[str, _Flow] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, client_id: str, scopes: frozenset[str]) -> tuple[str, str]:
        """A new flow: (device_code, user_code)."""
        device_code = secrets.token_urlsafe(32)
        user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(9))
        with self._lock:
            self._flows[device_code] = _Flow(client_id, scopes, user_code, time.time() + LIFETIME)
        return device_code, user_code

    def poll(self, device_code: str) -> tuple[str, frozenset[str], Identity]:
        """(client_id, scopes, identity) once approved; :class:`FlowError` while not."""
        with self._lock:
            flow = self._flows.get(device_code)
            if flow is None:
                raise FlowError("invalid_grant", 70000, "Provided grant is invalid or malformed.")
            if flow.expires_at < time.time():
                del self._flows[device_code]
                raise FlowError("expired_token", 70019, "Verification code expired.")
            if flow.declined:
                del self._flows[device_code]
                raise FlowError("authorization_declined", 70000, "The user declined the sign-in request.")
            flow.polls += 1
            if flow.approved_as is None and not self.manual and flow.polls > self.pending_polls:
                flow.approved_as = self.sign_in_as
            if flow.approved_as is None:
                raise FlowError(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
            del self._flows[device_code]
            return flow.client_id, flow.scopes, flow.approved_as

    def pending(self) -> list[dict[str, Any]]:
        """The sign-ins waiting for a person (user code, client, scopes, polls); never the device code."""
        now = time.time()
        with self._lock:
            return [
                {
                    "user_code": flow.user_code,
                    "client_id": flow.client_id,
                    "scopes": sorted(flow.scopes),
                    "polls": flow.polls,
                    "expires_in": int(flow.expires_at - now),
                }
                for flow in self._flows.values()
                if flow.expires_at >= now and flow.approved_as is None and not flow.declined
            ]

    def decide(self, user_code: str, identity: Identity | None) -> None:
        """Approve the pending sign-in with this user code as ``identity``, or decline it (None)."""
        with self._lock:
            for flow in self._flows.values():
                if flow.user_code == user_code.strip().upper() and flow.approved_as is None:
                    if identity is None:
                        flow.declined = True
                    else:
                        flow.approved_as = identity
                    return
        raise ValueError(f"no pending device-code sign-in with user code {user_code!r}")
