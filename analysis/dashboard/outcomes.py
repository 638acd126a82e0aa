"""How plan actions are named and coloured on screen (one place, so every chart and table agrees).

Tones: ``ok`` (will be written or already right), ``info`` (nothing to do), ``warn`` (written, but
something is lost or duplicated), ``bad`` (will not be migrated; needs an admin).
"""

from __future__ import annotations

TONE_COLOURS = {
    "ok": "#2e7d32",
    "info": "#5c6bc0",
    "neutral": "#9e9e9e",
    "warn": "#f9a825",
    "bad": "#c62828",
}

SEVERITY_COLOURS = {
    "blocker": "#8e0000",
    "critical": "#8e0000",
    "error": "#c62828",
    "high": "#c62828",
    "warning": "#f9a825",
    "medium": "#f9a825",
    "low": "#5c6bc0",
    "info": "#5c6bc0",
}
SEVERITY_ORDER = ["blocker", "critical", "error", "high", "warning", "medium", "low", "info"]

# action -> (label, tone)
ACTIONS: dict[str, tuple[str, str]] = {
    # users
    "migrate": ("Will migrate", "ok"),
    "unchanged": ("Unchanged since last migration", "info"),
    "out_of_scope": ("Not in the migration group", "neutral"),
    "user_disabled": ("Disabled on MFA Server", "neutral"),
    "unmatched": ("No Entra user found", "bad"),
    "ambiguous": ("Ambiguous match", "bad"),
    # phones
    "write_mobile": ("Write mobile phone", "ok"),
    "write_office": ("Write office phone", "ok"),
    "write_alternate": ("Write alternate phone", "ok"),
    "write_mobile_drop_extension": ("Write mobile, extension dropped", "warn"),
    "skip_both_extensions": ("Skipped: both phones have extensions", "bad"),
    "invalid_number": ("Invalid number", "bad"),
    "invalid_extension": ("Invalid extension", "bad"),
    "fail_alternate_requires_mobile": ("Alternate needs a mobile phone", "bad"),
    # devices and tokens
    "create_device": ("Create Authenticator device", "ok"),
    "update_device": ("Update Authenticator device", "ok"),
    "create_software_oath": ("Create software OATH (duplicate)", "warn"),
    "skip_duplicate_name": ("Skipped: duplicate device name", "warn"),
    "skip_over_max": ("Skipped: over 5 devices", "bad"),
    "skip_device_limit": ("Skipped: Entra device limit", "bad"),
    "create_hardware_oath": ("Create hardware OATH token", "ok"),
    "update_oath": ("Update hardware OATH token", "ok"),
    "unsupported_hotp": ("HOTP token not supported", "bad"),
    "missing_secret": ("Token secret missing", "bad"),
    # default method
    "set_default": ("Set default method", "ok"),
    "set_default_fallback": ("Default set to a fallback", "warn"),
    "keep_default": ("Keep Entra's default", "info"),
    "no_default": ("No default method possible", "bad"),
    # shared
    "noop": ("Already in Entra", "info"),
    "unknown": ("Unknown (the CSV has no device/token data)", "warn"),
}

ITEM_LABELS = {
    "user": "User",
    "phone": "Phone",
    "backup_phone": "Backup phone",
    "device": "Authenticator device",
    "oath_token": "OATH token",
    "default_method": "Default method",
}


def label(action: str) -> str:
    if not isinstance(action, str):  # a missing value (None / NaN)
        return ""
    return ACTIONS.get(action, (action.replace("_", " ").capitalize(), "neutral"))[0]


def tone(action: str) -> str:
    return ACTIONS.get(action, ("", "neutral"))[1]


def colour(action: str) -> str:
    return TONE_COLOURS[tone(action)]


def severity_colour(severity: str) -> str:
    return SEVERITY_COLOURS.get(severity.lower(), TONE_COLOURS["neutral"])


def severity_rank(severity: str) -> int:
    s = severity.lower()
    return SEVERITY_ORDER.index(s) if s in SEVERITY_ORDER else len(SEVERITY_ORDER)
