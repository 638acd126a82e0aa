"""One journal entry opened in full: the request this tool sent and the answer Graph gave, side by side.

The executor journals an ``intent`` before each request and a ``response`` after it, both under the
request's idempotency key; opening either shows the pair (and any ``resolved`` entry that settled an
unknown outcome). Bodies are redacted again on the way out and phone numbers masked unless revealed
(:mod:`analysis.dashboard.data`), so nothing secret reaches the screen.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from analysis.dashboard import components, data

FIELDS = {
    "seq": "Entry number",
    "at": "When (UTC)",
    "batch": "Batch",
    "kind": "Entry",
    "step": "Step",
    "username": "User",
    "entra_id": "Entra id",
    "idem_key": "Idempotency key",
    "actor": "Actor",
    "run_id": "Run",
}


def _body(text: Any) -> None:
    if not isinstance(text, str) or not text:
        st.caption("No body.")
        return
    try:
        st.json(json.loads(text), expanded=True)
    except ValueError:
        st.code(text, language=None, wrap_lines=True)


def draw(path: str, row: pd.Series, reveal_phones: bool) -> None:
    key = components.show(row.get("idem_key"), "")
    every = {"batch_id": None, "kind": None, "outcome": None, "step": None, "since": None}
    entries = (
        data.journal_rows(path, limit=20, reveal_phones=reveal_phones, text=key, **every)
        if key
        else pd.DataFrame()
    )
    pair = (
        entries[entries["idem_key"] == key].sort_values("seq") if not entries.empty else pd.DataFrame([row])
    )
    request = pair[pair["kind"] == "intent"]
    answers = pair[pair["kind"] != "intent"]
    with st.container(border=True):
        step, user = components.show(row.get("step")), components.show(row.get("username"))
        st.markdown(f"**Entry {int(row['seq'])}** · {step} · {user}")
        facts = {label: components.show(row.get(col)) for col, label in FIELDS.items()}
        st.table(pd.DataFrame({"": list(facts), "value": list(facts.values())}).set_index(""))
        if str(row.get("kind")) == "note":  # what the executor decided, not a request: nothing was sent
            st.markdown("**Note** — recorded by the executor; no request was sent for it.")
            st.code(f"note · {components.show(row.get('outcome'))}", language=None, wrap_lines=True)
            _body(row.get("response") if isinstance(row.get("response"), str) else row.get("body"))
            return
        left, right = st.columns(2)
        with left:
            st.markdown("**Request**")
            if request.empty:
                st.caption("The intent for this key is not in the journal.")
            else:
                r = request.iloc[0]
                st.code(
                    f"{components.show(r['method'])} {components.show(r['url'])}",
                    language=None,
                    wrap_lines=True,
                )
                _body(r["body"])
        with right:
            st.markdown("**Response**")
            if answers.empty:
                st.caption("No answer was journaled for this request (the run stopped before it came back).")
            for _, a in answers.iterrows():
                status = components.show(a["status"], "no HTTP status")
                st.code(
                    f"{a['kind']}: HTTP {status} · {components.show(a['outcome'])}",
                    language=None,
                    wrap_lines=True,
                )
                _body(a["response"])
