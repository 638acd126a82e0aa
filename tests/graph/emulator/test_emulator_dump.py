"""Snapshot round trip: load → dump unchanged is equal; writes show up in the dump; --dump on SIGTERM;
bad snapshot files give a one-paragraph error naming file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from emulator_helpers import client_for
from emulator_tenant import write_tenant

from analysis.cli import main
from analysis.graph.emulator.launcher import start_emulator
from analysis.graph.emulator.state import TenantState

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "tenant"


def read_snapshot(directory: Path) -> dict[str, Any]:
    """Every file parsed; snapshot.json without the fields a dump legitimately changes."""
    out: dict[str, Any] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix == ".jsonl":
            out[path.name] = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        elif path.suffix == ".json":
            out[path.name] = json.loads(path.read_text())
    meta = out.get("snapshot.json", {})
    out["snapshot.json"] = {k: v for k, v in meta.items() if k not in ("takenAt", "source")}
    return out


def test_in_process_round_trip_is_equal(tmp_path: Path) -> None:
    source = write_tenant(tmp_path / "in")
    state = TenantState.load(source)
    state.dump(tmp_path / "out")
    assert read_snapshot(tmp_path / "out") == read_snapshot(source)
    meta = json.loads((tmp_path / "out" / "snapshot.json").read_text())
    assert meta["source"] == "emulator" and meta["tenantId"]


@pytest.mark.skipif(not (SAMPLE / "snapshot.json").exists(), reason="sample_data/tenant not generated yet")
def test_sample_tenant_round_trip_is_equal(tmp_path: Path) -> None:
    TenantState.load(SAMPLE).dump(tmp_path / "out")
    assert read_snapshot(tmp_path / "out") == read_snapshot(SAMPLE)


@pytest.mark.slow
def test_dump_on_sigterm_and_admin_dump_carry_writes(tmp_path: Path) -> None:
    source = write_tenant(tmp_path / "in")
    dump_dir = tmp_path / "dumped"
    with start_emulator(source, "--dump", str(dump_dir)) as emu:
        with client_for(emu, emu.app_token()) as graph:
            created = graph.post(
                "/v1.0/users/u0@fabrikam.example/authentication/phoneMethods",
                json={"phoneNumber": "+44 7700900777", "phoneType": "mobile"},
            )
            assert created.status_code == 201
            device = graph.post(
                "/beta/directory/authenticationMethodDevices/hardwareOathDevices",
                json={
                    "serialNumber": "DUMP-1",
                    "manufacturer": "Contoso",
                    "model": "T1",
                    "secretKey": "JBSWY3DPEHPK3PXP",
                    "timeIntervalInSeconds": 30,
                },
            )
            assert device.status_code == 201
        emu.dump(tmp_path / "admin")
        admin = read_snapshot(tmp_path / "admin")
    after = read_snapshot(dump_dir)
    assert after == admin
    u0 = next(u for u in after["users.jsonl"] if u["userPrincipalName"] == "u0@fabrikam.example")
    assert [m["phoneNumber"] for m in u0["authenticationMethods"]] == ["+44 7700900777"]
    before = read_snapshot(source)
    assert [u for u in after["users.jsonl"] if u["id"] != u0["id"]] == [
        u for u in before["users.jsonl"] if u["id"] != u0["id"]
    ]
    assert (
        after["groups.jsonl"] == before["groups.jsonl"] and after["policies.json"] == before["policies.json"]
    )
    devices = after["hardwareOathDevices.jsonl"]
    assert [d["serialNumber"] for d in devices] == ["DUMP-1"] and devices[0]["secretKey"] is None
    assert "JBSWY3DPEHPK3PXP" not in (dump_dir / "hardwareOathDevices.jsonl").read_text()
    # the dump is itself a valid tenant: it loads and dumps back equal
    TenantState.load(dump_dir).dump(tmp_path / "again")
    assert read_snapshot(tmp_path / "again") == after


def test_bad_snapshot_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_tenant(tmp_path / "bad")
    lines = (source / "users.jsonl").read_text().splitlines()
    lines[2] = "{not json"
    (source / "users.jsonl").write_text("\n".join(lines) + "\n")
    assert main(["emulator", "--tenant", str(source), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "users.jsonl, line 3" in err and "Traceback" not in err
    assert main(["emulator", "--tenant", str(tmp_path / "missing")]) == 2
    assert main(["emulator", "--tenant", str(source), "--faults", "503=7"]) == 2
    assert main(["emulator", "--tenant", str(source), "--throttle-writes", "none"]) == 2


@pytest.mark.slow
@pytest.mark.skipif(not (SAMPLE / "snapshot.json").exists(), reason="sample_data/tenant not generated yet")
def test_sample_tenant_is_served_as_seeded() -> None:
    seeded = read_snapshot(SAMPLE)
    with start_emulator(SAMPLE) as emu, client_for(emu, emu.app_token()) as graph:
        ids, url = [], "/v1.0/users?$top=999&$select=id"
        while url:
            body = graph.get(url).json()
            ids += [u["id"] for u in body["value"]]
            url = body.get("@odata.nextLink")
        assert ids == [u["id"] for u in seeded["users.jsonl"]]
        batch = [
            {"id": str(n), "method": "GET", "url": f"/users/{user['id']}/authentication/methods"}
            for n, user in enumerate(seeded["users.jsonl"][:20])
        ]
        answers = {
            a["id"]: a for a in graph.post("/beta/$batch", json={"requests": batch}).json()["responses"]
        }
        for n, user in enumerate(seeded["users.jsonl"][:20]):
            assert answers[str(n)]["body"]["value"] == user.get("authenticationMethods", [])
