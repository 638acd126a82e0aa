"""The campaign's progress on the dashboard: the figures of ``mfa-migrate progress`` and a chart over time.

The numbers come from :func:`analysis.campaign.progress.measure` (docs/progress.md), cached per plan
(the plan's key changes with every load and every kept read, which is when the history changes), the
retirement settings, the baseline and the day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from analysis.readiness.report.charts import TIER_COLORS


@st.cache_data(show_spinner=False, max_entries=16)
def observations(path: str, plan_key: str) -> list[tuple[str, str, int, int]]:
    """Every observation in the history (ISO time, source, users, changed), oldest first."""
    from analysis.campaign import history
    from analysis.dashboard.session import cursor

    return [
        (p.observed_at.astimezone(dt.UTC).isoformat(), p.source, p.users, p.changed)
        for p in history.points(cursor(path))
    ]


@st.cache_data(show_spinner=False, max_entries=16)
def measure(
    path: str, plan_key: str, retirement: tuple[tuple[str, Any], ...], baseline: str, today: str
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The progress document (``--json``'s shape) and the users still P1, since ``baseline`` (an ISO
    time of an observation, or ``first``)."""
    from analysis.campaign import progress
    from analysis.dashboard.session import cursor
    from analysis.readiness.retirement import Retirement
    from analysis.simulate.plan import read_stamp

    cur = cursor(path)
    plan = read_stamp(cur, "plan")
    assert plan is not None and plan.key == plan_key, "the page asks for the current plan first"
    start: str | dt.date = baseline if baseline == progress.FIRST else dt.datetime.fromisoformat(baseline)
    figures, still = progress.measure(
        cur, plan, Retirement.from_dict(dict(retirement), "the settings"), start, dt.date.fromisoformat(today)
    )
    return figures.to_dict(), still.to_pandas()


def timeline_chart(timeline: list[dict[str, Any]]) -> alt.LayerChart:
    """Users per tier at each observation (lines, tier colours) and how many had registered an
    app-based or phishing-resistant method since the baseline (dashed)."""
    rows = []
    for t in timeline:
        at = pd.Timestamp(t["observed_at"])
        for key, label in (("p1", "P1"), ("p2", "P2"), ("p3", "P3")):
            rows.append((at, label, int(t[key]), TIER_COLORS[label]))
        rows.append((at, "registered since baseline", int(t["registered"]), "#555555"))
    d = pd.DataFrame(rows, columns=["observed", "series", "users", "colour"])
    names = ["P1", "P2", "P3", "registered since baseline"]
    colours = [TIER_COLORS["P1"], TIER_COLORS["P2"], TIER_COLORS["P3"], "#555555"]
    base = alt.Chart(d).encode(
        x=alt.X("observed:T", title="observed"),
        y=alt.Y("users:Q", title="users"),
        color=alt.Color("series:N", scale=alt.Scale(domain=names, range=colours), title=None),
        tooltip=[
            alt.Tooltip("observed:T", format="%Y-%m-%d %H:%M"),
            alt.Tooltip("series:N", title=" "),
            alt.Tooltip("users:Q", format=","),
        ],
    )
    tiers = base.transform_filter(alt.datum.series != "registered since baseline").mark_line(point=True)
    registered = base.transform_filter(alt.datum.series == "registered since baseline").mark_line(
        point=True, strokeDash=[6, 3]
    )
    return alt.layer(tiers, registered).properties(title="Priority tiers over time", height=320)


#: The progress document's per-tier and per-wave figures, as the page labels them (in this order).
TIER_LABELS = {
    "tier": "Tier at baseline",
    "users": "Users",
    "observed": "Observed at both",
    "authenticator": "Authenticator",
    "passkey": "Passkey",
    "software_oath": "Software OATH",
    "registered": "Any of them",
    "now_p1": "P1 now",
    "now_p2": "P2 now",
    "now_p3": "P3 now",
}
WAVE_LABELS = {
    "wave": "Wave (batch)",
    "users": "Users",
    "authenticator": "Authenticator",
    "passkey": "Passkey",
    "software_oath": "Software OATH",
    "registered": "Any of them",
    "base_p1": "P1 at baseline",
    "now_p1": "P1 now",
}


def _labelled(rows: list[dict[str, Any]], labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{label: r[key] for key, label in labels.items()} for r in rows])


def tier_table(tiers: list[dict[str, Any]]) -> pd.DataFrame:
    return _labelled(tiers, TIER_LABELS)


def wave_table(waves: list[dict[str, Any]]) -> pd.DataFrame:
    return _labelled(waves, WAVE_LABELS)
