"""Batches: choose users, freeze their plan, approve it, run it against Graph or the emulator, verify."""

import pandas as pd
import streamlit as st

from analysis.dashboard import (
    batchrun,
    batchview,
    components,
    context,
    data,
    execution,
    noticeview,
    passes,
    plans,
    session,
)

ctx = context.get()
ws = ctx.workspace
ident = ctx.identity
components.header(
    "Batches",
    "Migrate in approved steps: a batch freezes the plan of chosen users under a hash; an approver signs "
    "off that hash; an operator runs it and verifies the result. Every step is journaled.",
)

if ws.read_only:
    st.warning(
        f"The workspace is read-only ({ws.why_read_only}): batches can be looked at but not created, "
        "approved or run.",
        icon=":material/lock:",
    )

with components.user_errors():
    plan = plans.current(ws, ctx.settings)

batchview.show_flash()
batches = data.batch_list(ws.path)
may_create = (ident.can_run or ident.can_approve) and not ws.read_only

# ---------------------------------------------------------------- create
with st.expander("Create a batch", expanded=batches.empty, icon=":material/add_circle:"):
    if not may_create:
        st.info(
            ident.note
            or f"Creating batches is for approvers and operators; you are `{ident.name}`. "
            "Ask an administrator to add you to the roles file (see docs/dashboard.md)."
        )
    else:
        batchview.create_form(ctx, plan)

if batches.empty:
    st.info("No batches yet. Create one above: it is a draft until an approver approves it.")
    st.stop()

# ---------------------------------------------------------------- list
st.subheader("All batches")
view = batches.reset_index(drop=True).assign(
    State=list(batches["state"]),
    Hash=[str(h)[:12] for h in batches["plan_hash"]],
    Agreement=[f"{a:.1%}" if pd.notna(a) else "" for a in batches["agreement"]],
)
picked = st.dataframe(
    view[
        [
            "batch_id",
            "name",
            "State",
            "users",
            "rows",
            "selection",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "Hash",
            "Agreement",
        ]
    ],
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="b_list",
    column_config={
        "batch_id": st.column_config.NumberColumn("#", format="%d"),
        "name": "Name",
        "users": st.column_config.NumberColumn("Users", format="%d"),
        "rows": st.column_config.NumberColumn("Plan rows", format="%d"),
        "selection": "Selection",
        "created_by": "Created by",
        "created_at": st.column_config.DatetimeColumn("Created (UTC)", format="YYYY-MM-DD HH:mm"),
        "approved_by": "Approved by",
        "approved_at": st.column_config.DatetimeColumn("Approved (UTC)", format="YYYY-MM-DD HH:mm"),
    },
)
rows = picked.selection.rows if picked is not None else []
chosen_id = st.session_state.get("b_focus")
if rows:
    chosen_id = int(batches.iloc[rows[0]]["batch_id"])
if chosen_id not in set(batches["batch_id"].astype(int)):
    chosen_id = int(batches.iloc[0]["batch_id"])
batch = batches[batches["batch_id"] == chosen_id].iloc[0]

# ---------------------------------------------------------------- one batch
st.divider()
st.subheader(f"Batch {chosen_id} · {batch['name']}")
st.markdown(batchview.lifecycle(str(batch["state"])))
c = st.columns(5)
components.kpi(c[0], "State", str(batch["state"]))
components.kpi(c[1], "Users", int(batch["users"]))
components.kpi(c[2], "Plan rows", int(batch["rows"]))
components.kpi(c[3], "Plan hash", str(batch["plan_hash"])[:8], help=f"SHA-256 {batch['plan_hash']}")
components.kpi(
    c[4],
    "Agreement",
    f"{batch['agreement']:.1%}" if pd.notna(batch["agreement"]) else "–",
    help="share of Graph-writable rows verified as predicted",
)
st.caption(
    f"Selection: {batch['selection']} · migrates {batch['selection_signature']} · created by "
    f"`{batch['created_by']}` {batch['created_at']:%Y-%m-%d %H:%M} UTC"
    + (
        f" · approved by `{batch['approved_by']}` {batch['approved_at']:%Y-%m-%d %H:%M} UTC"
        if pd.notna(batch["approved_by"])
        else ""
    )
)

passes.offer(ctx, chosen_id)  # a run's Temporary Access Passes, offered once
handle = session.handle(ws.path)
job = execution.job_for(ws.path, chosen_id)
state = str(batch["state"])
with st.container(border=True):
    # a running job is all there is to see; a finished one's outcome stays above the next step (Verify
    # right after a run, in this tab or any other) until someone dismisses it
    running = job is not None and job.running
    if job is not None and (running or not st.session_state.get(f"b_seen_{chosen_id}_{job.started}")):
        batchrun.job_panel(ws.path, chosen_id, job)
        if not running:
            st.divider()
    if running:
        pass  # the job panel polls and redraws the page when the job ends
    elif state == "running" and batchrun.watch_panel(ws.path, chosen_id):
        pass  # run by another process (a terminal): followed live, nothing to start here
    elif state == "draft":
        batchview.approve_panel(ctx, batch)
    elif state in batchrun.ACTIONABLE:
        batchrun.actions_panel(ctx, batch, handle)
    else:
        st.info(f"This batch is {state}.")

tab_plan, tab_users, tab_verify, tab_notices, tab_history = st.tabs(
    ["Frozen plan", "Users", "Verification", "Notices", "History"]
)
with tab_plan:
    batchview.frozen_plan(ws.path, chosen_id)
with tab_users:
    batchview.users_tab(ws.path, chosen_id)
with tab_verify:
    batchview.verification_tab(ws.path, chosen_id)
with tab_notices:
    noticeview.notices_tab(ctx, chosen_id)
with tab_history:
    events = data.batch_events(ws.path, chosen_id)
    st.dataframe(
        events,
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            "batch_id": None,
            "batch": None,
            "actor": "Who",
            "event": "Event",
            "from_state": "From",
            "to_state": "To",
            "detail": st.column_config.TextColumn("Detail", width="large"),
        },
    )
