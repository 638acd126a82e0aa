"""Progress: the re-registration campaign since a baseline, per tier and wave, and over time."""

import datetime as dt

import pandas as pd
import streamlit as st

from analysis.dashboard import components, context, plans, progressview
from analysis.dashboard.retirement import days_caption
from analysis.output import csvfile

ctx = context.get()
ws = ctx.workspace
components.header(
    "Progress",
    "Since the campaign started, who registered a new method, who will still have nothing usable "
    "after the phone retirement date, and how many days are left?",
)

with components.user_errors():
    plan = plans.current(ws, ctx.settings)

seen = progressview.observations(ws.path, plan.key)
if not seen:
    st.info(
        "No history yet: every tenant snapshot loaded from now on (`mfa-migrate load`) and every read "
        "of users (verify, refresh) is kept as an observation. Load a newer snapshot to measure progress."
    )
    st.stop()


STILL_LABELS = {
    "user_id": "User id",
    "username": "MFA Server user",
    "upn": "Entra UPN",
    "tier_at_baseline": "Tier at baseline",
    "methods_now": "Methods now",
    "state_since": "State since",
    "waves": "Waves",
}


def _label(at: str) -> str:
    when, source = next((w, s) for w, s, _, _ in seen if w == at)
    return f"{dt.datetime.fromisoformat(when).strftime('%Y-%m-%d %H:%M UTC')} ({source})"


choices = [w for w, _, _, _ in seen]
baseline = st.selectbox(
    "Baseline: compare with the observation of",
    choices,
    index=0,
    format_func=_label,
    key="pg_baseline",
    help="the first observation by default; each snapshot loaded and each read is one",
)
today = dt.date.today().isoformat()
retirement = tuple(sorted(ctx.retirement.to_dict().items()))
with components.user_errors():
    doc, still = progressview.measure(
        ws.path, plan.key, retirement, "first" if baseline == choices[0] else baseline, today
    )

r = doc["retirement"]
registered = sum(int(t["registered"]) for t in doc["tiers"])
c = st.columns(4)
days = int(r["days_left"])
components.kpi(
    c[0],
    f"Days to {r['date']}",
    days if days >= 0 else f"passed {-days:,} days ago",
    help="[retirement] date: Microsoft no longer delivers SMS and voice codes from then on",
)
components.kpi(c[1], "Still P1", int(doc["still_p1"]), help="nothing usable after the date, as last observed")
components.kpi(
    c[2],
    "Registered since baseline",
    registered,
    help="users with Microsoft Authenticator, a passkey or a software OATH token they did not have then",
)
components.kpi(
    c[3], "Observations", int(doc["observations"]), help="snapshots and reads from the baseline on"
)
st.caption(days_caption({**r, "days_left": days}) + f". Latest observation: {_label(doc['latest'])}.")

st.altair_chart(progressview.timeline_chart(doc["timeline"]), width="stretch", key="chart_progress")
with st.expander(f"Over time, as a table ({len(doc['timeline']):,} observations)"):
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Observed": _label(t["observed_at"]),
                    "Still P1": t["p1"],
                    "Registered since baseline": t["registered"],
                }
                for t in doc["timeline"]
            ]
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader("Registered since the baseline, per tier")
st.dataframe(progressview.tier_table(doc["tiers"]), hide_index=True, width="stretch")
st.subheader("Per wave (batch)")
if doc["waves"]:
    st.dataframe(progressview.wave_table(doc["waves"]), hide_index=True, width="stretch")
else:
    st.caption("No batches yet: waves appear here once batches are created (Batches page).")

st.subheader("Still P1")
st.caption(
    f"{int(doc['still_p1']):,} users with nothing usable after {r['date']} at their latest "
    "observation, with their tier at the baseline and their waves."
)
st.download_button(
    f"Download the {int(doc['still_p1']):,} users still P1 (CSV)",
    data=lambda: csvfile.to_bytes(still),
    file_name="still-p1.csv",
    mime="text/csv",
    icon=":material/download:",
    key="pg_still_csv",
)
shown = still.head(200).rename(columns=STILL_LABELS)
shown["Methods now"] = shown["Methods now"].replace("", "none")
shown["Waves"] = shown["Waves"].fillna("not in a batch")
st.dataframe(shown, hide_index=True, width="stretch")
if len(still) > len(shown):
    st.caption(f"The first {len(shown):,} of {len(still):,}; the download has them all.")
