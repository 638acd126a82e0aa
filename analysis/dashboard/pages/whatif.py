"""What-if: change the utility's settings and see, before anything is written, what would change."""

import dataclasses

import pandas as pd
import streamlit as st

from analysis import settingsfile
from analysis.dashboard import (
    charts,
    components,
    context,
    data,
    outcomes,
    plans,
    privacy,
    retirement,
    settingsstore,
)
from analysis.errors import UserError
from analysis.readiness.retirement import Retirement

ctx = context.get()
ws = ctx.workspace
components.header(
    "What-if",
    "What changes if we migrate other methods, match users differently, or scope to a group? "
    "Compared with the current settings; nothing is written.",
)

base = ctx.settings
try:
    from analysis.simulate.settings import (
        DEFAULT_MODES,
        ENTRA_PROPERTIES,
        MATCH_STEPS,
        METHODS,
        MFA_FIELDS,
        Settings,
    )
except ImportError:  # pragma: no cover - the simulator is part of the product
    st.stop()

METHOD_LABELS = {
    "phone": "Phone",
    "backup_phone": "Backup phone",
    "mobile_app": "Mobile app",
    "oath_token": "OATH token",
}
MODE_LABELS = {
    "always": "Always migrate the default method",
    "if_unset": "Only if Entra has none",
    "most_secure_if_unset": "Most secure available, only if Entra has none",
    "never": "Never (leave the default alone)",
}
STEP_LABELS = {"upn": "UPN", "sid": "SID", "attribute": "Attribute"}

with st.form("whatif"):
    c1, c2 = st.columns(2)
    methods = c1.multiselect(
        "Methods to migrate",
        list(METHODS),
        default=list(base.methods),
        format_func=METHOD_LABELS.get,
        key="w_methods",
    )
    mode = c2.selectbox(
        "Default method",
        list(DEFAULT_MODES),
        index=list(DEFAULT_MODES).index(base.default_method),
        format_func=MODE_LABELS.get,
        key="w_mode",
    )
    c1, c2, c3 = st.columns([2, 1, 1])
    order = c1.multiselect(
        "User match steps, in order",
        list(MATCH_STEPS),
        default=list(base.match_order),
        format_func=STEP_LABELS.get,
        key="w_order",
        help="tried in the order listed; the first step that finds anyone decides",
    )
    attr_mfa = c2.selectbox(
        "Attribute: MFA Server field",
        list(MFA_FIELDS),
        index=list(MFA_FIELDS).index(base.attribute_mfa),
        key="w_attr_mfa",
    )
    attr_entra = c3.selectbox(
        "Attribute: Entra property",
        list(ENTRA_PROPERTIES),
        index=list(ENTRA_PROPERTIES).index(base.attribute_entra),
        key="w_attr_entra",
    )
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    groups = data.group_names(ws.path, ws.load_id)
    options = ["", *groups]
    group = c1.selectbox(
        "Scope: migration group",
        options,
        index=options.index(base.group) if base.group in options else 0,
        format_func=components.group_label(groups, "(every matched user)"),
        accept_new_options=True,
        key="w_group",
        help="name or id of the group whose transitive members are migrated",
    )
    only_changed = c2.toggle(
        "Only changed users",
        value=base.only_changed,
        key="w_changed",
        help="off = 'Migrate all users' even if unchanged since their last migration",
    )
    skip_disabled = c3.toggle("Skip disabled users", value=base.skip_disabled, key="w_disabled")
    limit = c4.number_input(
        "Device limit",
        min_value=0,
        max_value=100,
        value=base.device_limit,
        step=1,
        key="w_limit",
        help="Entra allows 5 Authenticator/OATH methods per user",
    )
    submitted = st.form_submit_button("Compare with the current settings", type="primary")

doc = {
    "migrate": {"methods": list(methods), "default_method": mode},
    "match": {"order": list(order), "attribute": {"mfa": attr_mfa, "entra": attr_entra}},
    "scope": {"group": group or "", "only_changed": bool(only_changed), "skip_disabled": bool(skip_disabled)},
    "limits": {"device_limit": int(limit)},
}
if submitted:
    st.session_state["whatif_doc"] = doc
made = st.session_state.pop("w_made_current", None)
if made:
    st.success(
        f"These settings are current now (written to `{made}`): every page and session plans with them.",
        icon=":material/check_circle:",
    )
with components.user_errors():  # the [retirement] what-if: its own form, the plan unchanged
    retirement.whatif(ws, plans.current(ws, base), ctx.retirement or Retirement())
chosen = st.session_state.get("whatif_doc")
if not chosen:
    st.info("Change any setting above and press **Compare** to see the difference.")
    st.stop()
try:
    settings = Settings.from_dict(chosen, source="the what-if form")
except UserError as exc:
    st.error(str(exc))
    st.stop()
if settings == base:
    st.info("These are the current settings: nothing would change. Change a setting and compare again.")
    st.stop()

with components.user_errors():
    plans.current(ws, base)
    report = plans.report(ws, base, ctx.retirement)
    result = plans.whatif(ws, settings, base, ctx.retirement)

st.subheader("What would change")
changes = plans.settings_changes(base, settings)
st.markdown("**Changed:** " + "; ".join(f"{name}: {old} → **{new}**" for name, old, new in changes))
users = result.users.set_index("action")


def users_of(action: str, col: str) -> int:
    return int(users[col].get(action, 0)) if action in users.index else 0


counts = result.counts
writes = counts[counts["item"] != "user"].merge(result.writable, on=["item", "action"], how="left")
graph_now = int(writes[writes["writable"] == "graph"]["current"].sum())
graph_new = int(writes[writes["writable"] == "graph"]["whatif"].sum())
now_score, new_score = report.score.tenant, result.tenant


def delta(new: float, old: float, fmt: str = "{:+,}") -> str | None:
    return fmt.format(new - old) if new != old else None


c = st.columns(4)
components.kpi(
    c[0],
    "Readiness score",
    f"{new_score['score'] or 0:.1f} / 100",
    delta=delta(new_score["score"] or 0, now_score["score"] or 0, "{:+.1f}"),
    help=f"now {now_score['score'] or 0:.1f}; {report.score.formula}",
)
components.kpi(
    c[1],
    "Blocked users",
    int(new_score["blocked"] or 0),
    delta=delta(int(new_score["blocked"] or 0), int(now_score["blocked"] or 0)),
    delta_color="inverse",
    help=f"now {int(now_score['blocked'] or 0):,}: users with at least one blocker finding",
)
components.kpi(
    c[2],
    "With warnings",
    int(new_score["with_warnings"] or 0),
    delta=delta(int(new_score["with_warnings"] or 0), int(now_score["with_warnings"] or 0)),
    delta_color="inverse",
    help=f"now {int(now_score['with_warnings'] or 0):,}",
)
components.kpi(c[3], "Users changed", result.changed_users, help="users with any plan row that differs")
c = st.columns(4)
for col, action, label in ((c[0], "migrate", "Will migrate"), (c[1], "unmatched", "Unmatched")):
    now, new = users_of(action, "current"), users_of(action, "whatif")
    components.kpi(
        col, label, new, delta=delta(new, now), delta_color="normal" if action == "migrate" else "inverse"
    )
components.kpi(c[2], "Graph writes", graph_new, delta=delta(graph_new, graph_now), delta_color="off")
components.kpi(c[3], "Plan rows that change", result.changed_outcomes)

flow = result.flow
again = flow[(flow["item"] == "user") & (flow["a"] == "unchanged") & (flow["b"] == "migrate")]
remigrated = int(again["n"].sum()) if not again.empty else 0
if remigrated:
    st.warning(
        f"**{remigrated:,} users already migrated would be migrated again.** They are *unchanged* now: "
        "migrated with the current selection and not modified since. The utility migrates a user again "
        "whenever the selection it would use (the methods and default-method mode: "
        f"`{settings.signature()}` instead of `{base.signature()}`) differs from the one they were "
        "migrated with, even if nothing about the user changed. They are counted apart below "
        "(*Re-migrated*), so they do not look like new problems.",
        icon=":material/replay:",
    )

tab_deltas, tab_flow, tab_users = st.tabs(["Deltas", "Flow of outcomes", "Affected users"])
with tab_deltas:
    changed = counts[counts["delta"] != 0].copy()
    if changed.empty:
        st.success("No outcome count changes (values may still differ; see Affected users).")
    else:
        changed["item"] = [outcomes.ITEM_LABELS.get(i, i) for i in changed["item"]]
        changed = changed.sort_values("delta", key=lambda s: -s.abs())
        st.dataframe(
            components.outcome_styled(changed),
            hide_index=True,
            column_config={
                "item": "Item",
                "action": "Action",
                "current": st.column_config.NumberColumn("Current", format="%d"),
                "whatif": st.column_config.NumberColumn("What-if", format="%d"),
                "delta": st.column_config.NumberColumn("Change", format="%+d"),
            },
        )
with tab_flow:
    only_moves = st.toggle("Show only outcomes that move", value=True, key="w_moves")
    item_names = sorted(flow["item"].unique())
    moved = flow[flow["a"].fillna("") != flow["b"].fillna("")].groupby("item")["n"].sum()
    busiest = list(moved.sort_values(ascending=False).index[:2]) or item_names[:1]
    items = st.multiselect(
        "Items",
        item_names,
        default=busiest,
        format_func=lambda i: outcomes.ITEM_LABELS.get(i, i),
        key="w_items",
        help="one or two items at a time keep the flow readable",
    )
    shown = flow[flow["item"].isin(items)]
    if only_moves:
        shown = shown[shown["a"].fillna("") != shown["b"].fillna("")]
    if shown.empty:
        st.info("No outcome moves for the chosen items.")
    else:
        shown = shown.replace({pd.NA: None})
        st.plotly_chart(charts.outcome_flow(shown, "Current settings", "What-if"), key="w_sankey")
        moves = charts.flow_table(shown)
        st.table(moves, hide_index=True)
with tab_users:
    diff = result.diff
    view = privacy.plan_rows(diff.head(1000).reset_index(drop=True))
    st.caption(
        f"{result.changed_outcomes:,} outcomes of {result.changed_users:,} users differ"
        + (
            "; the first 1,000 are listed, download them all below."
            if result.changed_outcomes > 1000
            else "."
        )
        + " Before and after show the outcome and its value."
    )

    def side(action: object, value: object) -> str:
        label = components.outcome_text(action) or "(not in plan)"
        shown_value = components.show(value, "")
        return f"{label}: {shown_value}" if shown_value else label

    view.insert(
        0, "Before", [side(a, v) for a, v in zip(view["before_action"], view["before_value"], strict=True)]
    )
    view.insert(
        1, "After", [side(a, v) for a, v in zip(view["after_action"], view["after_value"], strict=True)]
    )
    view.insert(
        2,
        "Why",
        [
            "yes: the selection differs from the one they were migrated with"
            if (a == "unchanged" and b == "migrate")
            else ""
            for a, b in zip(view["before_action"], view["after_action"], strict=True)
        ],
    )
    view["item"] = [outcomes.ITEM_LABELS.get(i, i) for i in view["item"]]
    components.paged_table(
        view,
        key=f"w_users_{result.settings_doc}",
        labels={
            "username": "MFA Server user",
            "item": "Item",
            "ref": "Ref",
            "Before": "Before: outcome and value",
            "After": "After: outcome and value",
            "Why": "Re-migrated",
            "after_reason": "Why (after)",
        },
        colours={
            "Before": [outcomes.colour(a) if isinstance(a, str) else None for a in view["before_action"]],
            "After": [outcomes.colour(a) if isinstance(a, str) else None for a in view["after_action"]],
        },
    )
    st.download_button(
        f"Download all {result.changed_outcomes:,} differences (CSV)",
        data=lambda: plans.whatif_csv(ws, base, settings, privacy.revealed()),
        file_name="what-if-differences.csv",
        mime="text/csv",
        icon=":material/download:",
        key="w_csv",
    )

st.subheader("Keep these settings")
# The file in force with only its simulation settings replaced: every other section is kept as it is.
whole = dataclasses.replace(settingsstore.read(ws.path), whatif=settings)
text = settingsfile.to_toml(whole)
k1, k2 = st.columns([1, 2])
k1.download_button(
    "Save these settings (TOML)",
    data=text,
    file_name="mfa-migrate-settings.toml",
    mime="application/toml",
    icon=":material/save:",
    key="w_toml",
    help="every section, [execute] and [retirement] as they are now; give it to the CLI's --settings",
)
target = settingsstore.path_for(ws.path) or f"{ws.path.rsplit('.', 1)[0]}.settings.toml"
allowed = ctx.identity.can_approve or ctx.identity.can_run
with k2.popover(
    "Make these the current settings", icon=":material/published_with_changes:", disabled=not allowed
):
    st.markdown(
        f"Every page and session will plan with these settings from now on (no restart). Writes `{target}` "
        f"(its `[execute]` and `[retirement]` are kept) and records the change as **{ctx.identity.name}**."
    )
    if st.button("Make current", type="primary", key="w_make_current"):
        with components.user_errors():
            written = settingsstore.make_current(ctx, text)
        st.session_state.pop("whatif_doc", None)
        st.session_state["w_made_current"] = str(written)
        st.rerun()
if not allowed:
    k2.caption("Making settings current is for approvers and operators.")
