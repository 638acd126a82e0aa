"""Blocked users are stopped at the door: the readiness findings of a batch's users, counted by check
when the batch is created, kept with it (``batch_findings``) and shown again at approval, so nobody
signs off users with blocker findings without seeing them. ``batch create --only-ready`` (and the
dashboard's "Only ready users") leaves users with a blocker finding out of the batch altogether.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.readiness.retirement import Retirement
from analysis.simulate.plan import Plan
from analysis.sqlfiles import sql

SEVERITIES = ("blocker", "warning")


def findings(con: duckdb.DuckDBPyConnection, plan: Plan, retirement: Retirement | None) -> pd.DataFrame:
    """One row per (user, check) with a blocker or warning finding: user_id, check_id, severity.

    ``retirement`` is the ``[retirement]`` in force (None: its defaults): whether the phone cut blocks a
    user depends on it, so the gate must judge with the same settings as the readiness report."""
    from analysis.readiness import checks as readiness

    checks = [c for c in readiness.catalogue() if c.severity in SEVERITIES]
    report = readiness.run(con, plan, checks=checks, retirement=retirement)
    frames = [
        pd.DataFrame({"user_id": r.findings["user_id"].dropna().astype("int64").unique()}).assign(
            check_id=r.check.id, severity=r.check.severity
        )
        for r in report.results
        if r.count
    ]
    if not frames:
        return pd.DataFrame({"user_id": pd.Series(dtype="int64"), "check_id": [], "severity": []})
    return pd.concat(frames, ignore_index=True)


def blocked(found: pd.DataFrame) -> frozenset[int]:
    """Users with at least one blocker finding."""
    return frozenset(int(u) for u in found.loc[found["severity"] == "blocker", "user_id"].unique())


def store(con: duckdb.DuckDBPyConnection, batch_id: int, found: pd.DataFrame) -> None:
    """Keep the counts for the batch's users (by check), for its approval."""
    con.execute(
        sql("execute/gate.store"),
        {
            "batch_id": batch_id,
            "user_id": [int(u) for u in found["user_id"]],
            "check_id": [str(c) for c in found["check_id"]],
            "severity": [str(s) for s in found["severity"]],
        },
    )


@dataclass(frozen=True)
class Gate:
    """A batch's users with blocker and warning findings, by check."""

    blocked_users: int
    warned_users: int
    by_check: list[tuple[str, str, int]]  # (severity, check id, users)

    def sentence(self) -> str:
        if not self.by_check:
            return "no user with blocker or warning findings"
        parts = []
        for severity, count in (("blocker", self.blocked_users), ("warning", self.warned_users)):
            checks = [f"{c} {n:,}" for s, c, n in self.by_check if s == severity]
            if checks:
                parts.append(f"{count:,} user(s) with {severity} findings ({', '.join(checks)})")
        return "; ".join(parts)


def of_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> Gate | None:
    """The counts kept at creation (None for a batch created before they were kept)."""
    try:
        rows = con.execute(sql("execute/gate.by_check"), {"batch_id": batch_id}).fetchall()
    except duckdb.CatalogException:  # a read-only look at a workspace from before the counts were kept
        return None
    if not rows:
        return None
    users = {s: n for s, c, n in rows if c == "*"}
    by_check = [(str(s), str(c), int(n)) for s, c, n in rows if c != "*" and s != "none"]
    return Gate(int(users.get("blocker", 0)), int(users.get("warning", 0)), by_check)
