"""The Batches page's Notices tab: the batch's per-user notices as a download, with the helpdesk
forecast and the assumption it rests on.

The notices are built by :func:`analysis.notices.scope.notices_for`, the same code as ``mfa-migrate
notices --batch N``, with the settings file in force and the shipped templates; phone numbers are masked
unless this session revealed them (the recorded toggle). Building them reads the whole batch, so it
happens only once the operator asks for it.
"""

from __future__ import annotations

import streamlit as st

from analysis.dashboard import exports, privacy, settingsstore
from analysis.dashboard.context import Context
from analysis.dashboard.session import cursor
from analysis.errors import UserError


def notices_tab(ctx: Context, batch_id: int) -> None:
    st.caption(
        "One row per user: what changes for them, what they must do and by when, and the Awareness, "
        "Action and Reminder notices rendered from the templates (docs/notices.md; "
        "`mfa-migrate notices --templates DIR` renders your own)."
    )
    if not st.toggle("Prepare the notices of this batch", key=f"b_notices_{batch_id}"):
        return
    from analysis.notices.scope import notices_for

    reveal = privacy.revealed()
    try:
        loaded = settingsstore.read(ctx.workspace.path)
        notices = notices_for(cursor(ctx.workspace.path), loaded, batch=batch_id, reveal_phones=reveal)
    except UserError as exc:
        st.error(str(exc))
        return
    rows = notices.rows
    must = int(rows["must_register"].sum()) if len(rows) else 0
    st.markdown(f"**Helpdesk forecast** · {must:,} of {len(rows):,} users must register a method")
    st.dataframe(
        notices.forecast,
        hide_index=True,
        column_config={
            "wave": "Wave",
            "users": st.column_config.NumberColumn("Users", format="%d"),
            "must_register": st.column_config.NumberColumn("Must register", format="%d"),
            "contacts_expected": st.column_config.NumberColumn("Contacts expected", format="%.1f"),
            "from": "From",
            "to": "To",
            "days": st.column_config.NumberColumn("Days", format="%d"),
            "contacts_per_day": st.column_config.NumberColumn("Contacts per day", format="%.1f"),
            "assumption": None,  # said below the table
        },
    )
    st.caption(notices.assumption)
    noun = "notice" if len(rows) == 1 else "notices"
    st.download_button(
        f"Download {len(rows):,} {noun} (CSV)",
        data=exports.csv_bytes(rows),
        file_name=f"batch-{batch_id}-notices.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"b_notices_csv_{batch_id}",
    )
    st.caption(
        "Phone numbers in full: handle the file as personal data."
        if reveal
        else "Phone numbers are masked (+49 30•••••89), in the columns and in the notice texts."
    )
