"""Users: find one user and see MFA Server, Entra and the plan side by side (the utility's View)."""

import streamlit as st

from analysis.dashboard import components, context, data, plans, privacy, userview

ctx = context.get()
ws = ctx.workspace
components.header(
    "Users", "What does a user have on MFA Server and in Entra, and what will the migration do to them?"
)

with components.user_errors():
    plan = plans.current(ws, ctx.settings)

text = st.text_input(
    "Search by name, username, UPN, email or SID",
    key="user_search",
    placeholder="e.g. alice, CONTOSO\\alice, alice@contoso.com, S-1-5-21-…",
)
hits = data.search_users(ws.path, plan.key, plan.table, text)
if hits.empty:
    st.info("No MFA Server user matches that search.")
    st.stop()

st.caption(
    f"{len(hits):,} user{'' if len(hits) == 1 else 's'} shown"
    + (" (first 200; refine the search)" if len(hits) >= 200 else "")
    + ". Click a row to open it."
)
shown = components.outcome_styled(hits, column="outcome", into="Outcome")
picked = st.dataframe(
    shown,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="user_hits",
    height="auto" if len(hits) <= 6 else 240,
    column_config={
        "user_id": None,
        "outcome": None,
        "username": "MFA Server username",
        "name": "Name",
        "upn": "Matched Entra UPN",
        "sid": "SID",
    },
)
rows = picked.selection.rows if picked is not None else []
index = rows[0] if rows else 0
user_id = int(hits.iloc[index]["user_id"])

detail = data.user_detail(ws.path, plan.key, plan.table, user_id)
u = detail["mfa"].iloc[0]
st.subheader(f"`{u['username']}`")
meta = [
    f"Name: {components.show(u['name'])}",
    f"Email: {components.show(u['email'])}",
    f"SID: {components.show(u['object_sid'])}",
]
meta.append("Enabled on MFA Server" if bool(u["enabled"]) else "**Disabled on MFA Server**")
if not bool(u["details_known"]):
    meta.append("loaded from the Export Users CSV: devices and secrets unknown")
st.caption(" · ".join(meta))
user_row = detail["plan"][detail["plan"]["item"] == "user"]
if not user_row.empty:
    action = str(user_row.iloc[0]["action"])
    box = (
        st.success if action == "migrate" else (st.error if action in ("unmatched", "ambiguous") else st.info)
    )
    box(f"**{components.outcome_md(action)}** — {components.show(user_row.iloc[0]['reason'], '')}")

st.dataframe(
    userview.side_by_side(detail, privacy.number),
    hide_index=True,
    column_config={"": st.column_config.TextColumn("", width="small")},
)

left, right = st.columns(2)
with left:
    st.markdown("**Authenticator devices on MFA Server**")
    devices = detail["devices"]
    if devices.empty:
        st.caption("None.")
    else:
        st.dataframe(
            components.outcome_styled(devices),
            hide_index=True,
            column_config={
                "action": None,
                "device_id": "Device",
                "device_name": "Name",
                "activated_at": "Activated",
                "app_version": "App",
                "notification_type": "Push via",
                "account_name": "Account name",
                "reason": st.column_config.TextColumn("Reason", width="large"),
            },
        )
with right:
    st.markdown("**Authentication methods in Entra now**")
    methods = detail["methods"]
    if detail["entra"].empty:
        st.caption("No Entra user matched.")
    elif methods.empty:
        st.caption("None registered.")
    else:
        st.dataframe(
            methods.assign(phone_number=privacy.numbers(methods["phone_number"])),
            hide_index=True,
            column_config={
                "kind": "Kind",
                "phone_type": "Phone type",
                "phone_number": "Number",
                "display_name": "Name",
                "method_id": None,
            },
        )

st.markdown("**This user's plan rows**")
components.plan_table(privacy.plan_rows(detail["plan"]))
