"""The CSV report: one row per finding, for filtering in a spreadsheet.

Columns: ``check_id, severity, title, subject_type, subject_id, user_id, username, upn, detail``, plus
``baseline`` (``new`` | ``still_open`` | ``fixed``) when compared with a baseline; fixed findings then
appear as rows too, so the file is the whole diff. Cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading apostrophe.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.readiness import FINDING_COLUMNS, Report

COLUMNS: list[str] = ["check_id", "severity", "title", *FINDING_COLUMNS]
_TEXT = ["title", "subject_id", "username", "upn", "detail"]


def frame(report: Report) -> pd.DataFrame:
    """The rows the CSV holds, in catalogue order (most serious check first)."""
    rows = report.findings()
    if report.baseline is None:
        return rows[COLUMNS]
    diff = report.baseline
    rows = rows.merge(diff.status, on=["check_id", "subject_type", "subject_id"], how="left")
    fixed = diff.fixed.assign(baseline="fixed")
    return pd.concat([rows[[*COLUMNS, "baseline"]], fixed[[*COLUMNS, "baseline"]]], ignore_index=True)


def defuse(values: pd.Series) -> pd.Series:
    """Prefix cells a spreadsheet would evaluate as formulas with an apostrophe (CSV injection)."""
    text = values.astype("string")
    risky = text.str[:1].isin(["=", "+", "-", "@", "\t", "\r"]).fillna(False).astype(bool)
    return text.where(~risky, "'" + text)


def write(report: Report, path: Path) -> None:
    rows = frame(report)
    for col in _TEXT:
        rows[col] = defuse(rows[col])
    rows.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
