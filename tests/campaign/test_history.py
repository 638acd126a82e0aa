"""The campaign's history: each snapshot loaded is one observation, only changed users are stored, a
reload adds nothing, a user gone or unreadable becomes unknown, and reads the product keeps count too."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import duckdb
from campaign_tenant import AUTHENTICATOR, PASSKEY, SAMPLE, later_snapshot, load_tenant

from analysis.campaign import history
from analysis.sources import latest

UTC = dt.UTC


def _states(ws: Path, upn: str) -> list[tuple[dt.datetime, int | None]]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        rows = con.execute(
            "SELECT s.observed_at, s.bits FROM progress_states s JOIN progress_ids i USING (key) "
            "JOIN entra_users e ON e.id = i.entra_id WHERE e.user_principal_name = $u ORDER BY 1",
            {"u": upn},
        ).fetchall()
    finally:
        con.close()
    return [(at.astimezone(UTC), bits) for at, bits in rows]


def _points(ws: Path) -> list[history.Point]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        return history.points(con)
    finally:
        con.close()


def test_each_snapshot_is_an_observation_and_only_changes_are_stored(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    load_tenant(ws, SAMPLE / "tenant")
    first = _points(ws)
    assert [(p.source, p.observed_at.astimezone(UTC)) for p in first] == [
        ("snapshot", dt.datetime(2024, 6, 30, 18, 30, tzinfo=UTC))
    ]
    users = first[0].users
    assert users == first[0].changed > 400  # the first observation stores everyone
    load_tenant(ws, SAMPLE / "tenant")  # the same snapshot again: nothing new
    assert len(_points(ws)) == 1

    upn, other = "ada.lovelace@contoso.com", "grace.hopper@contoso.com"
    before = _states(ws, upn)
    later = later_snapshot(
        tmp_path / "t2", "2024-07-30T09:00:00Z", register={upn: PASSKEY, other: AUTHENTICATOR}
    )
    load_tenant(ws, later)
    second = _points(ws)[-1]
    assert (second.users, second.changed) == (users, 2)
    after = _states(ws, upn)
    assert after[:-1] == before and after[-1][0] == dt.datetime(2024, 7, 30, 9, tzinfo=UTC)
    assert after[-1][1] is not None and after[-1][1] & 128 and not (before[-1][1] or 0) & 128


def test_a_user_gone_or_unreadable_is_unknown_not_methodless(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    load_tenant(ws, SAMPLE / "tenant")
    gone, unread = "ada.lovelace@contoso.com", "grace.hopper@contoso.com"
    load_tenant(ws, later_snapshot(tmp_path / "t2", "2024-08-01T00:00:00Z", unreadable={unread}))
    assert _states(ws, unread)[-1] == (dt.datetime(2024, 8, 1, tzinfo=UTC), None)
    load_tenant(ws, later_snapshot(tmp_path / "t3", "2024-09-01T00:00:00Z", remove={gone}))
    assert _states(ws, unread)[-1][1] is not None  # readable again: known again
    con = duckdb.connect(str(ws), read_only=True)
    try:
        ended = con.execute(
            "SELECT i.entra_id FROM progress_states s JOIN progress_ids i USING (key) "
            "WHERE s.bits IS NULL AND s.observed_at = '2024-09-01T00:00:00Z'"
        ).fetchall()
        still = con.execute(
            "SELECT count(*) FROM entra_users WHERE user_principal_name = $u", {"u": gone}
        ).fetchone()
    finally:
        con.close()
    ada = next(
        u["id"]
        for u in map(json.loads, (SAMPLE / "tenant" / "users.jsonl").open())
        if u["userPrincipalName"] == gone
    )
    assert ended == [(ada,)] and still == (0,)  # ada's state ends there, and nobody else's


def _read(methods: list[dict[str, str]]) -> SimpleNamespace:
    """What a run, verify or refresh keeps of one user's read (analysis.sources.latest.record)."""
    return SimpleNamespace(raw_methods=methods, live=SimpleNamespace(preferred="push"))


def test_reads_the_product_keeps_are_observations_of_those_users(tmp_path: Path) -> None:
    ws = tmp_path / "ws.duckdb"
    load_tenant(ws, SAMPLE / "tenant")
    upn = "ada.lovelace@contoso.com"
    con = duckdb.connect(str(ws))
    try:
        (entra_id,) = con.execute(
            "SELECT id FROM entra_users WHERE user_principal_name = $u", {"u": upn}
        ).fetchone() or ("",)
        app = {"@odata.type": AUTHENTICATOR, "id": "m-app"}
        assert latest.record(con, {entra_id: _read([app])}, "verify") == 1
        # refresh keeps its reads in parts, giving the file back between them, and lays them over once
        key = {"@odata.type": PASSKEY, "id": "m-key"}
        latest.record(con, {entra_id: _read([app, key])}, "refresh", apply_now=False)
        before_apply = history.points(con)[-1].source
    finally:
        con.close()
    con = duckdb.connect(str(ws))
    try:
        latest.apply(con)
        points = history.points(con)
        assert history.observe_deferred(con) == []  # observed once only
    finally:
        con.close()
    assert before_apply == "verify"
    assert [(p.source, p.users, p.changed) for p in points[1:]] == [("verify", 1, 1), ("refresh", 1, 1)]
    states = _states(ws, upn)
    assert [bits & 136 for _, bits in states[-2:] if bits is not None] == [8, 136]  # app, then app + key
