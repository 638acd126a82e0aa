"""The campaign's history: every snapshot loaded and every read of users kept as an observation.

A load replaces the workspace's ``entra_*`` tables with the new snapshot, so without a history the
state of the tenant last week is gone, and "who registered a passkey since the campaign started" has no
answer. :func:`observe_snapshot` (called by the loader, inside its transaction) and
:func:`defer_reads` / :func:`observe_deferred` (whenever the product keeps users' latest state: a run's
reads, verify, rollback, refresh) record each user's Entra methods and whether their default is a
phone, keyed by when they were observed.

Only changes are stored (``queries/campaign/history.sql``): a million users over five snapshots in
which a campaign moves tens of thousands costs little more than one snapshot. A user's state at any
time is their last row at or before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from analysis.sources import sqlrun
from analysis.sqlfiles import sql

#: The source name of a snapshot load's observation (reads name theirs: 'verify', 'refresh', ...).
SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class Point:
    """One observation: when, by what, how many users it saw and how many of them had changed."""

    observed_at: datetime
    source: str
    users: int
    changed: int


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    sqlrun.run(con, "campaign/history.schema")


def observe_snapshot(con: duckdb.DuckDBPyConnection, loaded_at: datetime) -> Point | None:
    """Record the just-loaded snapshot's users (before later reads are laid over them), observed when
    the snapshot says it was taken, else at ``loaded_at``. Loading the same snapshot again records
    nothing (None)."""
    ensure_schema(con)
    row = con.execute(sql("campaign/history.snapshot_time")).fetchone()
    at = row[0] if row and row[0] is not None else loaded_at
    seen = con.execute(sql("campaign/history.seen"), {"at": at}).fetchone()
    if seen and seen[0]:
        return None
    return _observe(con, at, SNAPSHOT, full=True)


def defer_reads(con: duckdb.DuckDBPyConnection, entra_ids: list[str], source: str, at: datetime) -> None:
    """Note users the product just read again; :func:`observe_deferred` records them once their reads
    are laid over the snapshot (``refresh`` keeps its reads in parts and lays them over once)."""
    if entra_ids:
        ensure_schema(con)
        sqlrun.run(con, "campaign/history.defer", {"ids": entra_ids, "source": source, "at": at})


def observe_deferred(con: duckdb.DuckDBPyConnection) -> list[Point]:
    """Record the users noted by :func:`defer_reads`: one observation per source, at its latest read
    (their ``entra_*`` rows hold what was read by now)."""
    if not con.execute(sql("campaign/history.deferred_exists")).fetchone():
        return []
    groups = sqlrun.fetch(con, "campaign/history.deferred")
    if not groups:
        return []
    out = [_observe(con, at, str(source), full=False, deferred=True) for source, at in groups]
    sqlrun.run(con, "campaign/history.deferred_clear")
    return out


def _observe(
    con: duckdb.DuckDBPyConnection, at: datetime, source: str, *, full: bool, deferred: bool = False
) -> Point:
    sqlrun.run(con, "readiness/support/after_date.macros")  # method_bit, phone_default
    if full:
        sqlrun.run(con, "campaign/history.read_ids", {"ids": []})
    elif deferred:
        sqlrun.run(con, "campaign/history.read_deferred", {"source": source})
    sqlrun.run(con, "campaign/history.observe", {"at": at, "full": full})
    sqlrun.run(con, "campaign/history.store", {"at": at, "full": full, "source": source})
    return _point_at(con, at, source)


def _point_at(con: duckdb.DuckDBPyConnection, at: datetime, source: str) -> Point:
    return next(p for p in reversed(points(con)) if p.source == source and p.observed_at == at)


def points(con: duckdb.DuckDBPyConnection) -> list[Point]:
    """Every observation, oldest first (none in a workspace that never recorded one)."""
    if not has_history(con):
        return []
    return [
        Point(at, str(src), int(u), int(c)) for at, src, u, c in sqlrun.fetch(con, "campaign/history.points")
    ]


def has_history(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(sql("campaign/history.exists")).fetchone()
    return bool(row and row[0])
