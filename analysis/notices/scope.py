"""Which users a notice run covers: a batch's users (its frozen plan) or a priority tier (the current
plan). One function for the CLI and the dashboard, so both write the same notices for the same scope."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from analysis.errors import UserError
from analysis.execute.batches import ensure_schema, get_batch
from analysis.notices.build import Notices, build
from analysis.notices.templates import Templates
from analysis.settingsfile import SettingsFile
from analysis.simulate.runner import ensure_plan
from analysis.sqlfiles import sql


def notices_for(
    con: duckdb.DuckDBPyConnection,
    loaded: SettingsFile,
    *,
    batch: str | int | None = None,
    tier: str | None = None,
    templates: Path | None = None,
    reveal_phones: bool = False,
    today: dt.date | None = None,
) -> Notices:
    """The notices of batch ``batch`` (number or name) or of tier ``tier``, on a writable connection."""
    if (batch is None) == (tier is None):
        raise UserError("say whose notices to write: --batch N (a batch's users) or --tier P1|P2|P3")
    chosen = Templates(templates)
    ensure_schema(con)
    plan_table, batch_id, campaign, scope = "", None, False, f"tier {tier}"
    if batch is not None:
        found = get_batch(con, batch)
        batch_id, campaign, scope = found.batch_id, found.options.campaign, found.label
        con.execute(sql("notices/notices.batch_plan"), {"batch_id": batch_id, "campaign": campaign})
        plan_table = "notice_plan"
    else:
        plan_table = ensure_plan(con, loaded.whatif).table
    return build(
        con,
        plan_table=plan_table,
        tier=tier,
        batch_id=batch_id,
        retirement=loaded.retirement,
        settings=loaded.notices,
        templates=chosen,
        reveal_phones=reveal_phones,
        campaign=campaign,
        scope=scope,
        today=today,
    )
