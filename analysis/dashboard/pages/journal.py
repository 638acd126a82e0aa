"""Journal: what this tool sent to the tenant and what came back, and every batch decision."""

import datetime as dt

import pandas as pd
import streamlit as st

from analysis.dashboard import components, context, data, exports, journalview, privacy

ctx = context.get()
ws = ctx.workspace
components.header(
    "Journal",
    "What exactly happened: every Graph request and answer, every approval and run, and who did it.",
)

if not data.has_table(ws.path, "journal"):
    st.info("Nothing has been executed in this workspace yet: the journal starts with the first batch run.")
    st.stop()

batches = data.batch_list(ws.path)
facets = data.journal_facets(ws.path)

with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    batch_names = {f"{r.batch_id} · {r.name}": int(r.batch_id) for r in batches.itertuples()}
    batch_label = c1.selectbox("Batch", ["All batches", *batch_names], key="j_batch")
    kinds = facets[facets["facet"] == "kind"]["value"].tolist()
    kind = c2.selectbox(
        "Entry",
        ["All", *kinds],
        key="j_kind",
        help="intent: before a request; response: its answer; "
        "resolved: an unknown outcome settled by re-reading",
    )
    outs = facets[facets["facet"] == "outcome"]["value"].tolist()
    outcome = c3.selectbox("Outcome", ["All", *outs], key="j_outcome")
    steps = facets[facets["facet"] == "step"]["value"].tolist()
    step = c4.selectbox("Step", ["All", *steps], key="j_step")
    c5, c6 = st.columns([3, 1])
    text = c5.text_input("User, Entra id, URL, key or actor contains", key="j_text")
    since = c6.date_input("Since", value=None, key="j_since")

filters = {
    "batch_id": batch_names.get(batch_label),
    "kind": None if kind == "All" else kind,
    "outcome": None if outcome == "All" else outcome,
    "step": None if step == "All" else step,
    "since": dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC) if since else None,
    "text": text.strip(),
}
tab_requests, tab_events = st.tabs(["Graph requests", "Batch events (approvals, runs)"])
with tab_requests:
    shown = data.journal_rows(ws.path, limit=1000, reveal_phones=privacy.revealed(), **filters)
    total = data.journal_count(ws.path, **filters)
    st.caption(
        f"{total:,} entries match; the newest {min(total, 1000):,} are listed. Click an entry to read its "
        "whole request and response below. Bodies are redacted: secrets never enter the journal."
    )
    # an intent has no HTTP status or outcome yet: blank there, not "None"
    listed = shown.assign(
        status=["" if pd.isna(s) else f"{int(s)}" for s in shown["status"]],
        outcome=[components.show(o, "") for o in shown["outcome"]],
    )
    picked = st.dataframe(
        listed,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="j_rows",
        column_config={
            "seq": st.column_config.NumberColumn("#", format="%d"),
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            "run_id": None,
            "batch_id": None,
            "batch": "Batch",
            "kind": "Entry",
            "step": "Step",
            "method": "Method",
            "url": st.column_config.TextColumn("URL", width="large"),
            "status": "HTTP",
            "outcome": "Outcome",
            "user_id": None,
            "username": "User",
            "entra_id": "Entra id",
            "idem_key": "Key",
            "actor": "Actor",
            "body": st.column_config.TextColumn("Request body", width="medium"),
            "response": st.column_config.TextColumn("Response", width="medium"),
        },
    )
    chosen = picked.selection.rows if picked is not None else []
    if chosen and chosen[0] < len(shown):
        journalview.draw(ws.path, shown.iloc[chosen[0]], privacy.revealed())
    d1, d2 = st.columns(2)
    d1.download_button(
        f"Export these {total:,} entries (CSV)",
        data=lambda: data.journal_export(ws.path, "csv", privacy.revealed(), **filters),
        file_name="journal.csv",
        mime="text/csv",
        icon=":material/download:",
        key="j_csv",
    )
    d2.download_button(
        f"Export these {total:,} entries (JSON lines)",
        data=lambda: data.journal_export(ws.path, "jsonl", privacy.revealed(), **filters),
        file_name="journal.jsonl",
        mime="application/x-ndjson",
        icon=":material/download:",
        key="j_jsonl",
    )
with tab_events:
    events = data.batch_events(ws.path, filters["batch_id"])
    st.caption(f"{len(events):,} batch events.")
    st.dataframe(
        events,
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            "batch_id": None,
            "batch": "Batch",
            "actor": "Who",
            "event": "Event",
            "from_state": "From",
            "to_state": "To",
            "detail": st.column_config.TextColumn("Detail", width="large"),
        },
    )
    st.download_button(
        f"Export these {len(events):,} events (CSV)",
        data=exports.csv_bytes(events),
        file_name="batch-events.csv",
        mime="text/csv",
        icon=":material/download:",
        key="e_csv",
    )
