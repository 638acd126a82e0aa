"""The CSV report: one row per finding, for filtering in a spreadsheet.

Columns: ``check_id, severity, title, subject_type, subject_id, user_id, username, upn, detail, tier``
(the user's priority tier after the phone retirement date; empty for findings about no user or when not
known), plus
``baseline`` (``new`` | ``still_open`` | ``fixed``) when compared with a baseline; fixed findings then
appear as rows too, so the file is the whole diff. Written by the product's one CSV writer
(:mod:`analysis.output.csvfile`: formula cells defused), with phone numbers masked unless revealed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.output import csvfile as writer
from analysis.readiness.checks import FINDING_COLUMNS, Report
from analysis.readiness.report import shown

COLUMNS: list[str] = ["check_id", "severity", "title", *FINDING_COLUMNS, "tier"]


def _with_tier(rows: pd.DataFrame, report: Report) -> pd.DataFrame:
    if report.tiers.empty:
        return rows.assign(tier=pd.Series(pd.NA, index=rows.index, dtype="string"))
    tiers = report.tiers[["user_id", "tier"]].astype({"user_id": "Int64"})
    return rows.merge(tiers, on="user_id", how="left")


def frame(report: Report, reveal_phones: bool = False) -> pd.DataFrame:
    """The rows the CSV holds, in catalogue order (most serious check first)."""
    rows = _with_tier(shown.findings(report.findings(), reveal_phones), report)
    if report.baseline is None:
        return rows[COLUMNS]
    diff = report.baseline
    rows = rows.merge(diff.status, on=["check_id", "subject_type", "subject_id"], how="left")
    fixed = _with_tier(shown.findings(diff.fixed, reveal_phones), report).assign(baseline="fixed")
    return pd.concat([rows[[*COLUMNS, "baseline"]], fixed[[*COLUMNS, "baseline"]]], ignore_index=True)


def write(report: Report, path: Path, reveal_phones: bool = False) -> None:
    """Through Arrow in batches: a million findings take seconds, not half a minute."""
    writer.write(frame(report, reveal_phones), path)
