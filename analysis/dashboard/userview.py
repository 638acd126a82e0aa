"""The per-user comparison the Migration Utility's *View* window shows, plus what the plan will do.

Rows are the utility's attributes (default method, phone, alternate, office, devices, OATH token);
columns are MFA Server, Entra now and Entra after the plan. Pure pandas over one user's rows, so it is
tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.dashboard import outcomes

METHOD_NAMES = {
    "phone_call": "Phone call",
    "text_message": "Text message",
    "mobile_app": "Mobile app",
    "oath_token": "OATH token",
}
MODE_NAMES = {
    "standard": "standard",
    "pin": "PIN",
    "otp": "one-time passcode",
    "otp_pin": "one-time passcode + PIN",
    "one_way": "one-way",
    "two_way": "two-way",
}
ENTRA_DEFAULTS = {
    "push": "Authenticator notification",
    "oath": "OATH code",
    "sms": "Text message",
    "voiceMobile": "Call mobile",
    "voiceAlternateMobile": "Call alternate mobile",
    "voiceOffice": "Call office",
}
ROWS = [
    "Default method",
    "Mobile phone",
    "Alternate phone",
    "Office phone",
    "Authenticator app",
    "OATH token",
]
DASH = "—"
Shown = Callable[[Any], Any]  # how a phone number is shown (masked, or in full)


def _as_is(value: Any) -> Any:
    return value


def _present(v: Any) -> bool:
    """Neither None, NaN/NA nor blank (the simulator's 'present', docs/simulate.md)."""
    if v is None:
        return False
    try:
        if pd.isna(v):
            return False
    except (TypeError, ValueError):  # list-likes are never NA
        pass
    return str(v).strip() != ""


def _true(v: Any) -> bool:
    return _present(v) and bool(v)


def _s(v: Any) -> str:
    return str(v).strip() if _present(v) else ""


def _number(graph: Any, cc: Any, raw: Any, ext: Any, valid: Any, error: Any, number: Shown) -> str:
    shown = (
        number(_s(graph))
        if _present(graph)
        else " ".join(x for x in (f"+{_s(cc).lstrip('+')}" if _present(cc) else "", number(_s(raw))) if x)
    )
    if _present(ext):
        shown += f" x{_s(ext)}"
    if _present(valid) and not _true(valid):
        shown += f" (invalid: {_s(error) or 'not a valid number'})"
    return shown


def mfa_method(u: pd.Series) -> str:
    method = _s(u.get("method"))
    name = METHOD_NAMES.get(method, method or DASH)
    mode_key = {"phone_call": "phone_mode", "text_message": "text_mode", "mobile_app": "app_mode"}.get(method)
    detail = (
        [MODE_NAMES.get(_s(u.get(mode_key)), _s(u.get(mode_key)))]
        if mode_key and _present(u.get(mode_key))
        else []
    )
    if method == "text_message" and _present(u.get("text_direction")):
        detail.append(MODE_NAMES.get(_s(u.get("text_direction")), _s(u.get("text_direction"))))
    return f"{name} ({', '.join(detail)})" if detail else name


def _mfa_slots(u: pd.Series, number: Shown) -> dict[str, str]:
    """Where the utility would put each MFA Server phone: extension → office, else mobile / alternate."""
    slots = {"Mobile phone": "", "Alternate phone": "", "Office phone": ""}
    if _present(u.get("phone")):
        text = _number(
            u.get("phone_graph"),
            u.get("country_code"),
            u.get("phone"),
            u.get("extension"),
            u.get("phone_valid"),
            u.get("phone_error"),
            number,
        )
        slots["Office phone" if _present(u.get("extension")) else "Mobile phone"] = text + " (phone)"
    if _present(u.get("backup_phone")):
        text = _number(
            u.get("backup_graph"),
            u.get("backup_country_code"),
            u.get("backup_phone"),
            u.get("backup_extension"),
            u.get("backup_valid"),
            u.get("backup_error"),
            number,
        )
        key = "Office phone" if _present(u.get("backup_extension")) else "Alternate phone"
        slots[key] = "; ".join(x for x in (slots[key], text + " (backup)") if x)
    return slots


def _entra_phone(methods: pd.DataFrame, phone_type: str, number: Shown) -> str:
    rows = methods[(methods["kind"] == "phone") & (methods["phone_type"] == phone_type)]
    return "; ".join(number(_s(n)) for n in rows["phone_number"]) if not rows.empty else ""


def _count(methods: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    return methods[methods["kind"].isin(kinds)]


def _plan_phone(plan: pd.DataFrame, slot: str, number: Shown) -> str:
    """What the plan writes into an Entra phone slot ('' when it leaves the slot alone)."""
    parts = []
    for _, r in plan[plan["item"].isin(["phone", "backup_phone"])].iterrows():
        action = _s(r["action"])
        target = {
            "write_mobile": "Mobile phone",
            "write_mobile_drop_extension": "Mobile phone",
            "write_alternate": "Alternate phone",
            "write_office": "Office phone",
        }.get(action)
        if target == slot:
            parts.append(f"{number(_s(r['value']))} ({outcomes.label(action).lower()})")
    return "; ".join(parts)


def side_by_side(detail: dict[str, pd.DataFrame], number: Shown = _as_is) -> pd.DataFrame:
    """One row per View attribute: MFA Server, Entra now, Entra after the plan.

    ``number`` shows each phone number (the dashboard masks them unless the viewer revealed them)."""
    mfa, devices, entra, methods, plan = (detail[k] for k in ("mfa", "devices", "entra", "methods", "plan"))
    u = mfa.iloc[0]
    e = entra.iloc[0] if not entra.empty else pd.Series(dtype=object)
    matched = not entra.empty
    slots = _mfa_slots(u, number)
    now: dict[str, str] = {}
    after: dict[str, str] = {}

    # default method
    pref = _s(e.get("preferred_method"))
    now["Default method"] = ENTRA_DEFAULTS.get(pref, pref)
    if _true(e.get("system_preferred_enabled")):
        now["Default method"] = (
            now["Default method"] + " · " if now["Default method"] else ""
        ) + "system-preferred on"
    drow = plan[plan["item"] == "default_method"]
    if not drow.empty:
        action, value = _s(drow.iloc[0]["action"]), _s(drow.iloc[0]["value"])
        shown = ENTRA_DEFAULTS.get(value, value)
        after["Default method"] = (
            f"{shown} ({outcomes.label(action).lower()})" if shown else outcomes.label(action)
        )

    # phones
    for slot, ptype in (
        ("Mobile phone", "mobile"),
        ("Alternate phone", "alternateMobile"),
        ("Office phone", "office"),
    ):
        now[slot] = _entra_phone(methods, ptype, number) if matched else ""
        written = _plan_phone(plan, slot, number)
        if written:
            after[slot] = written

    # devices
    names = [f"{_s(r['device_name']) or '(no name)'}" for _, r in devices.iterrows()]
    mfa_devices = f"{len(names)}: " + ", ".join(names) if names else ""
    auth = _count(methods, ("authenticator",))
    now["Authenticator app"] = (
        (f"{len(auth)}: " + ", ".join(_s(n) or "(no name)" for n in auth["display_name"]))
        if len(auth)
        else ""
    )
    dplan = plan[plan["item"] == "device"]
    if not dplan.empty:
        counts = dplan["action"].value_counts()
        after["Authenticator app"] = ", ".join(f"{n} {outcomes.label(a).lower()}" for a, n in counts.items())

    # OATH
    oath_text = ""
    if _present(u.get("oath_serial")):
        kind = _s(u.get("oath_kind")).upper() or "?"
        step = f", {int(u['oath_time_step'])} s" if _present(u.get("oath_time_step")) else ""
        secret = "secret on file" if _true(u.get("oath_has_secret")) else "no secret"
        oath_text = f"{_s(u['oath_serial'])} ({kind}{step}, {secret})"
    tokens = _count(methods, ("hardware_oath", "software_oath"))
    now["OATH token"] = ", ".join(f"{k.replace('_', ' ')}" for k in tokens["kind"]) if len(tokens) else ""
    oplan = plan[plan["item"] == "oath_token"]
    if not oplan.empty:
        after["OATH token"] = outcomes.label(_s(oplan.iloc[0]["action"]))

    mfa_col = {
        "Default method": mfa_method(u),
        **slots,
        "Authenticator app": mfa_devices,
        "OATH token": oath_text,
    }
    user_rows = plan[plan["item"] == "user"]
    user_action = _s(user_rows.iloc[0]["action"]) if not user_rows.empty else ""
    untouched = "unchanged" if user_action in ("", "migrate") else "no change: user not migrated"
    rows = []
    for row in ROWS:
        current = now.get(row, "") if matched else "(no Entra user)"
        rows.append(
            {
                "": row,
                "MFA Server": mfa_col.get(row) or DASH,
                "Entra now": current or DASH,
                "After the plan": after.get(row) or (untouched if matched else DASH),
            }
        )
    return pd.DataFrame(rows)
