"""Later snapshots of the committed sample tenant: the same users, some with newly registered methods."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb

from analysis.console import CaptureConsole
from analysis.sources.workspace import load

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"

AUTHENTICATOR = "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"
PASSKEY = "#microsoft.graph.fido2AuthenticationMethod"
SOFTWARE_OATH = "#microsoft.graph.softwareOathAuthenticationMethod"


def later_snapshot(
    dst: Path,
    taken_at: str,
    register: dict[str, str] | None = None,
    remove: set[str] | None = None,
    unreadable: set[str] | None = None,
) -> Path:
    """The sample tenant taken at ``taken_at``, with ``register`` (UPN -> method @odata.type) added,
    the users in ``remove`` gone, and the methods of ``unreadable`` not read."""
    shutil.copytree(SAMPLE / "tenant", dst)
    snap = json.loads((dst / "snapshot.json").read_text())
    snap["takenAt"] = taken_at
    (dst / "snapshot.json").write_text(json.dumps(snap))
    register, remove, unreadable = register or {}, remove or set(), unreadable or set()
    lines = []
    for line in (dst / "users.jsonl").read_text().splitlines():
        user: dict[str, Any] = json.loads(line)
        upn = user["userPrincipalName"]
        if upn in remove:
            continue
        if upn in register:
            user["authenticationMethods"].append({"@odata.type": register[upn], "id": f"new-{upn}"})
        if upn in unreadable:
            user.pop("authenticationMethods")
            user["methodsError"] = "403 Forbidden"
        lines.append(json.dumps(user))
    (dst / "users.jsonl").write_text("\n".join(lines) + "\n")
    return dst


def load_tenant(ws: Path, tenant: Path) -> None:
    load(ws, SAMPLE / "PhoneFactor.pfdata", tenant, CaptureConsole())


def tier_upns(ws: Path, tier: str) -> list[str]:
    """UPNs of the users in ``tier`` by the readiness view (after a plan was made)."""
    con = duckdb.connect(str(ws), read_only=True)
    try:
        rows = con.execute(
            "SELECT upn FROM users_after_date WHERE counted AND matched AND tier = $t ORDER BY user_id",
            {"t": tier},
        ).fetchall()
    finally:
        con.close()
    return [str(r[0]) for r in rows]


def two_snapshots(directory: Path) -> tuple[Path, list[str]]:
    """A workspace holding two loads of the sample a month apart, between which three P1 users
    registered Microsoft Authenticator, a passkey and a software OATH token; and those three UPNs."""
    from analysis.readiness import afterdate
    from analysis.simulate.runner import ensure_plan
    from analysis.simulate.settings import Settings

    ws = directory / "ws.duckdb"
    load_tenant(ws, SAMPLE / "tenant")
    con = duckdb.connect(str(ws))
    try:
        ensure_plan(con, Settings.default())
        afterdate.ensure_view(con)
    finally:
        con.close()
    movers = tier_upns(ws, "P1")[:3]
    methods = dict(zip(movers, (AUTHENTICATOR, PASSKEY, SOFTWARE_OATH), strict=True))
    load_tenant(ws, later_snapshot(directory / "t2", "2024-07-30T18:30:00Z", register=methods))
    return ws, movers
