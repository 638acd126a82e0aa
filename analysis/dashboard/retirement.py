"""The phone retirement on the dashboard: days left, users per priority tier, and a what-if for the date.

Microsoft stops delivering SMS and voice codes on ``[retirement] date``; the readiness report says who
will then have nothing usable (P1), who still depends on a phone default (P2) and who is safe (P3)
(docs/checks.md, "After the phone retirement date"). The Overview shows it beside the score; the What-if page
compares the tiers under another date, telecom provider or warning window.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from analysis.dashboard import components
from analysis.readiness.afterdate import TIER_MEANING, TIERS
from analysis.readiness.report.charts import TIER_COLORS, when


def tier_chart(tiers: dict[str, int]) -> alt.LayerChart:
    """Horizontal bars: users per tier (and those whose tier is not known), P1 first."""
    rows = [(f"{t}: {TIER_MEANING[t]}", TIER_COLORS[t], int(tiers.get(t, 0))) for t in TIERS]
    if tiers.get("unknown"):
        rows.append(("Unknown: methods not read", TIER_COLORS["unknown"], int(tiers["unknown"])))
    d = pd.DataFrame(rows, columns=["label", "colour", "users"])
    base = alt.Chart().encode(
        x=alt.X("users:Q", title="users"),
        y=alt.Y("label:N", sort=list(d["label"]), title=None, axis=alt.Axis(labelLimit=360)),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("users:Q", format=",")],
    )
    bars = base.mark_bar().encode(color=alt.Color("colour:N", scale=None, legend=None))
    text = base.mark_text(align="left", dx=3).encode(text=alt.Text("users:Q", format=","))
    return alt.layer(bars, text, data=d).properties(title="Users by priority tier", height=alt.Step(28))


def days_caption(retirement: dict[str, Any]) -> str:
    """``Phone codes stop on 2027-02-01 (in 58 days)``, and what the settings say about it."""
    text = f"Phone codes stop on {retirement['date']} ({when(int(retirement['days_left']))})"
    if retirement["phone_delivery"] != "microsoft":
        text += ": this tenant has its own telecom provider, so phones keep working"
    return text


def overview(report: Any) -> None:
    """The Overview's retirement row: days left, users per tier, and the tier chart."""
    r = report.retirement
    if not r:
        return
    st.subheader("Phone retirement", anchor="phone-retirement")
    left, right = st.columns([1, 2])
    with left:
        days = int(r["days_left"])
        components.kpi(
            st,
            f"Days to {r['date']}",
            days if days >= 0 else f"passed {-days:,} days ago",
            help="[retirement] date: Microsoft no longer delivers SMS and voice codes from then on",
        )
        c = st.columns(3)
        for col, tier in zip(c, TIERS, strict=True):
            components.kpi(col, tier, int(r["tiers"].get(tier, 0)), help=TIER_MEANING[tier])
        st.caption(
            days_caption(r) + ". Tier P1 users need a new method before then (Users page: tier filter)."
        )
    with right:
        st.altair_chart(tier_chart(r["tiers"]), width="stretch", key="chart_tiers")


@st.cache_data(show_spinner=False, max_entries=16)
def _tier_counts(path: str, plan_key: str, doc: tuple[tuple[str, Any], ...], today: str) -> dict[str, int]:
    """Users per tier over the current plan under the retirement settings ``doc`` (cached per plan)."""
    import datetime as dt

    from analysis.dashboard.session import cursor
    from analysis.readiness import afterdate
    from analysis.readiness.retirement import Retirement

    cur = cursor(path)
    afterdate.ensure_view(cur)
    afterdate.bind(cur, Retirement.from_dict(dict(doc), "the what-if form"), dt.date.fromisoformat(today))
    return afterdate.tier_counts(cur)


def whatif(ws: Any, plan: Any, current: Any) -> None:
    """What-if for ``[retirement]``: another date, telecom provider or warning window, against the
    current settings ``current``. The plan does not change, only who can still sign in after the date."""
    import datetime as dt

    from analysis.errors import UserError
    from analysis.readiness import afterdate
    from analysis.readiness.retirement import PHONE_DELIVERIES, Retirement

    labels = {"microsoft": "Microsoft delivers the codes", "own_provider": "Own telecom provider"}
    with st.expander(
        "Phone retirement: what if the date, the telecom provider or the warning window change?"
    ):
        with st.form("whatif_retirement"):
            c1, c2, c3 = st.columns(3)
            date = c1.date_input("Retirement date", value=current.date, key="wr_date")
            delivery = c2.selectbox(
                "SMS and voice delivery",
                list(PHONE_DELIVERIES),
                index=list(PHONE_DELIVERIES).index(current.phone_delivery),
                format_func=labels.get,
                key="wr_delivery",
            )
            warn = c3.number_input("Warn days before", 0, 3650, current.warn_days, key="wr_warn")
            if st.form_submit_button("Compare tiers"):
                st.session_state["whatif_retirement_chosen"] = {
                    "date": date.isoformat() if isinstance(date, dt.date) else str(date),
                    "phone_delivery": delivery,
                    "warn_days": int(warn),
                }
        chosen = st.session_state.get("whatif_retirement_chosen")
        if not chosen:
            st.caption(f"Current: {days_caption(afterdate.summary(current, None, pd.Series(dtype=object)))}.")
            return
        try:
            proposed = Retirement.from_dict(chosen, "the what-if form")
        except UserError as exc:
            st.error(str(exc))
            return
        today = dt.date.today().isoformat()
        now = _tier_counts(ws.path, plan.key, tuple(sorted(current.to_dict().items())), today)
        new = _tier_counts(ws.path, plan.key, tuple(sorted(proposed.to_dict().items())), today)
        c = st.columns(4)
        left = afterdate.days_left(proposed)
        components.kpi(c[0], f"Days to {proposed.date}", left, help="from today")
        for col, tier in zip(c[1:], TIERS, strict=True):
            delta = new[tier] - now[tier]
            components.kpi(
                col,
                tier,
                new[tier],
                delta=f"{delta:+,}" if delta else None,
                delta_color="inverse" if tier != "P3" else "normal",
                help=TIER_MEANING[tier],
            )
        urgent = "a blocker" if afterdate.urgent(proposed) else "a warning"
        st.caption(
            f"With these settings, users with nothing usable after the date are {urgent} today. "
            "Put the section in the settings file to make it current:"
        )
        st.code(
            f"[retirement]\ndate = {proposed.date.isoformat()}\n"
            f'phone_delivery = "{proposed.phone_delivery}"\nwarn_days = {proposed.warn_days}',
            language="toml",
        )
