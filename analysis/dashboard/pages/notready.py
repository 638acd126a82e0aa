"""Not ready: every user with a blocker or warning finding, each reason and what to do about it."""

import streamlit as st

from analysis.dashboard import components, context, grid, plans, privacy

ctx = context.get()
ws = ctx.workspace
components.header(
    "Not ready",
    "Who will not migrate cleanly, and why: one row per user with every blocker and warning finding and the "
    "remediation for each. Info findings never make a user not ready.",
)

with components.user_errors():
    plan = plans.current(ws, ctx.settings)
    report = plans.report(ws, ctx.settings, ctx.retirement)
    with st.spinner("Preparing the user grid (once per load and settings) …"):
        table = grid.ensure(ws, plan, report, ctx.settings.skip_disabled)

tenant = report.score.tenant
c = st.columns(3)
components.kpi(c[0], "Not ready", int((tenant["blocked"] or 0) + (tenant["with_warnings"] or 0)))
components.kpi(c[1], "Blocked", int(tenant["blocked"] or 0), help="at least one blocker finding")
components.kpi(c[2], "With warnings", int(tenant["with_warnings"] or 0), help="a warning but no blocker")

STATUS = {"blocked": "Blocked", "warnings": "With warnings"}
titles = {r.check.id: r.check.title for r in report.results if r.count and r.check.severity != "info"}
with st.container(border=True):
    f1, f2, f3, f4 = st.columns([1.6, 2, 1.4, 1.6])
    statuses = f1.multiselect(
        "Status", list(STATUS), default=list(STATUS), format_func=STATUS.get, key="nr_status"
    )
    check = f2.selectbox(
        "Check", ["", *titles], format_func=lambda c: titles.get(c, "(any check)"), key="nr_check"
    )
    facets = grid.facets(table)
    groups = [str(v) for v in facets[facets["kind"] == "mfa_group"]["value"] if isinstance(v, str)]
    chosen_groups = f3.multiselect("MFA Server group", groups, key="nr_group")
    text = f4.text_input("User, UPN, email or SID contains", key="nr_text")
    s1, s2, _ = st.columns([1.5, 1, 3])
    sorts = {"status": "Blocked first", "username": "MFA Server username", "findings": "Most findings"}
    sort = s1.selectbox("Sort by", list(sorts), format_func=sorts.get, key="nr_sort")
    size = s2.selectbox("Users per page", [25, 50, 100], index=0, key="nr_size")

filters = grid.Filters(
    statuses=tuple(statuses) or tuple(STATUS),
    check_id=check or None,
    mfa_groups=tuple(chosen_groups) or None,
    text=text,
)
signature = (filters, sort, size)
if st.session_state.get("nr_signature") != signature:
    st.session_state["nr_signature"] = signature
    st.session_state["nr_page"] = 1
page_no = max(1, int(st.session_state.get("nr_page", 1)))
descending = sort == "findings"
shown, total = grid.page(table, filters, sort, descending, (page_no - 1) * size, size)
pages = max(1, -(-total // size))
if page_no > pages:
    page_no = pages
    shown, total = grid.page(table, filters, sort, descending, (page_no - 1) * size, size)
reveal = privacy.revealed()
users = grid.not_ready(table, report, [int(v) for v in shown["user_id"]], reveal)

st.caption(
    f"**{total:,}** users not ready match" + (f" · page {page_no:,} of {pages:,}" if pages > 1 else "")
)
if users.empty:
    st.success(
        "Nobody matches: no blocked or warned user with these filters.", icon=":material/check_circle:"
    )
else:
    st.html(components.not_ready_table(users))

p1, p2, p3, p4 = st.columns([1, 1, 2.5, 2.5])
components.pager(p1, p2, "nr_page", page_no, pages)
for col, fmt, mime in ((p3, "csv", "text/csv"), (p4, "parquet", "application/vnd.apache.parquet")):
    col.download_button(
        f"Download {components.users_text(total)} ({fmt.upper() if fmt == 'csv' else 'Parquet'})",
        data=lambda f=fmt: grid.not_ready_export(table, report, filters, sort, descending, f, reveal),
        file_name=f"not-ready.{fmt}",
        mime=mime,
        icon=":material/download:",
        key=f"nr_{fmt}",
    )
