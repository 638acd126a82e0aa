"""Overview: are we ready? The readiness score, headline numbers and where every user and method ends up."""

import pandas as pd
import streamlit as st

from analysis.dashboard import components, context, data, freshness, plans, retirement

ctx = context.get()
ws = ctx.workspace
components.header(
    "Overview",
    "Are we ready to move MFA to Entra — and if not, who is not and why? "
    "Everything here is a prediction: nothing has been written to the tenant.",
)

with components.user_errors():
    plan = plans.current(ws, ctx.settings)
    report = plans.report(ws, ctx.settings, ctx.retirement)

freshness.show(ctx)
counts = data.workspace_counts(ws.path, ws.load_id)
users = data.user_outcomes(ws.path, plan.key, plan.table)
items = data.item_outcomes(ws.path, plan.key, plan.table)
by_action = dict(zip(users["action"], users["users"], strict=True))
tenant = report.score.tenant
status = report.score.status

# ---------------------------------------------------------------- score and status
status_text = {
    "blocked": ("Blocked", "error", "At least one blocker must be fixed before migrating everyone."),
    "warnings": ("Ready with warnings", "warning", "No blocker; review the warnings before migrating."),
    "ready": ("Ready", "success", "No blocker and no warning."),
}[status]
c = st.columns([1.2, 1, 1, 1, 1])
components.kpi(
    c[0],
    "Readiness score",
    f"{tenant['score'] if tenant['score'] is not None else 0:.1f} / 100",
    help=report.score.formula,
)
components.kpi(
    c[1],
    "Users counted",
    int(tenant["users"] or 0),
    help="every MFA Server user except disabled ones the settings skip",
)
components.kpi(
    c[2],
    f"Ready ({components.pct(int(tenant['ready'] or 0), int(tenant['users'] or 0))})",
    int(tenant["ready"] or 0),
    help="no blocker or warning finding",
)
components.kpi(c[3], "With warnings", int(tenant["with_warnings"] or 0), help="a warning but no blocker")
components.kpi(c[4], "Blocked", int(tenant["blocked"] or 0), help="at least one blocker finding")
message = f"**{status_text[0]}.** {status_text[2]}"
if report.score.gates:
    titles = {r.check.id: r.check.title for r in report.results}
    message += (
        "  \n**Tenant-wide blockers** (they gate the whole migration, whatever the user): "
        + "; ".join(titles.get(g, g) for g in report.score.gates)
        + ". Details on the Readiness page."
    )
getattr(st, status_text[1])(message, icon=":material/block:" if status == "blocked" else None)
retirement.overview(report)

# ---------------------------------------------------------------- headline numbers
graph_rows = int(items[items["writable"] == "graph"]["rows"].sum())
utility_rows = int(items[items["writable"] == "utility"]["rows"].sum())
c = st.columns(3)  # three to a row: every label fits its tile, on narrow screens too
components.kpi(c[0], "MFA Server users", counts["mfa_users"], help=f"{counts['mfa_enabled']:,} enabled")
components.kpi(c[1], "Will migrate", int(by_action.get("migrate", 0)), help="users with a 'migrate' plan row")
components.kpi(
    c[2],
    "Unmatched",
    int(by_action.get("unmatched", 0) + by_action.get("ambiguous", 0)),
    help="unmatched or ambiguous: none of their methods reach Entra",
)
c = st.columns(3)
components.kpi(
    c[0], "Graph writes", graph_rows, help="phones, hardware OATH tokens and default methods this tool writes"
)
components.kpi(
    c[1],
    "Left to the utility",
    utility_rows,
    help="Authenticator devices and software OATH tokens only Microsoft's utility can create",
)
components.kpi(c[2], "Rejected rows", counts["rejects"], help="rows the loader could not use; see Readiness")

# ---------------------------------------------------------------- charts
figures = data.overview_figures(ws.path, plan.key, plan.table, ws.load_id)
left, right = st.columns(2)
with left:
    st.altair_chart(figures["users"], width="stretch", key="chart_users")
with right:
    st.altair_chart(figures["methods"], width="stretch", key="chart_methods")
    st.caption(
        "MFA Server: all its users. Entra: the Entra users the plan matched. "
        "'After the plan' assumes the utility also creates the devices it is left."
    )
left, right = st.columns(2)
with left:
    st.altair_chart(figures["devices"], width="stretch", key="chart_devices")
    st.altair_chart(figures["per_user"], width="stretch", key="chart_per_user")
with right:
    fired = pd.DataFrame(
        [{"title": r.check.title, "severity": r.check.severity, "findings": r.count} for r in report.results]
    )
    summary = report.summary()
    c = st.columns(3)
    for col, sev in zip(c, ("blocker", "warning", "info"), strict=True):
        components.kpi(
            col,
            f"{sev.capitalize()} checks",
            summary[sev]["checks"],
            help=f"{summary[sev]['findings']:,} findings",
        )
    if fired["findings"].sum() if not fired.empty else 0:
        st.altair_chart(data.checks_figure(report.key, fired), width="stretch", key="chart_checks")
        st.page_link(
            "analysis/dashboard/pages/readiness.py",
            label="Every check, its users and the fix",
            icon=":material/arrow_forward:",
        )
    else:
        st.success("No check has any finding.")

info = data.load_info(ws.path, ws.load_id)
if not info.empty:
    st.caption(
        f"Workspace {ws.path} · loaded {info.loc[0, 'loaded_at']} · tenant snapshot "
        f"{components.show(info.loc[0, 'taken_at'], '?')} "
        f"({components.show(info.loc[0, 'snapshot_source'], '?')}) · "
        f"settings: {ctx.settings.describe()}"
    )
