"""The Batches page's panels: create, approve, run, verify, and the batch's frozen plan and results.

Every button that changes something re-checks the role here (not only by hiding the button), records
the signed-in identity as the actor, and goes through :mod:`analysis.execute.batches`,
:mod:`analysis.execute.runner` and :mod:`analysis.execute.verify`, the same code as the CLI, so the
rules (four eyes, frozen hash, drift, journal) are enforced once. Running and verifying are
:mod:`analysis.dashboard.batchrun`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.dashboard import components, data, exports, handoff, outcomes, plans, privacy
from analysis.dashboard.context import Context
from analysis.dashboard.session import cursor
from analysis.errors import UserError
from analysis.execute import gate, handoffs
from analysis.execute.batches import get_batch
from analysis.readiness.afterdate import TIER_MEANING
from analysis.simulate.plan import Plan

STATE_COLOURS = {
    "draft": "#5c6bc0",
    "approved": "#2e7d32",
    "running": "#1565c0",
    "completed": "#2e7d32",
    "partial": "#ef6c00",
    "failed": "#c62828",
    "verified": "#1b5e20",
    "rolling_back": "#6d4c41",
    "rolled_back": "#6d4c41",
}
LIFECYCLE = ["draft", "approved", "running", "completed", "verified"]
SELECT_BY = [
    "Entra group",
    "MFA Server user group",
    "Plan outcome",
    "Priority tier",
    "Named users",
    "SQL predicate (advanced)",
]


def lifecycle(state: str) -> str:
    """The batch's place in draft → approved → running → completed → verified, as one line."""
    at = LIFECYCLE.index(state) if state in LIFECYCLE else (3 if state in ("partial", "failed") else -1)
    parts = []
    for i, step in enumerate(LIFECYCLE):
        shown = state if (i == 3 and state in ("partial", "failed")) else step
        parts.append(f"**:blue[{shown}]**" if i == at else (f"~~{shown}~~" if i < at else f":gray[{shown}]"))
    return " → ".join(parts)


def flash(message: str) -> None:
    st.session_state["b_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("b_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


# ---------------------------------------------------------------- create
def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_form(ctx: Context, plan: Plan) -> None:
    ws, ident = ctx.workspace, ctx.identity
    name = st.text_input("Batch name", placeholder="e.g. wave-1-helpdesk", key="b_name")
    how = st.radio("Choose the users by", SELECT_BY, horizontal=True, key="b_how")
    from analysis.execute.selection import Selection, create_batch

    selection: Selection | None = None
    problem = ""
    groups = data.group_names(ws.path, ws.load_id)  # name -> transitive user members
    if how == "Entra group":
        group = st.selectbox(
            "Entra group (transitive members)",
            list(groups),
            index=None,
            accept_new_options=True,
            format_func=components.group_label(groups),
            placeholder="type or pick a group name or id",
            key="b_group",
        )
        selection = Selection(group=group) if group else None
    elif how == "MFA Server user group":
        table = data.mfa_user_groups(ws.path, ws.load_id)
        labels = {f"{g} ({n:,} users)": g for g, n in zip(table["user_group"], table["users"], strict=True)}
        picked = st.multiselect("MFA Server user groups", list(labels), key="b_mfa_groups")
        if picked:
            selection = Selection(user_ids=data.select_mfa_group(ws.path, [labels[p] for p in picked]))
    elif how == "Plan outcome":
        acts = data.plan_actions(ws.path, plan.key, plan.table)
        labels = {
            f"{outcomes.ITEM_LABELS.get(i, i)}: {outcomes.label(a)} ({n:,})": (i, a)
            for i, a, n in zip(acts["item"], acts["action"], acts["rows"], strict=True)
        }
        picked = st.multiselect("Users with any of these plan outcomes", list(labels), key="b_outcomes")
        if picked:
            where = " OR ".join(
                f"(item = {_quote(labels[p][0])} AND action = {_quote(labels[p][1])})" for p in picked
            )
            selection = Selection(where=where, retirement=ctx.retirement)
    elif how == "Priority tier":
        tier = st.radio(
            "Users of the priority tier (after the phone retirement date)",
            ["P1", "P2", "P3"],
            format_func=lambda t: f"{t}: {TIER_MEANING[t]}",
            horizontal=True,
            key="b_tier",
        )
        selection = Selection(tier=tier, retirement=ctx.retirement)
    elif how == "Named users":
        text = st.text_area("Usernames or UPNs, one per line", key="b_names", height=120)
        names = [n.strip() for n in text.splitlines() if n.strip()]
        if names:
            resolved = data.resolve_users(ws.path, plan.table, names)
            unknown = resolved[resolved["user_id"].isna()]["name"].tolist()
            if unknown:
                problem = f"{len(unknown)} name(s) match no MFA Server user: " + ", ".join(unknown[:10])
            else:
                selection = Selection(user_ids=sorted({int(u) for u in resolved["user_id"]}))
    else:
        where = st.text_input(
            "Predicate on the plan's rows",
            key="b_where",
            placeholder="e.g. item = 'oath_token' AND action = 'create_hardware_oath'",
            help="one SQL expression over username, upn, item, ref, action, value, reason, writable, "
            "entra_id, tier (P1, P2, P3 after the phone retirement date); "
            "it runs in a sandbox that holds only a copy of the plan",
        )
        selection = Selection(where=where, retirement=ctx.retirement) if where.strip() else None
    if problem:
        st.error(problem)
    options = handoff.form(ctx.options, groups)
    from analysis.execute.policy import read_policy

    st.caption(
        f"Users are planned with the current settings ({ctx.settings.signature()}); "
        "only users whose plan says "
        f"'migrate' are taken. Four-eyes rule (workspace policy): {read_policy(cursor(ws.path)).rule}"
        + (f"; {handoff.summary(options)}." if options is not None else ".")
    )
    only_ready = st.checkbox("Only ready users (leave out users with a blocker finding)", key="b_only_ready")
    if st.button(
        "Create draft batch",
        type="primary",
        disabled=selection is None or options is None or not name.strip(),
        key="b_create",
    ):
        if not (ident.can_run or ident.can_approve):
            st.error("Only approvers and operators may create batches.")
            return
        try:
            with plans._lock:  # the plan table must not be replaced while its rows are frozen
                plans.current(ws, ctx.settings)
                found = gate.findings(cursor(ws.path), plan, ctx.retirement)
                created = create_batch(
                    cursor(ws.path),
                    name=name,
                    plan=plan,
                    selection=selection,  # type: ignore[arg-type]
                    options=options,  # type: ignore[arg-type]
                    actor=ident.actor(),
                    exclude=gate.blocked(found) if only_ready else frozenset(),
                    why_excluded="not ready (a blocker finding)",
                )
                gate.store(cursor(ws.path), created.batch.batch_id, found)
        except UserError as exc:
            st.error(str(exc))
            return
        excluded = ", ".join(f"{n:,} {outcomes.label(a).lower()}" for a, n in created.excluded)
        flash(
            f"Created batch {created.batch.batch_id} ({created.batch.name}): {created.users:,} users, "
            f"{created.rows:,} plan rows, hash {created.batch.plan_hash[:12]}."
            + (f" Left out: {excluded}." if excluded else "")
            + (
                f" {created.overlapping:,} users are also in another open batch."
                if created.overlapping
                else ""
            )
        )
        st.session_state["b_focus"] = created.batch.batch_id
        st.rerun()


# ---------------------------------------------------------------- approve
def approve_panel(ctx: Context, batch: pd.Series) -> None:
    ident = ctx.identity
    st.markdown(
        "**Next step: approval.** The approver signs off exactly these frozen plan rows (their hash)."
    )
    summary = data.batch_rows_summary(ctx.workspace.path, int(batch["batch_id"]))
    graph = int(summary[summary["writable"] == "graph"]["rows"].sum())
    cur = cursor(ctx.workspace.path)
    frozen = get_batch(cur, int(batch["batch_id"]))
    checked = gate.of_batch(cur, frozen.batch_id)
    st.markdown(
        f"{int(batch['users']):,} users · {graph:,} Graph writes · "
        f"hash `{str(batch['plan_hash'])[:12]}` (see *Frozen plan* below)"
    )
    st.markdown(f"**Hand-off:** {handoffs.of_batch(cur, frozen).sentence()}.")
    if checked is not None:
        show = st.warning if checked.blocked_users else st.info
        show(f"**Readiness of its users:** {checked.sentence()}.")
    if not ident.can_approve:
        st.info(f"Only approvers may approve; you are `{ident.name}`.", icon=":material/lock:")
        return
    from analysis.execute.policy import approval_refusal, read_policy

    con, who = cursor(ctx.workspace.path), ident.actor()
    policy = read_policy(con)
    refusal = approval_refusal(con, get_batch(con, int(batch["batch_id"])), who, policy)
    if refusal:
        st.warning(
            refusal
            + (
                ". Everyone using this dashboard is its server's OS account: a second approver approves "
                "with `mfa-migrate batch approve` from their own account, or configure sign-in "
                "(docs/dashboard.md) and `mfa-migrate policy set approval signed_in`."
                if ident.mode == "local" or policy.approval == "os_user"
                else "."
            ),
            icon=":material/group:",
        )
        return
    if not policy.four_eyes:
        st.warning(f"Four-eyes rule {policy.rule}.", icon=":material/warning:")
    note = st.text_input(
        "Approval note (optional; recorded with the approval)", key=f"b_note_{batch['batch_id']}"
    )
    if st.button(
        f"Approve plan {str(batch['plan_hash'])[:12]} as {ident.name}",
        type="primary",
        key=f"b_approve_{batch['batch_id']}",
        disabled=ctx.workspace.read_only,
    ):
        from analysis.execute.batches import approve

        try:
            approved = approve(cursor(ctx.workspace.path), int(batch["batch_id"]), who, note.strip() or None)
        except UserError as exc:
            st.error(str(exc))
            return
        flash(f"Approved {approved.label} as {ident.name}.")
        st.rerun()


# ---------------------------------------------------------------- detail tabs
def frozen_plan(path: str, batch_id: int) -> None:
    summary = data.batch_rows_summary(path, batch_id)
    if summary.empty:
        st.caption("No rows.")
        return
    view = summary.copy()
    view["item"] = [outcomes.ITEM_LABELS.get(i, i) for i in view["item"]]
    st.dataframe(
        components.outcome_styled(view),
        hide_index=True,
        column_config={
            "item": "Item",
            "action": "Action",
            "writable": "Written by",
            "rows": st.column_config.NumberColumn("Rows", format="%d"),
        },
    )
    text = st.text_input("Filter rows by user, UPN or action", key=f"b_rows_filter_{batch_id}")
    rows = privacy.plan_rows(data.batch_rows_page(path, batch_id, text, 1000))
    st.caption(f"{len(rows):,} rows shown" + (" (first 1,000)" if len(rows) == 1000 else ""))
    components.plan_table(rows, key=f"b_rows_{batch_id}", height=320)
    st.download_button(
        "Download the frozen plan (CSV)",
        data=lambda: exports.csv_bytes(privacy.plan_rows(data.batch_rows_page(path, batch_id, "", None))),
        file_name=f"batch-{batch_id}-plan.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"b_rows_csv_{batch_id}",
    )


def users_tab(path: str, batch_id: int) -> None:
    status = data.batch_user_status(path, batch_id)
    cols = st.columns(max(1, len(status)))
    for col, (s, n) in zip(cols, zip(status["status"], status["users"], strict=True), strict=False):
        components.kpi(col, s.capitalize(), int(n))
    problems = data.batch_user_problems(path, batch_id)
    if problems.empty:
        st.caption("No user drifted or failed.")
    else:
        st.markdown("**Skipped or failed users**")
        st.dataframe(
            problems.assign(detail=privacy.phone_lists(problems["detail"])),
            hide_index=True,
            column_config={
                "username": "MFA Server user",
                "upn": "Entra UPN",
                "status": "Status",
                "detail": st.column_config.TextColumn("Why", width="large"),
                "updated_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            },
        )


VERIFY_LABELS = {
    "agrees": ("agrees", "#2e7d32"),
    "differs": ("differs", "#c62828"),
    "registered": ("registered since", "#2e7d32"),
    "handed_off": ("handed off (confirmed)", "#5c6bc0"),
    "not_migrated": ("not migrated (not handed over)", "#c62828"),
    "skipped": ("skipped", "#ef6c00"),
    "not_applicable": ("nothing to write", "#9e9e9e"),
}


def verification_tab(path: str, batch_id: int) -> None:
    rows = privacy.verification(data.batch_verification(path, batch_id))
    if rows.empty:
        st.caption("Not verified yet.")
        return
    counts = rows["outcome"].value_counts()
    cols = st.columns(len(counts))
    for col, (outcome, n) in zip(cols, counts.items(), strict=True):
        components.kpi(col, VERIFY_LABELS.get(str(outcome), (str(outcome), ""))[0].capitalize(), int(n))
    from analysis.execute.verify import figures

    campaign = bool(data.scalar(path, "dashboard/data.batch_is_campaign", batch_id=batch_id))
    st.caption(f"Latest verification: {figures(cursor(path), batch_id, campaign) or 'none'}.")
    show_all = st.toggle("Show every row (not only differences)", key=f"b_vall_{batch_id}")
    view = rows if show_all else rows[rows["outcome"] == "differs"]
    view = view.head(1000).reset_index(drop=True)
    colours = [VERIFY_LABELS.get(o, ("", None))[1] for o in view["outcome"]]
    view = view.assign(outcome=[VERIFY_LABELS.get(o, (o, None))[0] for o in view["outcome"]])
    st.dataframe(
        components.styled(view, {"outcome": colours}),
        hide_index=True,
        column_config={
            "username": "MFA Server user",
            "item": "Item",
            "ref": "Ref",
            "action": "Action",
            "writable": "Written by",
            "predicted": "Predicted",
            "actual": "Actual in Entra",
            "outcome": "Outcome",
            "verified_at": st.column_config.DatetimeColumn("Verified (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        },
    )
    st.download_button(
        "Download the verification (CSV)",
        data=lambda: exports.csv_bytes(rows),
        file_name=f"batch-{batch_id}-verification.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"b_ver_csv_{batch_id}",
    )
