"""Group names that settings refer to must exist in the workspace's tenant snapshot.

A misspelled ``scope.group`` used to put every user out of scope without a word; a misspelled migration
group would hand devices to a group that is not there. :func:`require_group` turns both into one error
that names the setting, the value and the closest group names of the snapshot (``difflib``), so the fix
is a copy and paste.
"""

from __future__ import annotations

import difflib

import duckdb

from analysis.errors import UserError
from analysis.sqlfiles import sql

#: How many suggestions an error shows, and how alike a name must be to be suggested (difflib's ratio).
SUGGESTIONS = 3
CUTOFF = 0.6


def closest(name: str, candidates: list[str]) -> list[str]:
    """The candidates most like ``name`` (case-insensitive), best first."""
    by_folded: dict[str, str] = {}
    for candidate in sorted(candidates):
        by_folded.setdefault(candidate.casefold(), candidate)
    found = difflib.get_close_matches(name.casefold(), list(by_folded), n=SUGGESTIONS, cutoff=CUTOFF)
    return [by_folded[f] for f in found]


def require_group(con: duckdb.DuckDBPyConnection, name: str, setting: str) -> None:
    """Raise a :class:`UserError` unless a group of the snapshot has ``name`` as its id or display name.

    ``setting`` says where the name came from (``settings key 'scope.group' in wave1.toml``). An empty
    name means "no group" and is always fine.
    """
    if not name:
        return
    ((found,),) = con.execute(sql("sources/groupnames.matches"), {"name": name}).fetchall()
    if found:
        return
    names = [str(r[0]) for r in con.execute(sql("sources/groupnames.names")).fetchall()]
    if not names:
        hint = "the tenant snapshot has no groups (was groups.jsonl collected?)"
    else:
        near = closest(name, names)
        hint = (
            "closest names: " + ", ".join(repr(n) for n in near)
            if near
            else f"no group name is close ({len(names):,} groups in the snapshot)"
        )
    raise UserError(
        f"{setting} is {name!r}, but no group of the workspace's tenant snapshot has that display name or "
        f"id ({hint}). Fix the name (names compare exactly), or reload a snapshot that has the group."
    )
