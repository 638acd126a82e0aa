"""The sidebar: who you are, which workspace and sources you are looking at, and loading other files."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.dashboard import data, privacy
from analysis.dashboard.context import Context
from analysis.errors import UserError


def _identity(ctx: Context) -> None:
    ident = ctx.identity
    if ident.mode == "local":
        st.warning(
            f"**Local mode** — no sign-in is configured. Approvals and runs are recorded as `{ident.name}`, "
            f"the OS account `{ident.actor().os.name}` this dashboard runs as: a second approver cannot be "
            "told apart here.",
            icon=":material/person_alert:",
        )
    else:
        st.success(f"Signed in as **{ident.display}**", icon=":material/verified_user:")
    allowed = [r for r, ok in (("approve", ident.can_approve), ("run", ident.can_run)) if ok]
    st.caption(
        "May " + " and ".join(allowed) + " batches." if allowed else "Read-only: may not approve or run."
    )
    if ident.note:
        st.info(ident.note, icon=":material/key:")
    if ident.mode == "oidc" and st.button("Sign out", key="logout"):
        st.logout()


def _sources(ctx: Context) -> None:
    ws = ctx.workspace
    st.markdown(f"**Workspace** `{Path(ws.path).name}`")
    st.caption(ws.path)
    if ws.read_only:
        st.info(ws.why_read_only, icon=":material/lock:")
    info = data.load_info(ws.path, ws.load_id)
    if info.empty:
        st.caption("No load recorded in this workspace.")
        return
    st.caption(
        f"Loaded {info.loc[0, 'loaded_at']} · {info.loc[0, 'datafile_kind']} · tenant {info.loc[0, 'tenant']}"
    )
    with st.expander("Sources", expanded=False):
        srcs = data.load_sources(ws.path, ws.load_id)
        st.dataframe(
            srcs,
            hide_index=True,
            column_config={
                "source": "Source",
                "file": "File",
                "sha256": st.column_config.TextColumn("SHA-256", help="first 12 hex digits"),
                "rows": st.column_config.NumberColumn("Rows", format="%d"),
            },
        )
        st.caption(f"Load `{ws.load_id[:12]}`; every file's full SHA-256 is in the `load_sources` table.")


def _may_act(ctx: Context) -> bool:
    """Opening or loading files is acting: it needs a role (and, in local mode, the operator token)."""
    return ctx.identity.can_run or ctx.identity.can_approve


def _load_form(ctx: Context) -> None:
    ws = ctx.workspace
    with st.expander("Open or load other files", expanded=False):
        with st.form("open-workspace", border=False):
            target = st.text_input("Workspace file", value=ws.path, help="a .duckdb file on this machine")
            if st.form_submit_button("Open workspace", disabled=not _may_act(ctx)) and _may_act(ctx):
                path = Path(target).expanduser()
                if not path.exists():
                    st.error(f"{path} does not exist. Load files into it below, or check the path.")
                else:
                    st.session_state["workspace_path"] = str(path.resolve())
                    st.rerun()
        st.divider()
        with st.form("load-files", border=False):
            st.caption("Replace this workspace's data with other files (paths on this machine).")
            datafile = st.text_input(
                "MFA Server datafile or Export Users CSV",
                placeholder="/path/PhoneFactor.pfdata",
                key="sb_datafile",
            )
            tenant = st.text_input("Tenant snapshot directory", placeholder="/path/tenant", key="sb_tenant")
            go = st.form_submit_button("Load into this workspace", disabled=ws.read_only or not _may_act(ctx))
        if go and _may_act(ctx):
            _load(ctx, datafile, tenant)


def _load(ctx: Context, datafile: str, tenant: str) -> None:
    if not datafile.strip() or not tenant.strip():
        st.error("Give both a datafile (or Export Users CSV) and a tenant snapshot directory.")
        return
    from analysis.console import CaptureConsole
    from analysis.sources.workspace import load

    console = CaptureConsole()
    try:
        with st.spinner("Loading …"):
            load(Path(ctx.workspace.path), Path(datafile.strip()), Path(tenant.strip()), console)
    except UserError as exc:
        st.error(str(exc))
        return
    data.forget_workspace()
    st.toast("Loaded. Every page now shows the new data.", icon=":material/check_circle:")
    st.rerun()


def _settings(ctx: Context) -> None:
    st.markdown("**Settings**")
    st.caption(f"{ctx.settings.describe()}  \nfrom {ctx.settings_source}")


def draw(ctx: Context) -> None:
    with st.sidebar:
        _identity(ctx)
        privacy.toggle(ctx)
        st.divider()
        _sources(ctx)
        _settings(ctx)
        _load_form(ctx)
