"""The state after the phone retirement date, per user: one workspace view every consumer reads.

On :attr:`Retirement.date` Microsoft stops delivering SMS and voice codes (unless the tenant has its own
telecom provider). Whether a user will still be able to do MFA then is a join of the MFA Server data,
the plan, the tenant snapshot and the date; the view ``users_after_date``
(``queries/readiness/support/after_date.sql``) does it once, so the readiness checks and the dashboard
agree on who is P1, P2 or P3.

The view lives in the workspace (``duckdb ws.duckdb "FROM users_after_date"`` works too) and reads the
retirement settings from session variables: :func:`bind` sets them on a connection, unset they are the
defaults. :func:`ensure_view` creates or updates the view and its macros on a writable connection; a
read-only connection uses what an earlier writable one stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import duckdb
import pandas as pd

from analysis.errors import UserError
from analysis.readiness.retirement import Retirement
from analysis.sqlfiles import sql

VIEW = "users_after_date"
TIERS: tuple[str, ...] = ("P1", "P2", "P3")
#: What each tier means, in the words every report uses.
TIER_MEANING: dict[str, str] = {
    "P1": "nothing usable after the date",
    "P2": "usable, but the default or the only method is a phone",
    "P3": "has a non-phone method (and a non-phone default)",
}
_PARTS = (
    "readiness/support/after_date.macros",
    "readiness/support/after_date.view",
    "readiness/support/after_date.canonical",
)


def _stamp() -> str:
    """Changes whenever the view's SQL does: stored in ``workspace_views`` to know when to replace it."""
    text = "".join(sql(name) for name in _PARTS)
    return "mfa-migrate " + hashlib.sha256(text.encode()).hexdigest()[:16]


def ensure_view(con: duckdb.DuckDBPyConnection) -> None:
    """Create the view and its macros, or replace them when this version defines them differently.

    The table macro ``users_after_plan(plan_table)`` serves any plan table (a batch's, the What-if
    page's); the view over the canonical ``plan`` is made once the workspace has one.

    On a read-only connection a stored view of this version is used as is; a missing or outdated one is
    a :class:`UserError` (it cannot be written there).
    """
    stamp = _stamp()
    try:
        row = con.execute(sql("readiness/support/after_date_meta.stamp"), {"view": VIEW}).fetchone()
    except duckdb.CatalogException:  # no workspace_views table yet
        row = None
    if row is not None and row[0] == stamp:
        return
    try:
        from analysis.sources.workspace import ensure_schema

        ensure_schema(con)  # an older workspace may lack a table the view reads
        for name in _PARTS[:2]:
            con.execute(sql(name))
        has_plan = con.execute(sql("readiness/support/after_date_meta.has_plan")).fetchone()
        if not (has_plan and has_plan[0]):  # the macros serve other plan tables; the view waits
            return
        con.execute(sql(_PARTS[2]))
        con.execute(sql("readiness/support/after_date_meta.stamps_schema"))
        con.execute(sql("readiness/support/after_date_meta.set_stamp"), {"view": VIEW, "stamp": stamp})
    except duckdb.Error as exc:
        if "read-only" not in str(exc).lower() and "read only" not in str(exc).lower():
            raise
        raise UserError(
            "the workspace is open read-only and does not hold this version's users_after_date view yet; "
            "open it once with write access (e.g. `mfa-migrate readiness` or the dashboard alone)"
        ) from None


def bind(con: duckdb.DuckDBPyConnection, retirement: Retirement, today: dt.date | None = None) -> None:
    """Set the retirement settings (and today's date) the view reads on this connection."""
    params = {
        "date": retirement.date,
        "stop": retirement.phones_stop,
        "today": today or dt.date.today(),
    }
    con.execute(sql("readiness/support/after_date_meta.bind"), params)


def bind_summary(con: duckdb.DuckDBPyConnection, summary: dict[str, Any]) -> None:
    """:func:`bind` with the settings and day a report was made with (its ``retirement`` section; an
    empty one binds the defaults and today)."""
    if not summary:
        bind(con, Retirement())
        return
    retirement = Retirement(
        date=dt.date.fromisoformat(summary["date"]),
        phone_delivery=summary["phone_delivery"],
        warn_days=int(summary["warn_days"]),
    )
    bind(con, retirement, dt.date.fromisoformat(summary["today"]))


def days_left(retirement: Retirement, today: dt.date | None = None) -> int:
    """Days from today to the retirement date (negative once it has passed)."""
    return (retirement.date - (today or dt.date.today())).days


def urgent(retirement: Retirement, today: dt.date | None = None) -> bool:
    """Whether today is within ``warn_days`` of the date (or past it): phone-only users then block."""
    return days_left(retirement, today) <= retirement.warn_days


def tier_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Users per tier (``P1``, ``P2``, ``P3``, and ``unknown`` for counted users with an Entra account
    whose state is not known), from the view as bound on ``con``."""
    out = dict.fromkeys((*TIERS, "unknown"), 0)
    for tier, n in con.execute(sql("readiness/support/after_date_meta.tier_counts")).fetchall():
        out[str(tier) if tier else "unknown"] = int(n)
    return out


def summary(retirement: Retirement, today: dt.date | None, tiers: pd.Series) -> dict[str, Any]:
    """The retirement settings, where today stands, and users per tier (``tiers``: one tier per counted
    user with an Entra account, None where not known): the report's ``retirement`` section."""
    today = today or dt.date.today()
    counts = tiers.fillna("unknown").value_counts()
    return {
        "date": retirement.date.isoformat(),
        "phone_delivery": retirement.phone_delivery,
        "warn_days": retirement.warn_days,
        "today": today.isoformat(),
        "days_left": days_left(retirement, today),
        "urgent": urgent(retirement, today),
        "tiers": {t: int(counts.get(t, 0)) for t in (*TIERS, "unknown")},
    }
