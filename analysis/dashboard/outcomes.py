"""How plan actions and severities are coloured on screen (one place, so every chart and table agrees).

The actions' labels and tones come from the plan's vocabulary, :mod:`analysis.simulate.actions`; this
module maps tones and severities to colours.
"""

from __future__ import annotations

from analysis.simulate.actions import BY_ACTION

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

#: action -> (label, tone), from the plan's vocabulary (an action reads the same for every item).
ACTIONS: dict[str, tuple[str, str]] = {name: (a.label, a.tone) for name, a in BY_ACTION.items()}

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
