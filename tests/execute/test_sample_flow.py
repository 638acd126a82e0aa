"""The whole flow on the sample data, from the CLI alone, against the emulator seeded with the sample
tenant: create → approve → run → verify (100% of the Graph-writable rows agree, hardware OATH tokens
included) → rollback (the tenant's phones, tokens and memberships are as before)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from exec_tenant import cli, phones

from analysis.graph.emulator.launcher import REPO_ROOT, start_emulator

pytestmark = pytest.mark.slow

HW = "#microsoft.graph.hardwareOathAuthenticationMethod"
MIGRATION_GROUP = "MFA Migration - Wave 3"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(workspace, datafile, tenant dir): the committed sample data, or a fresh one with the same seed."""
    from analysis.console import CaptureConsole
    from analysis.sources.workspace import load

    base = tmp_path_factory.mktemp("sample")
    data = REPO_ROOT / "sample_data"
    if not (data / "PhoneFactor.pfdata").exists() or not (data / "tenant" / "snapshot.json").exists():
        from analysis.sample import generate

        data = base / "data"
        generate(data, 500, seed=7)
    tenant = base / "tenant"
    shutil.copytree(data / "tenant", tenant)  # the emulator may dump into it; keep the original clean
    workspace = base / "ws.duckdb"
    load(workspace, data / "PhoneFactor.pfdata", tenant, CaptureConsole())
    return workspace, data / "PhoneFactor.pfdata", tenant


def _users(tenant: Path) -> dict[str, dict[str, Any]]:
    return {
        u["id"]: u for u in (json.loads(line) for line in (tenant / "users.jsonl").read_text().splitlines())
    }


def _tokens(user: dict[str, Any]) -> set[str]:
    return {m["id"] for m in user.get("authenticationMethods") or [] if m.get("@odata.type") == HW}


def test_sample_create_approve_run_verify_rollback(sample: tuple[Path, Path, Path], tmp_path: Path) -> None:
    workspace, datafile, tenant = sample
    ws = tmp_path / "ws.duckdb"
    shutil.copy(workspace, ws)
    settings = tmp_path / "s.toml"
    settings.write_text(f'[execute]\nhandoff = "group"\nmigration_group = "{MIGRATION_GROUP}"\n')
    original = _users(tenant)
    created = cli(  # through the installed entry point once; the rest runs in-process
        "batch",
        "create",
        "--workspace",
        str(ws),
        "--name",
        "all",
        "--where",
        "true",
        "--settings",
        str(settings),
        "--as",
        "alice",
        subprocess_=True,
    )
    assert "Created batch 1 (all)" in created.stdout
    same = cli("batch", "approve", "1", "--workspace", str(ws), "--as", "bob", check=False)
    assert same.returncode == 2 and "only a label" in same.stderr  # the same OS account, whatever --as says
    cli("batch", "approve", "1", "--workspace", str(ws), other_os_user=True)
    fast = ["--write-budget", "100000/150", "--datafile", str(datafile)]
    with start_emulator(tenant) as emu:
        run = cli("batch", "run", "1", "--workspace", str(ws), *fast, emu=emu)
        assert "completed" in run.stdout
        verify = cli("batch", "verify", "1", "--workspace", str(ws), emu=emu)
        assert "100.0% agreement" in verify.stdout and "differs                0" in verify.stdout

        con = duckdb.connect(str(ws), read_only=True)
        graph_rows = con.execute(
            "SELECT count(*) FROM verifications WHERE writable = 'graph' AND action <> 'noop'"
        ).fetchone()[0]
        agree = con.execute(
            "SELECT count(*) FROM verifications WHERE writable = 'graph' AND action <> 'noop' AND outcome "
            "= 'agrees'"
        ).fetchone()[0]
        handed = con.execute(
            "SELECT count(*) FROM verifications WHERE writable = 'graph' AND outcome = 'handed_off'"
        ).fetchone()[0]
        tokens = con.execute(
            "SELECT count(*) FROM verifications WHERE action = 'create_hardware_oath' AND outcome = 'agrees'"
        ).fetchone()[0]
        journal_text = " ".join(str(r) for r in con.execute("SELECT body, response FROM journal").fetchall())
        con.close()
        assert (
            graph_rows > 0 and agree + handed == graph_rows
        )  # every Graph row agrees (or waits for the utility)
        assert tokens > 0  # hardware OATH: created, assigned, activated with a TOTP from the datafile
        assert (
            '"secretKey":"<redacted>"' in journal_text and '"verificationCode":"<redacted>"' in journal_text
        )

        state = {u["id"]: u for u in emu.state()["users.jsonl"]}
        assert any(_tokens(state[i]) - _tokens(original[i]) for i in original)
        group = next(g for g in emu.state()["groups.jsonl"] if g["displayName"] == MIGRATION_GROUP)
        assert group.get("members")  # devices handed to the utility through its migration group

        # A verified batch run again writes nothing.
        writes = [e for e in emu.log() if e["method"] != "GET" and not e["path"].endswith("/$batch")]
        again = cli("batch", "run", "1", "--workspace", str(ws), *fast, emu=emu)
        assert "nothing to write" in again.stdout
        assert len(
            [e for e in emu.log() if e["method"] != "GET" and not e["path"].endswith("/$batch")]
        ) == len(writes)
        assert not [e for e in writes if isinstance(e["status"], int) and 400 <= e["status"] < 500]

        refused = cli("batch", "rollback", "1", "--workspace", str(ws), emu=emu, check=False)
        assert refused.returncode == 2 and "--confirm" in refused.stderr

        back = cli("batch", "rollback", "1", "--workspace", str(ws), "--confirm", emu=emu, check=False)
        assert "rolled_back" in back.stdout and "not rolled back" not in back.stderr, (
            back.stdout + back.stderr
        )
        # Users whose default this batch set where none was set before keep it (Graph cannot unset a
        # default, nor delete the method behind it while others exist); rollback names each of them.
        assert "left as it is" in back.stderr and "Graph cannot unset a default method" in back.stderr
        con = duckdb.connect(str(ws), read_only=True)
        names = dict(con.execute("SELECT entra_id, username FROM batch_users").fetchall())
        left_names = {
            r[0]
            for r in con.execute(
                "SELECT username FROM batch_users WHERE status = 'partly_rolled_back' AND detail LIKE "
                "'%cannot unset%'"
            ).fetchall()
        }
        con.close()
        state = {u["id"]: u for u in emu.state()["users.jsonl"]}

        def pref(u: dict[str, Any]) -> Any:
            return (u.get("signInPreferences") or {}).get("userPreferredMethodForSecondaryAuthentication")

        restored = 0
        for user_id, before in original.items():
            after = state[user_id]
            if names.get(user_id) in left_names:
                assert pref(before) is None and pref(after) is not None, names[user_id]
                continue
            assert phones(after) == phones(before), after["userPrincipalName"]
            assert _tokens(after) == _tokens(before), after["userPrincipalName"]
            assert pref(after) == pref(before), after["userPrincipalName"]
            restored += 1
        assert restored > len(original) // 2
        group = next(g for g in emu.state()["groups.jsonl"] if g["displayName"] == MIGRATION_GROUP)
        assert group.get("members", []) == []
