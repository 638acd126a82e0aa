"""How old the workspace's picture of the tenant is: the snapshot's age, the latest reads' age, and the
``[freshness]`` section of the settings file that says when an old snapshot deserves a warning.

Everything the product reports on users is "as of" some time: the snapshot's, or, for users read again
since (a run, verify, rollback, ``refresh``; docs/workspace.md, "Latest state"), that read's. The
Overview and Users pages show both ages and warn once the snapshot is older than ``warn_after_days``
(default 7): a week-old snapshot misses the methods users registered and the phones they changed since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from analysis.simulate.settings import known_keys, whole_number
from analysis.sqlfiles import sql

KEYS: tuple[str, ...] = ("warn_after_days",)
#: A snapshot a year old is stale whatever the settings say; more is a typo.
WARN_RANGE = (1, 365)


@dataclass(frozen=True)
class Freshness:
    """When the snapshot counts as old."""

    warn_after_days: int = 7

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> Freshness:
        """Validate a ``[freshness]`` table; missing keys take their defaults, errors name the key."""
        known_keys(data, "freshness", KEYS, source)
        days = whole_number(
            data, "freshness.warn_after_days", cls.warn_after_days, WARN_RANGE, f"in {source}"
        )
        return cls(warn_after_days=days)

    def to_dict(self) -> dict[str, Any]:
        return {"warn_after_days": self.warn_after_days}


@dataclass(frozen=True)
class Ages:
    """The snapshot's time and the latest reads newer than it (None: none)."""

    snapshot_at: dt.datetime | None
    read_users: int = 0
    oldest_read: dt.datetime | None = None
    newest_read: dt.datetime | None = None
    not_read: int = 0  # users a later read could not read (they keep their earlier state)

    def snapshot_days(self, now: dt.datetime | None = None) -> float | None:
        if self.snapshot_at is None:
            return None
        now = now or dt.datetime.now(dt.UTC)
        return (now - self.snapshot_at).total_seconds() / 86400

    def is_old(self, freshness: Freshness, now: dt.datetime | None = None) -> bool:
        days = self.snapshot_days(now)
        return days is not None and days > freshness.warn_after_days


def ages(con: duckdb.DuckDBPyConnection) -> Ages:
    """The workspace's ages (a workspace no read was kept in yet has only the snapshot's)."""
    if not _exists(con, "entra_latest"):
        row = con.execute(sql("sources/latest.snapshot_at")).fetchone()
        return Ages(_utc(row[0]) if row else None)
    row = con.execute(sql("sources/latest.ages")).fetchone()
    assert row is not None
    unread = con.execute(sql("sources/latest.not_read_count")).fetchone() if _exists(con, NOT_READ) else None
    return Ages(_utc(row[0]), int(row[1] or 0), _utc(row[2]), _utc(row[3]), int(unread[0]) if unread else 0)


NOT_READ = "entra_latest_not_read"


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(sql("sources/latest.table_exists"), {"table_name": table}).fetchone()
    return bool(row and row[0])


def _utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def age_text(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``'3 days ago'``, ``'5 hours ago'``, ``'just now'``; ``'unknown'`` without a time."""
    if when is None:
        return "unknown"
    seconds = ((now or dt.datetime.now(dt.UTC)) - when).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"
