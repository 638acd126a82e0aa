"""The Batches page's offer of a run's Temporary Access Passes: once, as a download, to an operator.

A dashboard run keeps the passes it issues in a private file (:mod:`analysis.dashboard.passfile`). This
panel says how many wait and offers them as one download; the file is read and deleted as the browser
fetches it, so the offer disappears and no pass is ever shown again. The passes themselves are never
drawn, logged or journaled: only their number is shown.
"""

from __future__ import annotations

import streamlit as st

from analysis.dashboard import passfile
from analysis.dashboard.context import Context


def offer(ctx: Context, batch_id: int) -> None:
    """The download of the batch's waiting passes, if any (operators only)."""
    path = ctx.workspace.path
    count = passfile.waiting(path, batch_id)
    if not count:
        return
    if not ctx.identity.can_run:
        st.info(
            f"{count:,} Temporary Access Pass(es) of this batch wait for an operator to download them.",
            icon=":material/key:",
        )
        return
    with st.container(border=True):
        st.warning(
            f"**{count:,} Temporary Access Pass(es) wait for you.** They are offered once: the file is "
            "deleted as you download it, and no page shows them again. Hand each user their pass "
            "through a trusted channel.",
            icon=":material/key:",
        )
        noun = "Pass" if count == 1 else "Passes"
        st.download_button(
            f"Download the {count:,} Temporary Access {noun} (once)",
            data=lambda: passfile.take(path, batch_id),
            file_name=f"batch-{batch_id}-passes.jsonl",
            mime="application/jsonl",
            icon=":material/key:",
            key=f"b_passes_{batch_id}",
            type="primary",
        )
