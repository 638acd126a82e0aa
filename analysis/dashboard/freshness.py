"""How old what the Overview and Users pages report is: the tenant snapshot's age and the latest reads'
("as of"), with a warning once the snapshot is older than the settings file's
``[freshness] warn_after_days`` (docs/workspace.md, "Latest state")."""

from __future__ import annotations

import streamlit as st

from analysis.dashboard.context import Context
from analysis.dashboard.session import cursor
from analysis.sources.freshness import Ages, Freshness, age_text, ages


def line(found: Ages) -> str:
    """One sentence: the snapshot's time and age, and the users read again since (as of when)."""
    if found.snapshot_at is None:
        text = "Tenant snapshot: time not recorded."
    else:
        text = (
            f"Tenant snapshot taken {found.snapshot_at:%Y-%m-%d %H:%M} UTC ({age_text(found.snapshot_at)})."
        )
    if found.read_users:
        newest, oldest = age_text(found.newest_read), age_text(found.oldest_read)
        span = newest if newest == oldest else f"between {newest} and {oldest}"
        text += (
            f" {found.read_users:,} user(s) read from Entra since: their state is as of that read ({span})."
        )
    else:
        text += " No user read from Entra since: every user's Entra state is as of the snapshot."
    if found.not_read:
        text += (
            f" {found.not_read:,} user(s) could not be read at their last read (they keep the earlier state)."
        )
    return text


def show(ctx: Context) -> None:
    """The caption, and the warning when the snapshot is old."""
    found = ages(cursor(ctx.workspace.path))
    st.caption(line(found))
    limit = ctx.freshness or Freshness()
    if found.is_old(limit):
        days = found.snapshot_days() or 0.0
        st.warning(
            f"The tenant snapshot is {days:.0f} days old (more than {limit.warn_after_days}): methods users "
            "registered and phones they changed since are not in it. Take a new snapshot and load it, or "
            'refresh the users from Entra (`mfa-migrate refresh`, or a batch\'s "Refresh from Entra").',
            icon=":material/schedule:",
        )
