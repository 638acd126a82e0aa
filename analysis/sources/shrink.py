"""Nothing is replaced quietly: a load that would leave no users, or far fewer, is refused unless asked.

A header-only Export Users CSV, an empty ``users.jsonl`` or the wrong file loads "successfully" and
replaces every user of the workspace. So, inside the load's transaction (before COMMIT), the new counts
are compared with what the workspace held: 0 MFA Server users, 0 Entra users, or fewer than half of the
previous load's users of either kind stops the load; the transaction rolls back and the previous load
stays exactly as it was. ``mfa-migrate load --allow-shrink`` says the shrink is meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis.errors import UserError
from analysis.sqlfiles import sql

_HOLDS_USERS = frozenset({"mfa_users", "entra_users"})


@dataclass(frozen=True)
class Users:
    mfa: int
    entra: int


def held(con: duckdb.DuckDBPyConnection) -> Users | None:
    """The users the workspace holds now; ``None`` for a workspace that was never loaded."""
    tables = {str(r[0]).lower() for r in con.execute(sql("sources/workspace_file.tables")).fetchall()}
    if not tables >= _HOLDS_USERS:
        return None
    ((mfa, entra),) = con.execute(sql("sources/shrink.users")).fetchall()  # fetchall: the result is done
    return Users(int(mfa), int(entra))


def check(con: duckdb.DuckDBPyConnection, before: Users | None, datafile: Path, tenant: Path) -> None:
    """Raise a :class:`UserError` if the users loaded so far (in the open transaction) shrink too much."""
    after = held(con) or Users(0, 0)
    problems = [
        problem
        for problem in (
            _problem(
                con, "MFA Server users", after.mfa, before.mfa if before else 0, datafile, datafile.name
            ),
            _problem(
                con,
                "Entra users",
                after.entra,
                before.entra if before else 0,
                tenant / "users.jsonl",
                "tenant/users.jsonl",
            ),
        )
        if problem
    ]
    if not problems:
        return
    kept = "the workspace keeps its previous load" if before else "nothing was written"
    raise UserError(
        f"This load would leave {'; and '.join(problems)}. It was stopped and {kept}. Check the input files "
        "(a header-only export, an empty users.jsonl or the wrong file?); if the shrink is meant, load again "
        "with --allow-shrink."
    )


def _problem(
    con: duckdb.DuckDBPyConnection, what: str, now: int, was: int, path: Path, source: str
) -> str | None:
    if now == 0:
        return f"0 {what} (from {path}{_rejected(con, source)})"
    if was and now * 2 < was:
        return f"{now:,} {what} (from {path}), fewer than half of the {was:,} the workspace holds now"
    return None


def _rejected(con: duckdb.DuckDBPyConnection, source: str) -> str:
    rows = con.execute(sql("sources/shrink.rejected"), {"source": source}).fetchall()
    if not rows:
        return ": no user rows in it"
    return ": every row rejected, e.g. " + ", ".join(f"{reason!r} ({n:,})" for reason, n in rows)
