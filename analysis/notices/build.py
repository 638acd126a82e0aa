"""Build the notices: one row per user with what changes, what to do and by when, and the three phase
texts rendered from the templates; and the helpdesk forecast per wave.

The facts come from the workspace (``queries/notices/notices.sql`` over ``users_after_plan``): a batch's
frozen rows for ``--batch``, the current plan for ``--tier``. Phone numbers are masked before they reach
a template unless the operator asked for them in full, so no notice text can leak a number the rest of
the output hides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from analysis.errors import UserError
from analysis.notices.settings import NoticeSettings
from analysis.notices.templates import PHASES, Templates
from analysis.output.masking import mask_number
from analysis.readiness import afterdate
from analysis.readiness.retirement import Retirement
from analysis.sqlfiles import sql

PHONE_LABELS = {
    "mobile": "mobile phone",
    "alternateMobile": "alternate mobile phone",
    "office": "office phone",
}
DEFAULT_LABELS = {
    "push": "Microsoft Authenticator notification",
    "oath": "verification code (app or token)",
    "sms": "text message (SMS)",
    "voiceMobile": "phone call to your mobile",
    "voiceAlternateMobile": "phone call to your alternate mobile",
    "voiceOffice": "phone call to your office phone",
}
PHONE_DEFAULTS = frozenset({"sms", "voiceMobile", "voiceAlternateMobile", "voiceOffice"})
COLUMNS: tuple[str, ...] = (
    "wave", "upn", "username", "language", "tier", "phones_written", "devices_to_register",
    "default_method", "must_register", "what_to_do", "deadline",
    *(f"{p}_{c}" for p in PHASES for c in ("date", "subject", "text")),
)  # fmt: skip


@dataclass(frozen=True)
class Notices:
    """The notices of one scope, the forecast per wave, and the assumption the forecast rests on."""

    scope: str
    rows: pd.DataFrame
    forecast: pd.DataFrame
    assumption: str


def build(
    con: duckdb.DuckDBPyConnection,
    *,
    plan_table: str,
    tier: str | None,
    batch_id: int | None,
    retirement: Retirement,
    settings: NoticeSettings,
    templates: Templates,
    reveal_phones: bool = False,
    campaign: bool = False,
    scope: str = "",
    today: dt.date | None = None,
) -> Notices:
    """The notices for the users of ``plan_table`` (of ``tier`` unless None); ``batch_id`` names the
    wave (else each user's latest batch); ``campaign``: a Temporary Access Pass is issued to them."""
    if tier is not None and tier not in afterdate.TIERS:
        raise UserError(f"--tier {tier!r} is not a tier; give one of {', '.join(afterdate.TIERS)}")
    templates.check()
    afterdate.ensure_view(con)
    afterdate.bind(con, retirement, today)
    query = sql("notices/notices.users", plan=plan_table)
    users = con.execute(query, {"plan_table": plan_table, "tier": tier, "batch_id": batch_id}).fetchdf()
    dates = settings.send_dates(retirement.date)
    deadline = settings.deadline(retirement.date)
    common = {
        "retirement_date": retirement.date.isoformat(),
        "deadline": deadline.isoformat(),
        "phones_stop": retirement.phones_stop,
        "campaign": campaign,
        **{f"{p}_date": d.isoformat() for p, d in dates.items()},
    }
    rows = [_row(u, common, templates, reveal_phones) for u in users.to_dict("records")]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return Notices(scope, table, forecast(table, settings, dates["action"], deadline), assumption(settings))


def _row(user: dict[str, Any], common: dict[str, Any], templates: Templates, reveal: bool) -> dict[str, Any]:
    values = {**common, **facts(user, reveal, common)}
    out: dict[str, Any] = {
        "wave": user["wave"],
        "upn": user["upn"],
        "username": user["username"],
        "language": user["language"],
        "tier": user["tier"],
        "phones_written": "; ".join(values["phones"]),
        "devices_to_register": "; ".join(values["devices_to_register"]),
        "default_method": values["default_change"],
        "must_register": bool(user["must_register"]),
        "what_to_do": _what_to_do(values["actions"], common["deadline"]),
        "deadline": common["deadline"],
    }
    for phase in PHASES:
        notice = templates.render(phase, str(user["language"]), values)
        out |= {f"{phase}_date": common[f"{phase}_date"], f"{phase}_subject": notice.subject}
        out[f"{phase}_text"] = notice.body
    return out


def _what_to_do(actions: list[str], deadline: str) -> str:
    return "; ".join(actions) + f" (by {deadline})" if actions else "nothing to do"


def facts(user: dict[str, Any], reveal: bool, common: dict[str, Any]) -> dict[str, Any]:
    """The template variables of one user (docs/notices.md lists them)."""
    numbers = [n if reveal else mask_number(n) for n in list(user["phone_numbers"])]
    phones = [f"{PHONE_LABELS.get(t, t)} {n}" for t, n in zip(user["phone_types"], numbers, strict=True)]
    devices = [str(d) for d in list(user["devices_to_register"])]
    before, after = user["default_now"], user["default_after"]
    default_change = ""
    if isinstance(after, str) and after and after != before:
        default_change = DEFAULT_LABELS.get(after, after)
    changes = [f"your {p} is registered in Microsoft Entra for sign-in verification" for p in phones]
    if user["hardware_token"]:
        changes.append("your hardware token is registered in Microsoft Entra")
    if default_change:
        changes.append(f"your default sign-in method becomes: {default_change}")
    if devices:
        changes.append(f"Microsoft Authenticator on {', '.join(devices)} does not move over by itself")
    actions = []
    if devices:
        actions.append(f"set up Microsoft Authenticator again on {', '.join(devices)}")
    elif user["must_register"]:
        actions.append("register Microsoft Authenticator or a passkey")
    if common["phones_stop"] and isinstance(after, str) and after in PHONE_DEFAULTS and user["tier"] == "P2":
        actions.append("make Microsoft Authenticator or a passkey your default sign-in method")
    return {
        "upn": user["upn"],
        "username": user["username"],
        "language": user["language"],
        "tier": user["tier"],
        "wave": user["wave"],
        "phones": phones,
        "hardware_token": bool(user["hardware_token"]),
        "devices_to_register": devices,
        "default_change": default_change,
        "methods_now": user["methods_now"] or "none",
        "methods_after_date": user["methods_after_date"] or "none",
        "must_register": bool(user["must_register"]),
        "changes": changes,
        "actions": actions,
    }


def forecast(rows: pd.DataFrame, settings: NoticeSettings, start: dt.date, deadline: dt.date) -> pd.DataFrame:
    """Expected helpdesk contacts per wave: the users who must register a method times the contact rate,
    spread evenly over the days from the Action notice to the deadline."""
    days = max(1, (deadline - start).days)
    grouped = rows.groupby("wave", sort=True).agg(
        users=("upn", "size"), must_register=("must_register", "sum")
    )
    out = grouped.reset_index()
    out["must_register"] = out["must_register"].astype(int)
    out["contacts_expected"] = (out["must_register"] * settings.helpdesk_contact_rate).round(1)
    out["from"], out["to"], out["days"] = start.isoformat(), deadline.isoformat(), days
    out["contacts_per_day"] = (out["must_register"] * settings.helpdesk_contact_rate / days).round(1)
    out["assumption"] = assumption(settings)  # a forecast file says what it rests on
    return out


def assumption(settings: NoticeSettings) -> str:
    """The forecast's assumption in words (stated wherever a forecast is shown)."""
    return (
        f"Assumes {settings.helpdesk_contact_rate:.0%} of the users who must register a method contact the "
        f"helpdesk once, evenly over the {settings.action_days} days from the Action notice to the deadline "
        "(settings [notices] helpdesk_contact_rate and action_days)."
    )
