"""Readiness: the catalogue of checks, run over the plan and the workspace, with a score and the runbook.

Each check is one SQL file in ``queries/readiness/`` whose header (``-- id:``, ``-- title:``,
``-- severity:``, ``-- why:``, ``-- remediation:``) is the check's documentation, and whose rows are the
findings in one shape (:data:`FINDING_COLUMNS`). Adding a check means adding a file (plus its test case
and its entry in ``docs/checks.md``); nothing here changes. The checks read a few shared temp tables
(``queries/readiness/support/prepare.sql``) built once per run, so that 1,000,000 users take seconds.

The :class:`Report` is what every consumer renders: the CLI's HTML/JSON/CSV export
(:mod:`analysis.readiness.report`) and the dashboard.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analysis import __version__
from analysis.readiness import afterdate
from analysis.readiness.retirement import Retirement
from analysis.readiness.runbook import runbook_status
from analysis.simulate.plan import Plan
from analysis.simulate.runner import settings_table
from analysis.sqlfiles import header, names, sql

#: Version of the JSON report shape (docs/report-schema.md). Bump it on any incompatible change.
#: 2: a check's severity may depend on the date (``early_severity``); ``retirement`` and ``users``.
SCHEMA_VERSION = 2
#: Severities, most serious first.
SEVERITIES: tuple[str, ...] = ("blocker", "warning", "info")
#: The columns every check yields, in this order.
FINDING_COLUMNS: tuple[str, ...] = ("subject_type", "subject_id", "user_id", "username", "upn", "detail")
#: Arrow integers become pandas' nullable Int64 (a NULL user_id must not turn the column into floats).
_INT_AS_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype()}
#: Header keys every check file must have.
HEADER_KEYS: tuple[str, ...] = ("id", "title", "severity", "why", "remediation")

SCORE_FORMULA = (
    "score = 100 × (ready + 0.5 × with_warnings) / users, rounded to one decimal, for the tenant, each MFA "
    "Server user group and each Entra group (transitive members; unmatched users are in no Entra group). "
    "users: MFA Server users the migration carries (every user except disabled ones that "
    "[scope] skip_disabled leaves out); ready: users without any blocker or warning finding; "
    "with_warnings: users with a warning but no blocker finding. Info findings do not count. "
    "Findings about the tenant rather than a user (policy, groups, domains, services) do not change the "
    "score; a blocker among them is a gate, and any blocker sets the status to 'blocked'."
)


@dataclass(frozen=True)
class Check:
    """One check as its SQL file's header describes it."""

    id: str
    title: str
    severity: str
    why: str
    remediation: str
    query: str  # the sqlfiles name, e.g. "readiness/unmatched_users"
    #: The severity until today is within ``[retirement] warn_days`` of the retirement date (header
    #: ``-- early_severity:``); None: the severity never changes.
    early_severity: str | None = None


@dataclass
class CheckResult:
    """A check and what it found (one row per affected user or object)."""

    check: Check
    findings: pd.DataFrame
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def users(self) -> int:
        """Distinct MFA Server users among the findings (0 for checks about tenant objects)."""
        return int(self.findings["user_id"].dropna().nunique())


@dataclass
class Score:
    """The readiness score for the tenant and for each MFA Server user group."""

    formula: str
    tenant: dict[str, Any]  # users, ready, with_warnings, blocked, score
    groups: pd.DataFrame  # per MFA Server user group: group, users, ready, with_warnings, blocked, score
    gates: list[str]  # ids of blocker checks with findings about the tenant rather than a user
    status: str  # 'blocked' | 'warnings' | 'ready'
    entra_groups: pd.DataFrame = field(default_factory=pd.DataFrame)  # per Entra group: group_id, group, ...


@dataclass
class Report:
    """Everything readiness knows about one workspace under one set of settings."""

    schema_version: int
    generated_at: str
    tool_version: str
    workspace: dict[str, Any]
    settings: dict[str, Any]
    settings_summary: str
    results: list[CheckResult]
    score: Score
    runbook: pd.DataFrame  # phase, step, status, evidence
    timings: dict[str, float] = field(default_factory=dict)
    #: The retirement settings and where today stands (:func:`analysis.readiness.afterdate.summary`).
    retirement: dict[str, Any] = field(default_factory=dict)
    #: Each counted user with an Entra account: user_id, username, upn, tier (None: not known), and
    #: methods_after_plan, methods_after_date, default_after.
    tiers: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline: Any = (
        None  # analysis.readiness.report.baseline.BaselineDiff when compared with an earlier report
    )

    def result(self, check_id: str) -> CheckResult:
        for r in self.results:
            if r.check.id == check_id:
                return r
        raise KeyError(check_id)

    def summary(self) -> dict[str, dict[str, int]]:
        """Per severity: how many checks fired and how many findings they have."""
        out = {s: {"checks": 0, "findings": 0} for s in SEVERITIES}
        for r in self.results:
            if r.count:
                out[r.check.severity]["checks"] += 1
                out[r.check.severity]["findings"] += r.count
        return out

    def findings(self) -> pd.DataFrame:
        """All findings in one frame with the check's id, severity and title in front."""
        frames = [
            r.findings.assign(check_id=r.check.id, severity=r.check.severity, title=r.check.title)
            for r in self.results
            if r.count
        ]
        cols = ["check_id", "severity", "title", *FINDING_COLUMNS]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "user_id" else "object") for c in cols})
        return pd.concat(frames, ignore_index=True)[cols]


# ---------------------------------------------------------------------------------------- catalogue
def catalogue() -> list[Check]:
    """Every check file under ``queries/readiness/``, validated, most serious first then by id.

    A malformed header is a bug in the product (not user input), so it raises ``ValueError`` naming the
    file and what is wrong; the tests load the catalogue, so it never reaches a user.
    """
    checks = []
    for name in names("readiness"):
        meta = header(name)
        missing = [k for k in HEADER_KEYS if not meta.get(k)]
        if missing:
            raise ValueError(f"queries/{name}.sql: header lacks {', '.join(missing)}")
        if meta["severity"] not in SEVERITIES:
            raise ValueError(f"queries/{name}.sql: severity {meta['severity']!r} is not one of {SEVERITIES}")
        if meta["id"] != name.split("/", 1)[1]:
            raise ValueError(f"queries/{name}.sql: id {meta['id']!r} differs from the file name")
        early = meta.get("early_severity")
        if early is not None and early not in SEVERITIES:
            raise ValueError(f"queries/{name}.sql: early_severity {early!r} is not one of {SEVERITIES}")
        checks.append(
            Check(
                id=meta["id"],
                title=meta["title"],
                severity=meta["severity"],
                why=meta["why"],
                remediation=meta["remediation"],
                query=name,
                early_severity=early,
            )
        )
    return sorted(checks, key=lambda c: (SEVERITIES.index(c.severity), c.id))


# ---------------------------------------------------------------------------------------- running
def prepare(
    con: duckdb.DuckDBPyConnection, plan: Plan, retirement: Retirement, today: dt.date | None = None
) -> None:
    """Build the temp tables the checks share, from the plan, the settings it was made with and the
    retirement settings (the state after the date: ``rd_after_date``)."""
    settings_table(con, plan.settings)
    con.execute(sql("readiness/support/prepare", plan=plan.table))
    afterdate.ensure_view(con)
    afterdate.bind(con, retirement, today)
    con.execute(sql("readiness/support/retirement.prepare"), {"plan_table": plan.table})


@contextmanager
def _prepared(
    con: duckdb.DuckDBPyConnection, plan: Plan, retirement: Retirement | None, today: dt.date | None
) -> Iterator[tuple[Retirement, dt.date]]:
    """A run's shared temp tables (:func:`prepare`) over a current plan, dropped again on the way out;
    yields the retirement settings and day in force (defaults: ``[retirement]``'s and today)."""
    plan.require_current(con)
    retirement = retirement or Retirement()
    today = today or dt.date.today()
    try:
        prepare(con, plan, retirement, today)
        yield retirement, today
    finally:
        con.execute(sql("readiness/support/run.cleanup"))
        con.execute(sql("readiness/support/retirement.cleanup"))


def severity_now(check: Check, retirement: Retirement, today: dt.date | None = None) -> Check:
    """The check with the severity it has today: its ``early_severity`` until the retirement date is
    within ``warn_days``."""
    if check.early_severity is None or afterdate.urgent(retirement, today):
        return check
    return replace(check, severity=check.early_severity)


def run_check(con: duckdb.DuckDBPyConnection, check: Check, plan: Plan) -> CheckResult:
    """Run one check (after :func:`prepare`) and return its findings as a DataFrame.

    Rows travel through Arrow: pandas 3 keeps the strings Arrow-backed, which is an order of magnitude
    faster than ``.df()`` for the hundreds of thousands of findings a large tenant has.
    """
    start = time.perf_counter()
    rel = con.sql(sql(check.query, plan=plan.table))
    if tuple(rel.columns) != FINDING_COLUMNS:
        raise ValueError(f"queries/{check.query}.sql yields {tuple(rel.columns)}, expected {FINDING_COLUMNS}")
    df = rel.to_arrow_table().to_pandas(types_mapper=_INT_AS_NULLABLE.get)
    df["user_id"] = df["user_id"].astype("Int64")
    return CheckResult(check, df, time.perf_counter() - start)


def score(con: duckdb.DuckDBPyConnection, results: list[CheckResult]) -> Score:
    """Score users by their worst finding (see :data:`SCORE_FORMULA`), per tenant and per user group."""
    status = user_status(results)
    con.register("rd_user_status_frame", status)
    try:
        con.execute(sql("readiness/support/run.user_status"))
    finally:
        con.unregister("rd_user_status_frame")
    rows = con.execute(sql("readiness/support/score")).df()
    entra_groups = con.execute(sql("readiness/support/score_entra_groups")).df()
    tenant = _tenant(rows)
    groups = rows[~rows["is_total"]].drop(columns="is_total").reset_index(drop=True)
    gates = sorted(
        {
            r.check.id
            for r in results
            if r.check.severity == "blocker" and r.count and r.findings["user_id"].isna().any()
        }
    )
    fired = {r.check.severity for r in results if r.count}
    overall = "blocked" if "blocker" in fired else "warnings" if "warning" in fired else "ready"
    return Score(SCORE_FORMULA, tenant, groups, gates, overall, entra_groups)


def _tenant(rows: pd.DataFrame) -> dict[str, Any]:
    """The tenant's row of support/score.sql as plain values."""
    total = rows[rows["is_total"]].iloc[0]
    return {k: _plain(total[k]) for k in ("users", "ready", "with_warnings", "blocked", "score")}


def tenant_score(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    *,
    retirement: Retirement | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The tenant's score alone, equal to ``run(...).score.tenant``: what a what-if's deltas need.

    Only the blocker and warning checks decide a user's status, and only their user ids matter, so they
    run as one statement that DuckDB reduces to each user's worst finding: no finding text is built (the
    optimiser drops the unused columns), nothing is read into Python, and the info checks, tiers, runbook
    and per-group scores are skipped. About half a full run at 1M users (benchmarks/README.md, What-if).
    """
    with _prepared(con, plan, retirement, today) as (retirement, today):
        parts = [
            f"SELECT user_id, {2 if c.severity == 'blocker' else 1} AS status FROM (\n"
            f"{sql(c.query, plan=plan.table).rstrip().rstrip(';')}\n)"
            for c in (severity_now(c, retirement, today) for c in catalogue())
            if c.severity in ("blocker", "warning")
        ]
        # the shape of support/run.sql user_status, over the checks themselves instead of their findings
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rd_user_status AS SELECT user_id, max(status) AS status FROM (\n"
            + "\nUNION ALL\n".join(parts)
            + "\n) WHERE user_id IS NOT NULL GROUP BY user_id"
        )
        return _tenant(con.execute(sql("readiness/support/score")).df())


def user_status(results: list[CheckResult]) -> pa.Table:
    """The user ids of every blocker (status 2) and warning (status 1) finding, for SQL to reduce to each
    user's worst (support/run.sql user_status). Built from the findings' arrays without a per-row loop."""
    parts = [
        pa.table(
            {
                "user_id": pa.array(r.findings["user_id"], pa.int64()),  # NULL: a finding about no user
                "status": pa.array(np.full(r.count, 2 if r.check.severity == "blocker" else 1), pa.int8()),
            }
        )
        for r in results
        if r.check.severity in ("blocker", "warning") and r.count
    ]
    if not parts:
        return pa.table({"user_id": pa.array([], pa.int64()), "status": pa.array([], pa.int8())})
    return pa.concat_tables(parts)


def workspace_info(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Where the data came from (tenant, snapshot time, datafile kind, load): shown in every report."""
    row = con.execute(sql("readiness/support/run.workspace_info")).fetchone()
    keys = (
        "tenant_id",
        "snapshot_taken_at",
        "snapshot_source",
        "load_id",
        "loaded_at",
        "datafile_kind",
        "mfa_users",
        "entra_users",
    )
    return {k: _plain(v) for k, v in zip(keys, row or (None,) * len(keys), strict=True)}


def run(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    *,
    checks: list[Check] | None = None,
    retirement: Retirement | None = None,
    today: dt.date | None = None,
) -> Report:
    """Run every check (or ``checks``) over a current plan, score users and mark the runbook.

    ``retirement`` (default: the defaults of ``[retirement]``) and ``today`` (default: the date now) decide
    what is usable after the phone retirement date and how severe that is. Works on a read-only
    connection once the workspace holds the ``users_after_date`` view (:mod:`.afterdate`): everything
    else readiness creates is a temp table, dropped again before returning. A stale plan (another load,
    new migration marks, other settings since) is refused.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with _prepared(con, plan, retirement, today) as (retirement, today):
        timings["prepare"] = time.perf_counter() - start
        chosen = checks if checks is not None else catalogue()
        results = [run_check(con, severity_now(c, retirement, today), plan) for c in chosen]
        timings["checks"] = sum(r.seconds for r in results)
        tiers = _tiers(con)
        mark = time.perf_counter()
        the_score = score(con, results)
        runbook = runbook_status(con)
        timings["score_runbook"] = time.perf_counter() - mark
        info = workspace_info(con)
    timings["readiness"] = time.perf_counter() - start
    return Report(
        schema_version=SCHEMA_VERSION,
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        tool_version=__version__,
        workspace=info,
        settings=plan.settings.to_dict(),
        settings_summary=plan.settings.describe(),
        results=results,
        score=the_score,
        runbook=runbook,
        timings=timings,
        retirement=afterdate.summary(retirement, today, tiers["tier"]),
        tiers=tiers,
    )


def _tiers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each counted, matched user's tier and methods after the plan and after the date, in words.

    Through Arrow (a million rows: ~4x faster than ``.df()``), and the words looked up once per distinct
    bit set (at most a few hundred) rather than spelt out per user."""
    rows = con.sql(sql("readiness/support/retirement.tiers")).to_arrow_table()
    tiers = rows.to_pandas(types_mapper=_INT_AS_NULLABLE.get)
    bits = pd.concat([tiers["usable_bits"], tiers["after_date_bits"]]).dropna().unique()
    names = dict(
        con.execute(
            sql("readiness/support/retirement.method_names"), {"bits": [int(b) for b in bits]}
        ).fetchall()
    )
    tiers["methods_after_plan"] = tiers.pop("usable_bits").map(names)
    tiers["methods_after_date"] = tiers.pop("after_date_bits").map(names)
    return tiers[
        ["user_id", "username", "upn", "tier", "methods_after_plan", "methods_after_date", "default_after"]
    ]


def _plain(value: Any) -> Any:
    """A numpy/pandas scalar as a plain Python value (JSON-ready); NA becomes None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
