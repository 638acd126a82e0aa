"""Readiness: every check with its severity, the users it affects, and what to do about it."""

import pandas as pd
import streamlit as st

from analysis.dashboard import components, context, exports, outcomes, plans, privacy

ctx = context.get()
ws = ctx.workspace
components.header("Readiness", "Which checks fail, for whom, and how do we fix them?")

with components.user_errors():
    report = plans.report(ws, ctx.settings, ctx.retirement)

tenant = report.score.tenant
summary = report.summary()
c = st.columns(4)
components.kpi(c[0], "Readiness score", f"{tenant['score'] or 0:.1f} / 100", help=report.score.formula)
for col, sev in zip(c[1:], ("blocker", "warning", "info"), strict=True):
    components.kpi(
        col,
        f"{sev.capitalize()}s",
        f"{summary[sev]['checks']} checks",
        delta=f"{summary[sev]['findings']:,} findings",
        delta_color="off",
    )

checks = pd.DataFrame(
    [
        {
            "severity": r.check.severity,
            "title": r.check.title,
            "findings": r.count,
            "users": r.users,
            "id": r.check.id,
        }
        for r in report.results
    ]
)
checks["rank"] = [outcomes.severity_rank(s) for s in checks["severity"]]
checks = checks.sort_values(["rank", "findings"], ascending=[True, False]).drop(columns="rank")

f1, f2 = st.columns([3, 1])
severities = f1.multiselect(
    "Severity", ["blocker", "warning", "info"], default=["blocker", "warning", "info"], key="r_sev"
)
only_fired = f2.toggle("Only checks with findings", value=True, key="r_fired")
shown = checks[checks["severity"].isin(severities)]
if only_fired:
    shown = shown[shown["findings"] > 0]
shown = shown.reset_index(drop=True)
SEVERITY_MD = {
    "blocker": ":red-badge[blocker]",
    "warning": ":orange-badge[warning]",
    "info": ":blue-badge[info]",
}
st.caption(
    f"{len(shown)} of {len(checks)} checks shown. Click a check to see the affected users and the fix."
)
picked = st.dataframe(
    components.styled(shown, {"severity": [outcomes.severity_colour(s) for s in shown["severity"]]}),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="r_checks",
    column_config={
        "severity": "Severity",
        "title": st.column_config.TextColumn("Check", width="large"),
        "findings": st.column_config.NumberColumn("Findings", format="%d"),
        "users": st.column_config.NumberColumn(
            "Users", format="%d", help="distinct MFA Server users affected"
        ),
        "id": "Id",
    },
)
rows = picked.selection.rows if picked is not None else []
if not shown.empty:
    check_id = shown.iloc[rows[0] if rows else 0]["id"]
    result = report.result(check_id)
    with st.container(border=True):
        st.subheader(result.check.title)
        st.markdown(
            f"{SEVERITY_MD.get(result.check.severity, result.check.severity)} · `{result.check.id}` · "
            f"{result.count:,} findings · {result.users:,} users"
        )
        st.markdown(f"**Why it matters.** {result.check.why}")
        st.info(f"**What to do.** {result.check.remediation}", icon=":material/build:")
        if result.count == 0:
            st.caption("No findings.")
        else:
            text = st.text_input("Filter affected users or objects", key="r_filter")
            view, matching = plans.findings(ws, report, check_id, text, limit=1000)
            st.caption(f"{matching:,} match" + (" (the first 1,000 are listed)" if matching > 1000 else ""))
            components.paged_table(
                privacy.findings(view),
                key=f"r_page_{check_id}_{text}",
                labels={
                    "subject_type": "Subject",
                    "subject_id": "Id",
                    "username": "MFA Server user",
                    "upn": "Entra UPN",
                    "detail": "Detail",
                },
            )
            d1, d2 = st.columns(2)
            if text.strip():
                noun = "finding" if matching == 1 else "findings"
                d1.download_button(
                    f"Download these {matching:,} {noun} (CSV)",
                    data=lambda c=check_id, t=text: exports.csv_bytes(
                        privacy.findings(plans.findings(ws, report, c, t)[0])
                    ),
                    file_name=f"{result.check.id}-filtered.csv",
                    mime="text/csv",
                    icon=":material/download:",
                    key="r_check_csv_shown",
                )
            d2.download_button(
                f"Download all {result.count:,} findings of this check (CSV)",
                data=lambda c=check_id: exports.csv_bytes(privacy.findings(plans.findings(ws, report, c)[0])),
                file_name=f"{result.check.id}.csv",
                mime="text/csv",
                icon=":material/download:",
                key="r_check_csv",
            )

with st.expander("Score by MFA Server user group"):
    st.dataframe(report.score.groups, hide_index=True)
    st.caption(report.score.formula)

st.subheader("Download the report")
st.caption(
    "The same report the CLI writes: a self-contained HTML page for the change board, JSON for tools, "
    "CSV of every finding."
)
d = st.columns(3)
for col, (fmt, label, mime) in zip(
    d,
    (
        ("html", "HTML report", "text/html"),
        ("json", "JSON report", "application/json"),
        ("csv", "Findings CSV", "text/csv"),
    ),
    strict=True,
):
    col.download_button(
        label,
        data=lambda f=fmt: exports.render(
            plans.full_report(ws, ctx.settings, report, ctx.retirement), f, privacy.revealed()
        ),
        file_name=f"readiness.{fmt}",
        mime=mime,
        icon=":material/download:",
        key=f"r_dl_{fmt}",
        type="primary" if fmt == "html" else "secondary",
    )
