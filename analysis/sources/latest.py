"""The workspace follows the tenant: every read of a user the product makes (a run's before-read,
verification, rollback, ``refresh``) is kept as that user's latest Entra state with its time
(``entra_latest``, kept across loads), and replaces the snapshot's methods and default method for that
user whenever it is newer than the snapshot, so simulation and readiness see the tenant as it is after a
batch, not as it was before it (docs/workspace.md, "Latest state").

Graph never returns secrets in ``/authentication/methods``; the loader's own redaction is applied
again anyway (the same SQL stages the methods).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import duckdb

from analysis.sources import sqlrun
from analysis.sqlfiles import sql


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql("sources/latest.schema"))
    con.execute(sql("sources/latest.not_read_schema"))


def record(
    con: duckdb.DuckDBPyConnection,
    reads: Mapping[str, Any],
    source: str,
    *,
    not_read: Mapping[str, str] | None = None,
    apply_now: bool = True,
) -> int:
    """Keep ``reads`` (Entra id -> an object with ``raw_methods`` and ``live``; users without a read are
    left out) as the users' latest state, then lay every state newer than the snapshot over it.

    ``not_read`` (Entra id -> why) records users a read was tried for and failed: they keep their earlier
    state, listed as not read with the reason, never as "no methods". ``apply_now=False`` leaves the
    laying-over to one :func:`apply` at the end (``refresh`` stores in parts). Returns how many users'
    state was kept."""
    ensure_schema(con)
    ids, methods, preferred = [], [], []
    for entra_id, read in reads.items():
        if read is None or getattr(read, "raw_methods", None) is None:
            continue
        ids.append(entra_id)
        methods.append([json.dumps(m, sort_keys=True) for m in read.raw_methods])
        preferred.append(read.live.preferred if read.live is not None else None)
    at = datetime.now(UTC)
    kept = set(ids)
    failed = {k: v for k, v in (not_read or {}).items() if k not in kept}
    if failed:
        con.execute(
            sql("sources/latest.not_read_record"),
            {"entra_id": list(failed), "at": at, "source": source, "reason": list(failed.values())},
        )
    if not ids:
        return 0
    con.execute(
        sql("sources/latest.record"),
        {"entra_id": ids, "at": at, "source": source, "methods": methods, "preferred": preferred},
    )
    con.execute(sql("sources/latest.not_read_clear"), {"entra_id": ids})
    from analysis.campaign import history

    history.defer_reads(con, ids, source, at)  # observed by the campaign's history once applied
    if apply_now:
        apply(con)
    return len(ids)


def reason_of(read: Any) -> str:
    """Why a read (:class:`analysis.execute.reads.ReadResult`, or None) gave no state."""
    if read is None:
        return "not read: the read did not come back"
    return str(getattr(read, "error", None) or "not read")


def apply(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the snapshot's methods and default of every user whose latest read is newer than the
    snapshot (after a load too); phone numbers are parsed again. Returns how many users."""
    from analysis.sources.phones import fill_phone_tables

    ensure_schema(con)
    sqlrun.run(con, "sources/latest.stage")
    sqlrun.run(con, "sources/latest.apply")
    ((users, _first, _last),) = con.execute(sql("sources/latest.applied")).fetchall()
    if users:
        sqlrun.run(con, "sources/macros")  # the loader's helpers (present, ...)
        sqlrun.run(con, "sources/tenant.methods_insert")
        con.execute("DELETE FROM mfa_phones")
        fill_phone_tables(con)
    con.execute("DROP TABLE IF EXISTS entra_methods_stage")
    con.execute("DROP TABLE IF EXISTS latest_users")
    from analysis.campaign import history

    history.observe_deferred(con)  # the reads just laid over, as the campaign's history sees them
    return int(users)


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """'' without latest states; else a fingerprint that changes with every kept read."""
    exists = con.execute(sql("sources/latest.exists")).fetchone()
    if not (exists and exists[0]):
        return ""
    row = con.execute(sql("sources/latest.fingerprint")).fetchone()
    return str(row[0]) if row else ""
