"""The executor against the real emulator (HTTPS on 127.0.0.1, in a subprocess), through the CLI, on
crafted users (tests/execute/exec_tenant.py): drift (users changed in the tenant after the plan are skipped,
re-planned, and not written) and re-registration with Temporary Access Passes. The whole flow on the
sample data is in test_sample_flow.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from exec_tenant import SETTINGS, build, cli, entra_id

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

pytestmark = pytest.mark.slow

USERS = 16


def _writes(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write requests Graph applied or refused (batch items and plain requests; not the envelopes)."""
    return [e for e in log if e["method"] != "GET" and not e["path"].endswith("/$batch")]


def _prepare(tmp_path: Path, users: int = USERS) -> tuple[Path, Path]:
    ws, tenant = build(tmp_path, users)
    (tmp_path / "s.toml").write_text(SETTINGS)
    cli(
        "batch",
        "create",
        "--workspace",
        str(ws),
        "--name",
        "wave-1",
        "--where",
        "true",
        "--settings",
        str(tmp_path / "s.toml"),
        "--as",
        "alice",
    )
    cli("batch", "approve", "wave-1", "--workspace", str(ws), "--note", "CHG-42", other_os_user=True)
    return ws, tenant


def _graph(emu: EmulatorInfo, method: str, path: str, body: Any = None) -> httpx.Response:
    with httpx.Client(verify=emu.tls(), trust_env=False, timeout=30) as client:
        return client.request(
            method,
            f"{emu.graph_url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {emu.app_token()}"},
        )


def test_drifted_users_are_skipped_replanned_and_not_written(tmp_path: Path) -> None:
    ws, tenant = _prepare(tmp_path, 8)
    with start_emulator(tenant) as emu:
        # After the plan: user 0 gets another mobile, user 1 a default method, user 3 an Authenticator-free
        # change that does not matter to the plan (an email method).
        assert _graph(
            emu,
            "POST",
            f"/v1.0/users/{entra_id(0)}/authentication/phoneMethods",
            {"phoneNumber": "+44 7911999999", "phoneType": "mobile"},
        ).status_code in (200, 201)
        assert _graph(
            emu,
            "POST",
            f"/v1.0/users/{entra_id(1)}/authentication/phoneMethods",
            {"phoneNumber": "+44 7911999998", "phoneType": "mobile"},
        ).status_code in (200, 201)
        assert (
            _graph(
                emu,
                "PATCH",
                f"/beta/users/{entra_id(1)}/authentication/signInPreferences",
                {"userPreferredMethodForSecondaryAuthentication": "sms"},
            ).status_code
            == 204
        )
        emu.admin("POST", "stats/reset")
        run = cli("batch", "run", "wave-1", "--workspace", str(ws), emu=emu, check=False)
        assert run.returncode == 1 and "partial" in run.stdout
        paths = [e["path"] for e in _writes(emu.log())]
        assert paths and not [p for p in paths if entra_id(0) in p or entra_id(1) in p]
        con = duckdb.connect(str(ws), read_only=True)
        drifted = con.execute(
            "SELECT username, detail, replan FROM batch_users WHERE status = 'drifted' ORDER BY username"
        ).fetchall()
        con.close()
        assert [d[0] for d in drifted] == ["user0000@contoso.com", "user0001@contoso.com"]
        assert "mobile phone is +44 7911999999" in drifted[0][1]
        assert "default method is sms" in drifted[1][1]
        replan = {r["item"]: r for r in json.loads(drifted[0][2])}
        assert replan["phone"]["action"] == "write_mobile"  # still to write, now over the new mobile
        show = cli("batch", "show", "wave-1", "--workspace", str(ws))
        assert "drifted" in show.stdout
        verify = cli("batch", "verify", "wave-1", "--workspace", str(ws), emu=emu)
        assert "100.0% agreement" in verify.stdout  # of the users that ran; drifted rows are 'skipped'


def test_reregister_with_tap_writes_passes_only_to_the_private_file(tmp_path: Path) -> None:
    import stat

    from exec_tenant import create_and_approve

    ws, tenant = build(tmp_path, 8)
    create_and_approve(ws, '[execute]\nhandoff = "reregister"\ntap = true\ntap_lifetime_minutes = 60\n')
    taps = tmp_path / "taps.jsonl"
    with start_emulator(tenant) as emu:
        missing = cli("batch", "run", "w", "--workspace", str(ws), emu=emu, check=False)
        assert missing.returncode == 2 and "--tap-out" in missing.stderr
        run = cli("batch", "run", "w", "--workspace", str(ws), "--tap-out", str(taps), emu=emu)
        show = cli("batch", "show", "w", "--workspace", str(ws), "--journal")
    lines = [json.loads(line) for line in taps.read_text().splitlines()]
    assert sorted(x["username"] for x in lines) == ["user0003@contoso.com", "user0007@contoso.com"]
    assert stat.S_IMODE(taps.stat().st_mode) == 0o600
    passes = [x["temporaryAccessPass"] for x in lines]
    assert all(passes)
    con = duckdb.connect(str(ws), read_only=True)
    journal = " ".join(str(r) for r in con.execute("SELECT * FROM journal").fetchall())
    con.close()
    for secret in passes:
        assert secret not in journal and secret not in run.stdout + run.stderr and secret not in show.stdout
