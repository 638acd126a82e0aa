"""The plan's vocabulary: every (item, action) a plan row can hold, defined once.

Each entry says who carries it out (``writable``), how the dashboard names and colours it (``label``,
``tone``), which kind of executor step writes it (``step``, with the Graph ``phone_type`` for phones), and
the base sentence of its ``reason`` (each simulator stage appends the user-specific detail after ": ").
The simulator loads this table into SQL (``sim_actions``, queries/simulate/actions.sql), the dashboard
reads labels and tones from it, and the executor turns rows into steps with it; so an action added here
is known to all three, and nothing else lists actions.

``writable``:
  ``graph``   this tool writes it through Microsoft Graph (phones, hardware OATH via beta, the default
              method via beta signInPreferences);
  ``utility`` only Microsoft's MFA Server Migration Utility can do it (Authenticator devices, software
              OATH, updates of methods matched by secret, which Graph cannot see or write);
  ``none``    nothing to write (user rows, noop, keep, skips, failures, unknown).

``tone``: ``ok`` (will be written or is already right), ``info`` (nothing to do), ``neutral`` (left out
by choice), ``warn`` (written, but something is lost or duplicated, or not predictable), ``bad`` (will
not be migrated; needs an admin).

``step`` (what the executor does for a ``graph`` or ``utility`` row): ``phone`` (write the phone
method of type ``phone_type``), ``hardware_oath`` (create, assign and activate the token), ``default``
(set signInPreferences), ``handoff`` (leave it to the utility: migration group or re-registration);
``None`` for rows with nothing to carry out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Writable = Literal["graph", "utility", "none"]
Tone = Literal["ok", "info", "neutral", "warn", "bad"]
StepKind = Literal["phone", "hardware_oath", "default", "handoff"]

#: Items in plan order.
ITEMS: tuple[str, ...] = ("user", "phone", "backup_phone", "device", "oath_token", "default_method")


@dataclass(frozen=True)
class PlanAction:
    """One (item, action) of the plan and everything the product says and does about it."""

    item: str
    action: str
    writable: Writable
    label: str
    tone: Tone
    reason: str
    step: StepKind | None = None
    phone_type: str | None = None  # Graph's phoneType for a ``phone`` step: mobile | alternateMobile | office


def _user(action: str, label: str, tone: Tone, reason: str) -> PlanAction:
    return PlanAction("user", action, "none", label, tone, reason)


def _phone(item: str, action: str, phone_type: str, label: str, tone: Tone, reason: str) -> PlanAction:
    return PlanAction(item, action, "graph", label, tone, reason, "phone", phone_type)


def _utility(item: str, action: str, label: str, tone: Tone, reason: str) -> PlanAction:
    return PlanAction(item, action, "utility", label, tone, reason, "handoff")


def _nothing(item: str, action: str, label: str, tone: Tone, reason: str) -> PlanAction:
    return PlanAction(item, action, "none", label, tone, reason)


_NOOP_PHONE = "Entra already holds this number in that slot"
_OFFICE = "Write as the office phone (it has an extension)"
_INVALID_NUMBER = "Not a valid phone number, so it is not migrated"
_DEVICE_LIMIT = "Skipped: no free slot under the device limit"

#: Every (item, action), in plan order.
ACTIONS: tuple[PlanAction, ...] = (
    _user("unmatched", "No Entra user found", "bad", "No Entra user matches this MFA Server user"),
    _user("ambiguous", "Ambiguous match", "bad", "The match is ambiguous, so the user is not migrated"),
    _user(
        "user_disabled",
        "Disabled on MFA Server",
        "neutral",
        "Disabled in MFA Server and disabled users are skipped",
    ),
    _user("out_of_scope", "Not in the migration group", "neutral", "Not in the migration group"),
    _user(
        "unchanged",
        "Unchanged since last migration",
        "info",
        "Unchanged since the last migration with the same selection",
    ),
    _user("migrate", "Will migrate", "ok", "Will be migrated"),
    # ---------------------------------------------------------------- phone
    _phone("phone", "write_mobile", "mobile", "Write mobile phone", "ok", "Write as the mobile phone"),
    _phone(
        "phone",
        "write_mobile_drop_extension",
        "mobile",
        "Write mobile, extension dropped",
        "warn",
        "Write as the mobile phone without its extension (default method is text message)",
    ),
    _phone("phone", "write_office", "office", "Write office phone", "ok", _OFFICE),
    _nothing("phone", "noop", "Already in Entra", "info", _NOOP_PHONE),
    _nothing("phone", "invalid_number", "Invalid number", "bad", _INVALID_NUMBER),
    _nothing(
        "phone",
        "invalid_extension",
        "Invalid extension",
        "bad",
        "The extension has characters other than digits, so the phone is not migrated",
    ),
    # ---------------------------------------------------------------- backup phone
    _phone(
        "backup_phone",
        "write_alternate",
        "alternateMobile",
        "Write alternate phone",
        "ok",
        "Write as the alternate mobile phone",
    ),
    _phone("backup_phone", "write_office", "office", "Write office phone", "ok", _OFFICE),
    _nothing("backup_phone", "noop", "Already in Entra", "info", _NOOP_PHONE),
    _nothing("backup_phone", "invalid_number", "Invalid number", "bad", _INVALID_NUMBER),
    _nothing(
        "backup_phone",
        "invalid_extension",
        "Invalid extension",
        "bad",
        "The extension has characters other than digits, so the backup phone is not migrated",
    ),
    _nothing(
        "backup_phone",
        "skip_both_extensions",
        "Skipped: both phones have extensions",
        "bad",
        "Skipped: phone and backup phone both have an extension",
    ),
    _nothing(
        "backup_phone",
        "fail_alternate_requires_mobile",
        "Alternate needs a mobile phone",
        "bad",
        "Will fail: Entra refuses an alternate mobile phone when the user has no mobile phone",
    ),
    # ---------------------------------------------------------------- Authenticator devices
    _utility(
        "device",
        "create_device",
        "Create Authenticator device",
        "ok",
        "The utility creates this Authenticator device",
    ),
    _utility(
        "device",
        "update_device",
        "Update Authenticator device",
        "ok",
        "The utility updates the Entra device whose OATH secret matches (ledger)",
    ),
    _utility(
        "device",
        "create_software_oath",
        "Create software OATH (duplicate)",
        "warn",
        "The utility creates a software OATH token for the device whose token matches (ledger)",
    ),
    _nothing(
        "device",
        "skip_duplicate_name",
        "Skipped: duplicate device name",
        "warn",
        "Skipped: a newer device has the same name",
    ),
    _nothing(
        "device",
        "skip_over_max",
        "Skipped: over 5 devices",
        "bad",
        "Skipped: over the utility's per-user device maximum",
    ),
    _nothing("device", "skip_device_limit", "Skipped: Entra device limit", "bad", _DEVICE_LIMIT),
    _nothing(
        "device",
        "unknown",
        "Unknown (the CSV has no device/token data)",
        "warn",
        "Unknown: the Export Users CSV carries no mobile-app devices; load the datafile to predict them",
    ),
    # ---------------------------------------------------------------- OATH token
    PlanAction(
        "oath_token",
        "create_hardware_oath",
        "graph",
        "Create hardware OATH token",
        "ok",
        "Create the hardware OATH token (Graph beta)",
        "hardware_oath",
    ),
    _utility(
        "oath_token",
        "update_oath",
        "Update hardware OATH token",
        "ok",
        "The utility updates the Entra token whose secret matches (ledger)",
    ),
    _nothing(
        "oath_token",
        "unsupported_hotp",
        "HOTP token not supported",
        "bad",
        "Not migrated: Entra supports TOTP tokens only, this one is HOTP",
    ),
    _nothing(
        "oath_token",
        "missing_secret",
        "Token secret missing",
        "bad",
        "Not migrated: the token has no secret in MFA Server",
    ),
    _nothing("oath_token", "skip_device_limit", "Skipped: Entra device limit", "bad", _DEVICE_LIMIT),
    _nothing(
        "oath_token",
        "unknown",
        "Unknown (the CSV has no device/token data)",
        "warn",
        "Unknown: the Export Users CSV carries no OATH secrets; load the datafile to predict this token",
    ),
    # ---------------------------------------------------------------- default method
    PlanAction(
        "default_method",
        "set_default",
        "graph",
        "Set default method",
        "ok",
        "Set the default method",
        "default",
    ),
    PlanAction(
        "default_method",
        "set_default_fallback",
        "graph",
        "Default set to a fallback",
        "warn",
        "Set a fallback default method",
        "default",
    ),
    _nothing(
        "default_method",
        "keep_default",
        "Keep Entra's default",
        "info",
        "Keep the default method Entra already has",
    ),
    _nothing("default_method", "noop", "Already in Entra", "info", "Entra already has this default method"),
    _nothing(
        "default_method",
        "no_default",
        "No default method possible",
        "bad",
        "No default method can be set: nothing available and allowed",
    ),
    _nothing(
        "default_method",
        "unknown",
        "Unknown (the CSV has no device/token data)",
        "warn",
        "Unknown: the choice depends on devices or OATH tokens the Export Users CSV does not carry",
    ),
)

_BY_KEY: dict[tuple[str, str], PlanAction] = {(a.item, a.action): a for a in ACTIONS}
#: One entry per action name (the first item's): an action's label and tone are the same for every item
#: (tests/simulate/test_actions.py), so screens that show an action without its item can use these.
BY_ACTION: dict[str, PlanAction] = {}
for _entry in ACTIONS:
    BY_ACTION.setdefault(_entry.action, _entry)


def lookup(item: str, action: str) -> PlanAction | None:
    """The vocabulary entry of one plan row, or None for a pair the simulator never writes."""
    return _BY_KEY.get((item, action))


def with_step(step: StepKind) -> tuple[PlanAction, ...]:
    """Every entry whose rows the executor carries out with a ``step`` of this kind."""
    return tuple(a for a in ACTIONS if a.step == step)


def sql_params() -> dict[str, list[str]]:
    """The vocabulary as column lists, the parameters of queries/simulate/actions.sql."""
    return {
        "item": [a.item for a in ACTIONS],
        "action": [a.action for a in ACTIONS],
        "writable": [a.writable for a in ACTIONS],
        "reason": [a.reason for a in ACTIONS],
    }
