"""What-if: change the utility's settings and see, before anything is written, what would change."""

import pandas as pd
import streamlit as st

from analysis.dashboard import charts, components, context, data, outcomes, plans, privacy
from analysis.errors import UserError

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
        format_func=lambda g: g or "(every matched user)",
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
    result = plans.whatif(ws, settings, base)

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
c = st.columns(5)
components.kpi(c[0], "Users changed", result.changed_users, help="users with any plan row that differs")
components.kpi(c[1], "Plan rows that change", result.changed_outcomes)
for col, action, label in ((c[2], "migrate", "Will migrate"), (c[3], "unmatched", "Unmatched")):
    now, new = users_of(action, "current"), users_of(action, "whatif")
    components.kpi(
        col,
        label,
        new,
        delta=f"{new - now:+,}" if new != now else None,
        delta_color="normal" if action == "migrate" else "inverse",
    )
components.kpi(
    c[4],
    "Graph writes",
    graph_new,
    delta=f"{graph_new - graph_now:+,}" if graph_new != graph_now else None,
    delta_color="off",
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
    flow = result.flow
    only_moves = st.toggle("Show only outcomes that move", value=True, key="w_moves")
    items = st.multiselect(
        "Items",
        sorted(flow["item"].unique()),
        default=sorted(flow["item"].unique()),
        format_func=lambda i: outcomes.ITEM_LABELS.get(i, i),
        key="w_items",
    )
    shown = flow[flow["item"].isin(items)]
    if only_moves:
        shown = shown[shown["a"].fillna("") != shown["b"].fillna("")]
    if shown.empty:
        st.info("No outcome moves for the chosen items.")
    else:
        shown = shown.replace({pd.NA: None})
        st.plotly_chart(charts.outcome_flow(shown, "Current settings", "What-if"), key="w_sankey")
with tab_users:
    diff = result.diff
    st.caption(
        f"{result.changed_outcomes:,} outcomes of {result.changed_users:,} users differ"
        + (
            "; the first 1,000 are listed, download them all below."
            if result.changed_outcomes > 1000
            else "."
        )
    )
    view = privacy.plan_rows(diff.head(1000).reset_index(drop=True))
    view.insert(0, "Before", [components.outcome_text(a) or "(not in plan)" for a in view["before_action"]])
    view.insert(1, "After", [components.outcome_text(a) or "(not in plan)" for a in view["after_action"]])
    tone = [outcomes.colour(a) if isinstance(a, str) else None for a in view["after_action"]]
    before = [outcomes.colour(a) if isinstance(a, str) else None for a in view["before_action"]]
    st.dataframe(
        components.styled(view, {"Before": before, "After": tone}),
        hide_index=True,
        column_config={
            "user_id": None,
            "username": "MFA Server user",
            "upn": "Entra UPN",
            "item": "Item",
            "ref": "Ref",
            "before_action": None,
            "after_action": None,
            "before_value": "Value before",
            "after_value": "Value after",
            "before_reason": st.column_config.TextColumn("Reason before", width="medium"),
            "after_reason": st.column_config.TextColumn("Reason after", width="medium"),
        },
    )
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download every difference (CSV)",
        data=lambda: plans.whatif_csv(ws, base, settings, privacy.revealed()),
        file_name="what-if-differences.csv",
        mime="text/csv",
        icon=":material/download:",
        key="w_csv",
    )
    d2.download_button(
        "Save these settings (TOML)",
        data=settings.to_toml(),
        file_name="mfa-migrate-settings.toml",
        mime="application/toml",
        icon=":material/save:",
        key="w_toml",
        help="point MFA_MIGRATE_SETTINGS (dashboard) or --settings (CLI) at this file to make them current",
    )
