"""The re-registration campaign batch (`batch create --campaign`) against the real emulator, through the
CLI: approval, a Temporary Access Pass per user written only to the 0600 `--tap-out` file (never to the
journal, the terminal or `batch show`), nothing of the plan written, a user who registered a new method
gets no pass, verify judges passes and registrations and marks nobody migrated; creation refuses what the
snapshot's TAP policy would refuse."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import duckdb
import pytest
from exec_tenant import build, cli, upn

from analysis.graph.emulator.launcher import start_emulator

pytestmark = pytest.mark.slow

USERS = 6


def _create(ws: Path, settings: Path) -> None:
    args = ["--workspace", str(ws), "--settings", str(settings)]
    created = cli("batch", "create", *args, "--name", "c", "--where", "true", "--campaign", "--as", "alice")
    assert f"{USERS} user(s)" in created.stdout
    cli("batch", "approve", "c", "--workspace", str(ws), other_os_user=True)


def test_a_campaign_issues_passes_only_to_the_private_file(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS)
    settings = tmp_path / "s.toml"
    settings.write_text('[execute]\ntap_lifetime_minutes = 120\ntap_start = "2099-01-11T08:00:00Z"\n')
    _create(ws, settings)
    show = cli("batch", "show", "c", "--workspace", str(ws))
    assert "re-registration campaign" in show.stdout and "yes, 120 min" in show.stdout
    taps = tmp_path / "taps.jsonl"
    with start_emulator(tenant, "--test-hooks") as emu:
        emu.admin("POST", "test/register", {"user": upn(0), "method": "microsoftAuthenticator"})
        missing = cli("batch", "run", "c", "--workspace", str(ws), emu=emu, check=False)
        assert missing.returncode == 2 and "--tap-out" in missing.stderr
        emu.admin("POST", "stats/reset")
        run = cli("batch", "run", "c", "--workspace", str(ws), "--tap-out", str(taps), emu=emu)
        writes = [e for e in emu.log() if e["method"] != "GET" and not e["path"].endswith("/$batch")]
        verify = cli("batch", "verify", "c", "--workspace", str(ws), emu=emu)
        journal_show = cli("batch", "show", "c", "--workspace", str(ws), "--journal")
    lines = [json.loads(line) for line in taps.read_text().splitlines()]
    assert sorted(x["username"] for x in lines) == sorted(upn(k) for k in range(1, USERS))  # not user 0
    assert stat.S_IMODE(taps.stat().st_mode) == 0o600
    assert all(x["temporaryAccessPass"] for x in lines)
    assert {(x["startDateTime"], x["lifetimeInMinutes"]) for x in lines} == {("2099-01-11T08:00:00Z", 120)}
    assert len(writes) == USERS - 1 and all(e["path"].endswith("/temporaryAccessPassMethods") for e in writes)
    assert all(e["status"] == 201 for e in writes)
    con = duckdb.connect(str(ws), read_only=True)
    journal = " ".join(str(r) for r in con.execute("SELECT * FROM journal").fetchall())
    marks = con.execute("SELECT count(*) FROM migration_marks").fetchone()
    con.close()
    shown = run.stdout + run.stderr + verify.stdout + journal_show.stdout
    for secret in (x["temporaryAccessPass"] for x in lines):
        assert secret not in journal and secret not in shown
    assert "100.0% agreement" in verify.stdout
    assert marks == (0,)  # a pass is no migration


def test_a_campaign_the_tap_policy_would_refuse_is_not_created(tmp_path: Path) -> None:
    ws, _tenant = build(tmp_path, 2)
    con = duckdb.connect(str(ws))
    con.execute("UPDATE tenant_info SET has_methods_policy = true")
    con.execute(
        "INSERT INTO entra_method_configs (config_id, state, detail) "
        "VALUES ('TemporaryAccessPass', 'enabled', ?)",
        [json.dumps({"minimumLifetimeInMinutes": 60, "maximumLifetimeInMinutes": 480, "isUsableOnce": True})],
    )
    con.close()
    settings = tmp_path / "s.toml"
    args = [
        "batch",
        "create",
        "--workspace",
        str(ws),
        "--settings",
        str(settings),
        "--where",
        "true",
        "--campaign",
    ]
    settings.write_text("[execute]\ntap_lifetime_minutes = 30\n")
    short = cli(*args, "--name", "a", check=False)
    assert (
        short.returncode == 2
        and "outside the tenant's Temporary Access Pass policy (60 to 480" in short.stderr
    )
    settings.write_text("[execute]\ntap_lifetime_minutes = 60\n")
    once = cli(*args, "--name", "b", check=False)
    assert once.returncode == 2 and "tap_usable_once = true" in once.stderr
    settings.write_text("[execute]\ntap_lifetime_minutes = 60\ntap_usable_once = true\n")
    assert "Created batch" in cli(*args, "--name", "c").stdout
    con = duckdb.connect(str(ws))
    con.execute("UPDATE entra_method_configs SET state = 'disabled'")
    con.close()
    off = cli(*args, "--name", "d", check=False)
    assert off.returncode == 2 and "does not enable Temporary Access Pass" in off.stderr
    settings.write_text('[execute]\ntap_start = "2020-01-01T08:00:00Z"\n')
    past = cli(*args, "--name", "e", check=False)
    assert past.returncode == 2 and "tap_start" in past.stderr and "never be usable" in past.stderr
    settings.write_text('[execute]\ntap_start = "next monday"\n')
    bad = cli(*args, "--name", "f", check=False)
    assert (
        bad.returncode == 2 and "'execute.tap_start'" in bad.stderr and "2027-01-11T08:00:00Z" in bad.stderr
    )
