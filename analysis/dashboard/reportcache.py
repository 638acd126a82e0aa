"""The readiness report as the pages need it, kept in the workspace so a restarted dashboard opens fast.

Simulating and checking 1,000,000 users takes tens of seconds; the pages need only the score, the
per-check counts, the runbook and, on demand, one check's findings. So after computing a report once
(``analysis.readiness.checks.run``), the dashboard stores it in two tables of its own in the workspace:

* ``dashboard_cache`` — one row per kind (``report``): the key it was computed for (the plan's key:
  settings, load id, migration marks and tool version, plus the check catalogue); whether the ``plan``
  table itself is current is the plan's own stamp (``plan_meta``, :mod:`analysis.simulate.plan`);
* ``dashboard_findings`` — every finding of that report (the rows the checks returned; no secrets: the
  checks never select any).

A :class:`ReportView` reads those back: small parts eagerly, findings one check at a time. A new load,
a verified batch or other settings change the key, and the next page view recomputes. Downloads of the
full report (HTML/JSON/CSV) use a real :class:`analysis.readiness.checks.Report`, recomputed on demand when
this process has none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
import pandas as pd

from analysis.sqlfiles import sql

SEVERITIES = ("blocker", "warning", "info")


@dataclass(frozen=True)
class CheckView:
    check: Any  # analysis.readiness.checks.Check
    count: int
    users: int


@dataclass
class ScoreView:
    formula: str
    tenant: dict[str, Any]
    groups: pd.DataFrame
    gates: list[str]
    status: str


@dataclass
class ReportView:
    """What the pages show of a readiness report; findings are read per check from the workspace."""

    key: str
    generated_at: str
    score: ScoreView
    results: list[CheckView]
    runbook: pd.DataFrame
    report: Any = None  # the full Report when this process computed it (for downloads)
    #: The phone retirement date, days left and users per tier (the report's ``retirement`` section).
    retirement: dict[str, Any] = field(default_factory=dict)
    _findings: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, int]]:
        out = {s: {"checks": 0, "findings": 0} for s in SEVERITIES}
        for r in self.results:
            if r.count and r.check.severity in out:
                out[r.check.severity]["checks"] += 1
                out[r.check.severity]["findings"] += r.count
        return out

    def result(self, check_id: str) -> CheckView:
        for r in self.results:
            if r.check.id == check_id:
                return r
        raise KeyError(check_id)

    def has(self, check_id: str) -> bool:
        return any(r.check.id == check_id for r in self.results)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql("dashboard/reportcache.schema"))


def catalogue_stamp() -> str:
    """Changes when the product's checks change (a new version must not reuse an old report)."""
    from analysis import __version__
    from analysis.readiness import checks as readiness

    return __version__ + ":" + ",".join(c.id for c in readiness.catalogue())


def cached(con: duckdb.DuckDBPyConnection, kind: str) -> tuple[str, str | None] | None:
    """(key, doc) stored for ``kind``, or None."""
    try:
        row = con.execute(sql("dashboard/reportcache.cache_get"), {"kind": kind}).fetchone()
    except duckdb.CatalogException:
        return None
    return (str(row[0]), row[1]) if row else None


def report_key(plan: Any, retirement: Any = None, today: Any = None) -> str:
    """What a stored report is valid for: the plan (settings, load, marks, version), the checks, the
    ``[retirement]`` settings and the day (a check's severity and the days left change with it)."""
    extra = f"{sorted(retirement.to_dict().items()) if retirement else ''}|{today or ''}"
    return hashlib.sha256(f"{plan.key}|{catalogue_stamp()}|{extra}".encode()).hexdigest()


def store_report(con: duckdb.DuckDBPyConnection, key: str, report: Any) -> None:
    """Persist the parts of ``report`` the pages show, and its findings, under ``key`` (one transaction)."""
    ensure_tables(con)
    head = {
        "generated_at": report.generated_at,
        "score": {
            "formula": report.score.formula,
            "tenant": report.score.tenant,
            "groups": json.loads(report.score.groups.to_json(orient="records")),
            "gates": list(report.score.gates),
            "status": report.score.status,
        },
        "results": [
            {"id": r.check.id, "count": r.count, "users": r.users, "severity": r.check.severity}
            for r in report.results
        ],
        "runbook": json.loads(report.runbook.to_json(orient="records")),
        "retirement": report.retirement,
    }
    findings = report.findings()[
        ["check_id", "subject_type", "subject_id", "user_id", "username", "upn", "detail"]
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql("dashboard/reportcache.findings_clear"))
        con.register("dashboard_new_findings", findings)
        try:
            con.execute(sql("dashboard/reportcache.findings_insert"))
        finally:
            con.unregister("dashboard_new_findings")
        con.execute(
            sql("dashboard/reportcache.cache_put"),
            {"kind": "report", "key": key, "doc": json.dumps(head, default=str)},
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def view_of(report: Any, key: str, stored: bool) -> ReportView:
    """A view over a report computed in this process (findings from the workspace if ``stored``)."""
    results = [CheckView(r.check, r.count, r.users) for r in report.results]
    score = ScoreView(
        report.score.formula,
        dict(report.score.tenant),
        report.score.groups,
        list(report.score.gates),
        report.score.status,
    )
    view = ReportView(
        key, report.generated_at, score, results, report.runbook, report=report, retirement=report.retirement
    )
    if not stored:
        view._findings = {r.check.id: r.findings for r in report.results}
    return view


def load_view(con: duckdb.DuckDBPyConnection, key: str) -> ReportView | None:
    """The stored report for ``key``, or None when the workspace holds none (or another one)."""
    from analysis.readiness import checks as readiness

    entry = cached(con, "report")
    if entry is None or entry[0] != key or not entry[1]:
        return None
    head = json.loads(entry[1])
    checks = {c.id: c for c in readiness.catalogue()}
    results = [  # the severity of the day the report was made (a check may have an early severity)
        CheckView(
            replace(checks[r["id"]], severity=r.get("severity", checks[r["id"]].severity)),
            int(r["count"]),
            int(r["users"]),
        )
        for r in head["results"]
        if r["id"] in checks
    ]
    s = head["score"]
    score = ScoreView(s["formula"], s["tenant"], pd.DataFrame(s["groups"]), list(s["gates"]), s["status"])
    runbook = pd.DataFrame(head["runbook"])
    return ReportView(
        key, head["generated_at"], score, results, runbook, retirement=head.get("retirement", {})
    )


def findings(
    con: duckdb.DuckDBPyConnection, view: ReportView, check_id: str, text: str = "", limit: int | None = None
) -> tuple[pd.DataFrame, int]:
    """One check's findings matching ``text`` (first ``limit``), and how many match in all."""
    held = view._findings.get(check_id)
    needle = text.strip()
    if held is not None:  # computed here and not stored (read-only workspace)
        df = held
        if needle:
            mask = pd.Series(False, index=df.index)
            for col in ("username", "upn", "subject_id", "detail"):
                mask |= (
                    df[col]
                    .astype("string")
                    .str.lower()
                    .str.contains(needle.lower(), regex=False)
                    .fillna(False)
                )
            df = df[mask]
        return (df if limit is None else df.head(limit)), len(df)
    df = con.execute(
        sql("dashboard/reportcache.findings_search"), {"check_id": check_id, "text": needle, "limit": limit}
    ).df()
    total = int(df["total"].iloc[0]) if not df.empty else 0
    df = df.drop(columns="total")
    df["user_id"] = df["user_id"].astype("Int64")
    return df, total
