"""One user, as the Users grid opens them: the utility's View side by side, this user's readiness findings
with what to do, every candidate account of an ambiguous match, their devices, Entra methods and plan.

Phone numbers go through :mod:`analysis.dashboard.privacy` (masked unless this viewer revealed them).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis.dashboard import components, data, privacy, userview
from analysis.dashboard.session import cursor
from analysis.sqlfiles import sql


def findings(ws: Any, report: Any, user_id: int) -> pd.DataFrame:
    """Every finding about this user (all checks), most serious first, with the check's title and fix."""
    from analysis.readiness import checks as readiness

    held = getattr(report, "_findings", None) or {}
    if held:
        parts = [df[df["user_id"] == user_id].assign(check_id=cid) for cid, df in held.items() if len(df)]
        rows = pd.concat(parts) if parts else pd.DataFrame(columns=["check_id", "subject_type", "detail"])
    else:
        rows = cursor(ws.path).execute(sql("dashboard/userpanel.findings"), {"user_id": user_id}).df()
    catalogue = {c.id: c for c in readiness.catalogue()}
    rows = rows[rows["check_id"].isin(list(catalogue))]
    out = pd.DataFrame(
        {
            "severity": [catalogue[c].severity for c in rows["check_id"]],
            "check": [catalogue[c].title for c in rows["check_id"]],
            "subject_type": list(rows["subject_type"]),
            "detail": list(rows["detail"]),
            "remediation": [catalogue[c].remediation for c in rows["check_id"]],
            "check_id": list(rows["check_id"]),
        }
    )
    out["rank"] = [readiness.SEVERITIES.index(s) for s in out["severity"]]
    return privacy.findings(out.sort_values(["rank", "check"]).drop(columns="rank").reset_index(drop=True))


def candidates(ws: Any, settings: Any, user_id: int) -> pd.DataFrame:
    """The Entra accounts this user's match keys point at, per step, and who else claims them."""
    params = {
        "user_id": user_id,
        "attr_mfa": settings.attribute_mfa,
        "attr_entra": settings.attribute_entra,
        "steps": list(settings.match_order),
    }
    con = cursor(ws.path)
    con.execute(sql("simulate/macros"))  # the simulator's match-key macros, one definition of the keys
    return con.execute(sql("dashboard/userpanel.candidates"), params).df()


CANDIDATE_LABELS = {
    "step": "Step",
    "entra_id": "Entra object id",
    "upn": "Entra UPN",
    "display_name": "Display name",
    "account_enabled": "Enabled",
    "user_type": "Type",
    "on_premises_sync_enabled": "Synced",
    "also_claimed_by": "Also claimed by (other MFA Server users)",
}
SEVERITY_MD = {
    "blocker": ":red-badge[blocker]",
    "warning": ":orange-badge[warning]",
    "info": ":blue-badge[info]",
}


def draw(ctx: Any, plan: Any, report: Any, user_id: int) -> None:
    ws = ctx.workspace
    detail = data.user_detail(ws.path, plan.key, plan.table, user_id)
    if detail["mfa"].empty:
        st.warning(f"No MFA Server user with id {user_id} in this workspace.")
        return
    u = detail["mfa"].iloc[0]
    st.subheader(f"`{u['username']}`", anchor="user")
    meta = [
        f"Name: {components.show(u['name'])}",
        f"Email: {components.show(u['email'])}",
        f"SID: {components.show(u['object_sid'])}",
        f"Group: {components.show(u['user_group'], '(no group)')}",
    ]
    meta.append("Enabled on MFA Server" if bool(u["enabled"]) else "**Disabled on MFA Server**")
    if not bool(u["details_known"]):
        meta.append("loaded from the Export Users CSV: devices and secrets unknown")
    st.caption(" · ".join(meta))
    user_row = detail["plan"][detail["plan"]["item"] == "user"]
    action = str(user_row.iloc[0]["action"]) if not user_row.empty else ""
    if action:
        box = (
            st.success
            if action == "migrate"
            else (st.error if action in ("unmatched", "ambiguous") else st.info)
        )
        box(f"**{components.outcome_md(action)}** — {components.show(user_row.iloc[0]['reason'], '')}")

    if action == "ambiguous":
        st.markdown(
            "**Every candidate account** — the match steps point at these; fix the duplicate to migrate"
        )
        found = candidates(ws, ctx.settings, user_id)
        if found.empty:
            st.caption("No Entra account matches this user's keys under the current match settings.")
        else:
            st.table(components.readable(found).rename(columns=CANDIDATE_LABELS), hide_index=True)

    st.table(userview.side_by_side(detail, privacy.number).set_index(""))

    mine = findings(ws, report, user_id)
    st.markdown(f"**Readiness findings** ({len(mine)})")
    if mine.empty:
        st.caption("None: no check found anything about this user.")
    else:
        for r in mine.itertuples():
            st.markdown(
                f"{SEVERITY_MD.get(r.severity, r.severity)} **{r.check}** — {r.detail}  \n"
                f":material/build: {r.remediation}"
            )

    left, right = st.columns(2)
    with left:
        st.markdown("**Authenticator devices on MFA Server**")
        devices = detail["devices"]
        if devices.empty:
            st.caption("None." if bool(u["details_known"]) else "Unknown (Export Users CSV).")
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
            shown = methods.assign(phone_number=privacy.numbers(methods["phone_number"])).drop(
                columns="method_id"
            )
            st.table(
                components.readable(shown).rename(
                    columns={
                        "kind": "Kind",
                        "phone_type": "Phone type",
                        "phone_number": "Number",
                        "display_name": "Name",
                    }
                ),
                hide_index=True,
            )

    st.markdown("**This user's plan rows**")
    components.plan_table(privacy.plan_rows(detail["plan"]), full_text=True)
