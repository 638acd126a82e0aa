"""Rollout & cut-over: who Entra routes to cloud MFA, whether that is safe, how far the runbook is."""

import pandas as pd
import streamlit as st

from analysis.dashboard import components, context, data, exports, plans, privacy

ctx = context.get()
ws = ctx.workspace
components.header(
    "Rollout & cut-over",
    "Which users does Entra already send to cloud MFA, are any of them not migrated yet, "
    "and what is left before MFA Server can be switched off?",
)

with components.user_errors():
    plan = plans.current(ws, ctx.settings)
    report = plans.report(ws, ctx.settings, ctx.retirement)

GROUP_LIMIT, USERS_PER_GROUP = 10, 50_000


def health(row: pd.Series) -> str:
    """Why Staged Rollout would not route this group's users as intended ('' = healthy)."""
    problems = []
    if row["group_missing"]:
        problems.append("group not in the snapshot")
    if row["dynamic"]:
        problems.append("dynamic group (not supported)")
    if row["nested_groups"]:
        problems.append(f"{row['nested_groups']} nested group(s) ignored")
    if row["contacts"]:
        problems.append(f"{row['contacts']} contact(s) block adding the group")
    if row["direct_users"] > USERS_PER_GROUP:
        problems.append(f"over {USERS_PER_GROUP:,} users")
    if row["groups_in_policy"] > GROUP_LIMIT:
        problems.append(f"policy has over {GROUP_LIMIT} groups")
    if ctx.settings.group and ctx.settings.group in (row["group_name"], row["group_id"]):
        problems.append("also the migration group (use separate groups)")
    return "; ".join(problems)


# ---------------------------------------------------------------- Staged Rollout
st.subheader("Staged Rollout")
groups = data.rollout_groups(ws.path, ws.load_id)
mfa_policies = (
    groups[groups["feature"].str.lower() == "multifactorauthentication"] if not groups.empty else groups
)
hazard = (
    report.result("rollout_users_not_migrated")
    if any(r.check.id == "rollout_users_not_migrated" for r in report.results)
    else None
)
# not read is not none: a snapshot taken with an app-only token cannot read Staged Rollout
unknown = data.not_read(ws.path, ws.load_id).get("staged_rollout")
NOT_READ = "not read"
c = st.columns(4)
components.kpi(
    c[0],
    "MFA rollout policies",
    NOT_READ if unknown else (int(mfa_policies["policy_id"].nunique()) if not groups.empty else 0),
)
components.kpi(
    c[1],
    "Rollout groups",
    NOT_READ if unknown else (int(mfa_policies["group_id"].nunique()) if not groups.empty else 0),
)
routed = data.rollout_routed(ws.path, plan.key, plan.table)
components.kpi(
    c[2],
    "Users routed to cloud MFA",
    NOT_READ if unknown else (int(routed["routed"].sum()) if not routed.empty else 0),
    help="direct user members of groups in an enabled MFA rollout policy",
)
components.kpi(
    c[3],
    "Routed but not migrated",
    NOT_READ if unknown else (hazard.count if hazard is not None else 0),
    help="these users are asked for MFA by Entra, which does not hold their methods yet",
)

if unknown:
    st.warning(
        f"Staged Rollout was **not read**: {unknown}. Who Entra routes to cloud MFA is unknown; take the "
        "snapshot again with a delegated token (`mfa-migrate snapshot --device-code`) to know.",
        icon=":material/help:",
    )
elif groups.empty:
    st.info(
        "The tenant has no Staged Rollout policy: every user still does MFA where the domain federation says."
    )
else:
    view = (
        groups.merge(routed, on="group_id", how="left")
        if not routed.empty
        else groups.assign(routed=0, migrated=0)
    )
    view["routed"] = view["routed"].fillna(0).astype(int)
    view["migrated"] = view["migrated"].fillna(0).astype(int)
    problems = [health(r) for _, r in view.iterrows()]
    pending = [
        f"{routed - migrated:,} routed user(s) not migrated yet" if routed > migrated else ""
        for routed, migrated in zip(view["routed"], view["migrated"], strict=True)
    ]
    view["Health"] = [
        "; ".join(p for p in pair if p) or "healthy" for pair in zip(problems, pending, strict=True)
    ]
    health_colours = [
        "#c62828" if p else ("#ef6c00" if w else "#2e7d32") for p, w in zip(problems, pending, strict=True)
    ]
    view["Migrated"] = [components.pct(m, n) for m, n in zip(view["migrated"], view["routed"], strict=True)]
    table = view[
        [
            "policy",
            "feature",
            "enabled",
            "whole_organisation",
            "group_name",
            "direct_users",
            "routed",
            "migrated",
            "Migrated",
            "Health",
        ]
    ].reset_index(drop=True)
    # a static table: every cell wraps, so the health text is read whole
    st.table(
        components.styled(
            components.readable(table).rename(
                columns={
                    "policy": "Policy",
                    "feature": "Feature",
                    "enabled": "Enabled",
                    "whole_organisation": "Whole org.",
                    "group_name": "Group",
                    "direct_users": "Direct users",
                    "routed": "Routed (MFA)",
                    "migrated": "Migrated",
                    "Migrated": "Share migrated",
                }
            ),
            {"Health": health_colours},
        ),
        hide_index=True,
    )
    st.caption(
        f"Staged Rollout routes direct members only: no nested or dynamic groups, no contacts, at most "
        f"{GROUP_LIMIT} groups of {USERS_PER_GROUP:,} users per feature."
    )

st.markdown("**Routed but not migrated** — fix these first")
if unknown:
    st.warning(
        "Not read: whether anybody is routed to cloud MFA before their data is in Entra is unknown.",
        icon=":material/help:",
    )
elif hazard is None or hazard.count == 0:
    st.success("Nobody is routed to cloud MFA before their data is in Entra.", icon=":material/check_circle:")
else:
    st.error(
        f"**{hazard.count:,} users** are routed to cloud MFA but their MFA Server methods are not in Entra. "
        f"{hazard.check.remediation}",
        icon=":material/warning:",
    )
    listed = privacy.findings(plans.findings(ws, report, "rollout_users_not_migrated", limit=1000)[0])
    if hazard.count > 1000:
        st.caption(f"The first 1,000 of {hazard.count:,} are listed; the download has all of them.")
    components.paged_table(
        listed,
        key="ro_hazard_page",
        labels={"username": "MFA Server user", "upn": "Entra UPN", "detail": "Why"},
    )
    st.download_button(
        f"Download all {hazard.count:,} (CSV)",
        data=lambda: exports.csv_bytes(
            privacy.findings(plans.findings(ws, report, "rollout_users_not_migrated")[0])
        ),
        file_name="routed-not-migrated.csv",
        mime="text/csv",
        key="ro_hazard_csv",
        icon=":material/download:",
    )

# ---------------------------------------------------------------- federation
st.subheader("Federation per domain")
domains = data.domains(ws.path, ws.load_id)
BEHAVIOUR = {
    "acceptIfMfaDoneByFederatedIdp": (
        "Accepts MFA done by the federated IdP (MFA Server via AD FS), else Entra does MFA"
    ),
    "enforceMfaByFederatedIdp": "Sends MFA to the federated IdP: MFA Server still does it",
    "rejectMfaByFederatedIdp": "Entra always does MFA itself: cut-over done for this domain",
}
if domains.empty:
    st.info("The snapshot has no domains.")
else:
    domains["What it means"] = [
        BEHAVIOUR.get(b, "Not set: the legacy SupportsMfa flag may still send MFA on-premises")
        if t == "Federated"
        else "Managed: Entra does MFA itself"
        for b, t in zip(domains["federated_idp_mfa_behavior"], domains["authentication_type"], strict=True)
    ]
    st.table(
        components.readable(domains.drop(columns=["sign_in_uri"], errors="ignore")).rename(
            columns={
                "domain": "Domain",
                "authentication_type": "Type",
                "is_verified": "Verified",
                "federated_idp_mfa_behavior": "federatedIdpMfaBehavior",
                "issuer": "Issuer",
                "protocol": "Protocol",
            }
        ),
        hide_index=True,
    )
    st.caption(
        "The cut-over sets federatedIdpMfaBehavior to rejectMfaByFederatedIdp once every user is migrated "
        "(`mfa-migrate` CLI, behind a confirmation); the change can take up to 24 hours to apply."
    )

# ---------------------------------------------------------------- runbook
st.subheader("Runbook")
runbook = report.runbook
MARK = {
    "done": ":green[:material/check_circle: done]",
    "in progress": ":blue[:material/autorenew: in progress]",
    "to do": ":gray[:material/radio_button_unchecked: to do]",
    "manual": ":orange[:material/pan_tool: check by hand]",
}
phases = list(dict.fromkeys(runbook["phase"]))
cols = st.columns(len(phases)) if phases else []
for col, phase in zip(cols, phases, strict=True):
    steps = runbook[runbook["phase"] == phase]
    done = int((steps["status"] == "done").sum())
    with col, st.container(border=True):
        st.markdown(f"**{phase}** · {done}/{len(steps)} done")
        for _, step in steps.iterrows():
            st.markdown(f"{MARK.get(step['status'], step['status'])} — **{step['step']}**")
            st.caption(step["evidence"])
