"""Who is not ready, and why: one row per user with a blocker or warning finding.

The readiness CSV has one row per finding (812 findings for 134 blocked users on a small tenant); an
administrator who wants the users needs them pivoted. This module does it once, for every output:
``mfa-migrate readiness --per-user USERS.csv`` (or ``.parquet`` / ``.json``), the HTML report's "Who is
not ready" section and the dashboard's *Not ready* page. A user's ``reasons`` are all their blocker and
warning findings (severity, check title, detail), most serious first; ``remediation`` holds each of
those checks' fix once. Info findings never make a user "not ready" (the score ignores them), so they
are not listed. Phone numbers in the details are masked unless revealed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis.readiness import checks as readiness
from analysis.readiness.report import shown
from analysis.sqlfiles import sql

COLUMNS: list[str] = [
    "user_id",
    "username",
    "upn",
    "status",
    "blockers",
    "warnings",
    "reasons",
    "remediation",
]


def catalogue_frame(checks: list[readiness.Check] | None = None) -> pd.DataFrame:
    """Every check's severity, title and remediation, with the severity's rank (0 = most serious).

    ``checks``: the checks as a report ran them (a check's severity may depend on the day); default the
    catalogue."""
    checks = checks if checks is not None else readiness.catalogue()
    return pd.DataFrame(
        {
            "check_id": [c.id for c in checks],
            "severity": [c.severity for c in checks],
            "title": [c.title for c in checks],
            "remediation": [c.remediation for c in checks],
            "rank": [readiness.SEVERITIES.index(c.severity) for c in checks],
        }
    )


def users(
    findings: pd.DataFrame, reveal_phones: bool = False, checks: list[readiness.Check] | None = None
) -> pd.DataFrame:
    """One row per not-ready user (:data:`COLUMNS`) from findings with ``check_id``, ``subject_type``,
    ``user_id``, ``username``, ``upn`` and ``detail``; ``checks`` as the report ran them."""
    rows = shown.findings(findings, reveal_phones)[["check_id", "user_id", "username", "upn", "detail"]]
    con = duckdb.connect()
    try:
        con.register("nr_findings", rows)
        con.register("nr_checks", catalogue_frame(checks))
        out = con.execute(sql("readiness/report/not_ready")).df()
    finally:
        con.close()
    out["user_id"] = out["user_id"].astype("Int64")
    return out[COLUMNS]


def frame(report: readiness.Report, reveal_phones: bool = False) -> pd.DataFrame:
    return users(report.findings(), reveal_phones, [r.check for r in report.results])


def write(report: readiness.Report, path: str | Path, reveal_phones: bool = False) -> int:
    """Write the list to ``path`` (.csv, .parquet or .json); returns the number of users written."""
    from analysis.output import tables

    return tables.write_frame(frame(report, reveal_phones), path, option="--per-user")
