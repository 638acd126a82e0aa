"""The re-registration campaign's progress since a baseline: who registered what, and who is still P1.

Every snapshot loaded and every read of users the product makes is kept in the workspace's history
(:mod:`analysis.campaign.history`). :func:`measure` reads each counted user's state at every
observation from the baseline on and the priority tier those methods give under the current plan and
retirement settings (the rule of ``users_after_date``, applied to each observation), then sums per
tier at the baseline and per wave (batch): how many registered Microsoft Authenticator, a passkey
(FIDO2) or a software OATH token since the baseline, and how many are P1 now. Everything is computed
in SQL (``queries/campaign/progress.sql``) over temp tables dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from analysis.campaign import history
from analysis.errors import UserError
from analysis.execute.store import has_batches
from analysis.readiness import afterdate
from analysis.readiness.retirement import Retirement
from analysis.simulate.plan import Plan
from analysis.sources import sqlrun
from analysis.sqlfiles import sql

#: What "first" means as a baseline: the oldest observation in the history.
FIRST = "first"
#: The per-tier and per-wave counts, in the order every output shows them.
COUNTS: tuple[str, ...] = ("users", "observed", "authenticator", "passkey", "software_oath", "registered")


@dataclass
class Progress:
    """The figures of one progress run (``to_dict`` is the ``--json`` document, docs/progress.md)."""

    baseline: dt.datetime
    latest: dt.datetime
    observations: int
    retirement: Retirement
    today: dt.date
    tiers: list[dict[str, Any]] = field(default_factory=list)
    waves: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    still_p1: int = 0

    @property
    def days_left(self) -> int:
        return afterdate.days_left(self.retirement, self.today)

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.isoformat(),
            "latest": self.latest.isoformat(),
            "observations": self.observations,
            "retirement": {
                "date": self.retirement.date.isoformat(),
                "phone_delivery": self.retirement.phone_delivery,
                "today": self.today.isoformat(),
                "days_left": self.days_left,
            },
            "still_p1": self.still_p1,
            "tiers": self.tiers,
            "waves": self.waves,
            "timeline": [{**t, "observed_at": t["observed_at"].isoformat()} for t in self.timeline],
        }


def resolve_baseline(points: list[history.Point], baseline: str | dt.date) -> dt.datetime:
    """The observation a baseline names: ``first``, the last one on or before a day (UTC), or one exactly."""
    if not points:
        raise UserError(
            "the workspace holds no history yet: load a tenant snapshot (`mfa-migrate load`) to record "
            "the first observation, then load newer snapshots (or verify / refresh) to measure progress"
        )
    if baseline == FIRST:
        return points[0].observed_at
    if isinstance(baseline, dt.datetime):  # one observation exactly (the dashboard's choice)
        if not any(p.observed_at == baseline for p in points):
            raise UserError(f"no observation at {baseline.isoformat()}; choose one the history holds")
        return baseline
    if not isinstance(baseline, dt.date):
        raise UserError(f"--baseline must be 'first' or a day like 2026-12-01, not {baseline!r}")
    end = dt.datetime.combine(baseline + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    before = [p.observed_at for p in points if p.observed_at < end]
    if not before:
        first = points[0].observed_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        raise UserError(
            f"no observation on or before {baseline.isoformat()}: the history starts at {first}. "
            "Give a later day, or --baseline first"
        )
    return max(before)


def measure(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    retirement: Retirement,
    baseline: str | dt.date = FIRST,
    today: dt.date | None = None,
) -> tuple[Progress, pa.Table]:
    """The progress since ``baseline`` and the users who are P1 at the latest observation (an Arrow
    table: user_id, username, upn, tier_at_baseline, methods_now, state_since, waves)."""
    plan.require_current(con)
    points = history.points(con)
    start = resolve_baseline(points, baseline)
    today = today or dt.date.today()
    afterdate.ensure_view(con)  # the macros the tier rule needs, current for this version
    afterdate.bind(con, retirement, today)
    try:
        con.execute(sql("campaign/progress.users", plan=plan.table))
        if has_batches(con):
            con.execute(sql("campaign/progress.waves_from_batches"))
        else:
            con.execute(sql("campaign/progress.waves_none"))
        sqlrun.run(con, "campaign/progress.states", {"baseline": start})
        sqlrun.run(con, "campaign/progress.compare")
        tiers = _rows(con, "campaign/progress.by_tier")
        waves = _rows(con, "campaign/progress.by_wave")
        timeline = _rows(con, "campaign/progress.timeline")
        still = con.sql(sql("campaign/progress.still_p1")).to_arrow_table()
    finally:
        sqlrun.run(con, "campaign/progress.cleanup")
    result = Progress(
        baseline=start,
        latest=points[-1].observed_at,
        observations=sum(1 for p in points if p.observed_at >= start),
        retirement=retirement,
        today=today,
        tiers=tiers,
        waves=waves,
        timeline=timeline,
        still_p1=still.num_rows,
    )
    return result, still


def _rows(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    cur = con.execute(sql(name))
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
