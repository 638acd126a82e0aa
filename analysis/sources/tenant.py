"""Read a tenant snapshot directory (docs/workspace.md) into the workspace's ``entra_*`` tables.

``users.jsonl`` is required; ``groups.jsonl``, ``domains.jsonl``, ``policies.json``, ``snapshot.json`` and
``ledger.jsonl`` are optional (a missing one is an empty table and, except the ledger, a warning). The
JSONL files are staged before the load's transaction (:mod:`jsonl`); :func:`insert` then fills the
tables inside it, all in SQL (``queries/sources/tenant_*.sql``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analysis.errors import UserError
from analysis.sources import jsonl, sqlrun
from analysis.sources.files import FactsPool


@dataclass
class TenantSnapshot:
    """The files of one snapshot directory and what staging learned about them."""

    root: Path
    files: dict[str, Path]  # 'users.jsonl' -> path, only files that exist
    snapshot_json: str | None = None
    policies_json: str | None = None
    records: dict[str, int] = field(default_factory=dict)  # file -> records staged
    warnings: list[str] = field(default_factory=list)


OPTIONAL_JSONL = (jsonl.GROUPS, jsonl.DOMAINS, jsonl.LEDGER)
ALL_FILES = ("snapshot.json", "users.jsonl", "groups.jsonl", "policies.json", "domains.jsonl", "ledger.jsonl")


def locate(root: Path) -> TenantSnapshot:
    """Check the directory and read the two small JSON documents (errors name file, line and column)."""
    if not root.exists():
        raise UserError(
            f"The tenant snapshot directory {root} does not exist. Write one with "
            "`mfa-migrate snapshot --out DIR` (or by hand, docs/workspace.md) and give that directory."
        )
    if not root.is_dir():
        raise UserError(
            f"The tenant snapshot {root} is not a directory. Give the directory that holds "
            "users.jsonl, groups.jsonl, policies.json and domains.jsonl."
        )
    files = {name: root / name for name in ALL_FILES if (root / name).is_file()}
    if "users.jsonl" not in files:
        raise UserError(
            f"The tenant snapshot directory {root} has no users.jsonl, so there are no Entra users to "
            "match. Give the directory written by `mfa-migrate snapshot`, or add users.jsonl (one Graph user "
            "per line)."
        )
    snap = TenantSnapshot(root, files)
    for name in ("groups.jsonl", "domains.jsonl", "policies.json", "snapshot.json"):
        if name not in files:
            snap.warnings.append(f"tenant snapshot has no {name}; loaded as empty")
    if "snapshot.json" in files:
        snap.snapshot_json = _read_document(files["snapshot.json"])
    if "policies.json" in files:
        snap.policies_json = _read_document(files["policies.json"])
        policy = json.loads(snap.policies_json).get("authenticationMethodsPolicy")
        if not isinstance(policy, dict):
            snap.warnings.append(
                "policies.json has no authenticationMethodsPolicy: every method counts as allowed"
            )
    return snap


def _read_document(path: Path) -> str:
    label = f"tenant/{path.name}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"{label} is not UTF-8 text. Write the snapshot again or re-save the file as UTF-8."
        ) from None
    except OSError as exc:
        raise UserError(f"{label} cannot be read ({exc.strerror}). Check its permissions.") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "Fix the file (or write the snapshot again) and load it again."
        ) from None
    except RecursionError:  # Python's JSON parser gives up on deep nesting; Graph never nests like that
        raise UserError(
            f"{label} is nested too deeply to be a Graph snapshot. Write the snapshot again and load again."
        ) from None
    if not isinstance(value, dict):
        raise UserError(
            f"{label} must hold one JSON object, not {type(value).__name__}. "
            "Fix the file (or write the snapshot again) and load it again."
        )
    return text


def stage(con: duckdb.DuckDBPyConnection, snap: TenantSnapshot, facts: FactsPool) -> None:
    """Stage the JSONL files into TEMP tables (before the load's transaction)."""
    for kind in (jsonl.USERS, *OPTIONAL_JSONL):
        path = snap.files.get(kind.file)
        if path is not None:
            snap.records[kind.file] = jsonl.stage(con, path, kind, facts)
        else:
            jsonl.stage_empty(con, kind)


def insert(con: duckdb.DuckDBPyConnection, snap: TenantSnapshot) -> None:
    """Fill the entra_* tables and tenant_info from the staged files (inside the load's transaction)."""
    sqlrun.run(con, "sources/tenant.users_insert")
    ((staged,),) = con.execute("SELECT count(*) FROM entra_methods_stage").fetchall()
    ((inserted,),) = sqlrun.fetch(con, "sources/tenant.methods_insert")
    if inserted < staged:  # a second pass only when some method was unusable
        sqlrun.run(con, "sources/tenant.methods_rejects")
    con.execute("DROP TABLE entra_methods_stage")
    sqlrun.run(con, "sources/tenant.groups_insert")
    sqlrun.run(con, "sources/tenant.domains_insert")
    sqlrun.run(con, "sources/tenant.ledger_insert")
    sqlrun.run(
        con,
        "sources/tenant.policies_insert",
        {
            "snapshot": snap.snapshot_json or "{}",
            "policies": snap.policies_json or "{}",
            "has_policies": snap.policies_json is not None,
        },
    )
    duplicates = sqlrun.fetch(con, "sources/tenant.duplicates")
    if duplicates:
        shown = "; ".join(
            f"{file} id '{key}' on lines {', '.join(str(x) for x in lines)}"
            + (" ..." if n > len(lines) else "")
            for file, key, lines, n in duplicates
        )
        raise UserError(
            f"The tenant snapshot {snap.root} lists the same Entra id more than once ({shown}). Each user "
            "and group must appear once: write the snapshot again, or remove the duplicate lines, and load "
            "again."
        )


def drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    for kind in jsonl.KINDS:
        con.execute(f"DROP TABLE IF EXISTS {kind.stage}")
