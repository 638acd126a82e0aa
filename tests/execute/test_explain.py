"""``batch explain`` prints exactly the requests a run sends: checked against what the emulator then
receives (method and URL) and what the journal records (bodies), with secrets never shown; after part
of a run it lists only what is left, with the ids earlier answers gave."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from exec_tenant import (
    build,
    cli,
    create_and_approve,
    datafile_of,
    explain,
    match_writes,
    pattern_of,
    popen_run,
    status_of,
    token_secret,
    writes,
)

from analysis.execute.crashpoints import KILL_AT, KILL_LOG
from analysis.execute.oath import totp
from analysis.graph.emulator.launcher import start_emulator

pytestmark = pytest.mark.slow

USERS, TOKENS = 8, 2


def test_explain_lists_exactly_what_the_run_then_sends(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS, tokens=TOKENS)
    create_and_approve(ws)
    with start_emulator(tenant) as emu:
        table = cli("batch", "explain", "w", "--workspace", str(ws), "--graph-url", emu.graph_url)
        planned = explain(ws, "w", emu)
        shown = table.stdout + json.dumps(planned)
        for k in range(USERS, USERS + TOKENS):  # secrets and codes never appear
            assert token_secret(k) not in shown and totp(token_secret(k)) not in shown
        assert '"secretKey": "<redacted>"' in shown and '"verificationCode": "<redacted>"' in shown
        assert "<device id from hw_create>" in shown and "<method id from hw_assign>" in shown
        assert [p["round"] for p in planned] == sorted(p["round"] for p in planned)
        cli("batch", "run", "w", "--workspace", str(ws), "--datafile", str(datafile_of(ws)), emu=emu)
        applied = [(e["method"], e["path"]) for e in writes(emu.log()) if 200 <= status_of(e) < 300]
        after = cli("batch", "explain", "w", "--workspace", str(ws), "--json").stdout
    missing, unexpected = match_writes([(p["method"], p["url"]) for p in planned], applied)
    assert (missing, unexpected) == ([], [])
    con = duckdb.connect(str(ws), read_only=True)
    intents = con.execute(
        "SELECT u.username, j.step, j.method, j.url, j.body FROM journal j "
        "JOIN batch_users u USING (batch_id, user_id) WHERE j.kind = 'intent'"
    ).fetchall()
    con.close()
    sent = {
        (u, step): (method, url, json.loads(body) if body else None) for u, step, method, url, body in intents
    }
    assert len(sent) == len(planned)
    for p in planned:
        method, url, body = sent[(p["user"], p["step"])]
        assert method == p["method"] and pattern_of(p["url"]).fullmatch(url), (p, url)
        # The body too, an id only Graph gives standing for the actual one.
        parts = re.split(r"<(?!redacted)[^>]*>", json.dumps(p["body"], sort_keys=True))
        expected = '[^"]+'.join(re.escape(part) for part in parts)
        assert re.fullmatch(expected, json.dumps(body, sort_keys=True)), (p["body"], body)
    assert "a run sends nothing" in after and "{" not in after


def test_after_part_of_a_run_explain_lists_only_what_is_left_with_the_journaled_ids(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, 0, tokens=2)
    create_and_approve(ws)
    kills = tmp_path / "kills"
    with start_emulator(tenant) as emu:
        env = {KILL_AT: "response:hw_create", KILL_LOG: str(kills)}
        proc = popen_run(ws, "w", emu, "--datafile", str(datafile_of(ws)), env=env)
        proc.communicate(timeout=120)
        assert kills.read_text().split() == ["response:hw_create"]
        planned = explain(ws, "w", emu)
    con = duckdb.connect(str(ws), read_only=True)
    devices = [
        json.loads(ids)["device"]
        for (ids,) in con.execute(
            "SELECT ids FROM journal WHERE step = 'hw_create' AND ids IS NOT NULL"
        ).fetchall()
    ]
    con.close()
    assert len(devices) == 2
    assert [p["step"] for p in planned if p["round"] == 1] == ["hw_assign", "hw_assign"]
    assert "hw_create" not in {p["step"] for p in planned}
    bodies = [p["body"]["device"]["id"] for p in planned if p["step"] == "hw_assign"]
    assert sorted(bodies) == sorted(devices)  # the ids the journal holds, not placeholders
