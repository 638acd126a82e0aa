"""Bad input through the real CLI: one clear paragraph, exit code 2, no traceback, nothing secret.

Each case builds a broken input next to a valid one and runs ``mfa-migrate load``; the message must name
what is wrong (file, line, table, column or key) so an admin can act on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.cli import main

from .builders import (
    OATH_SECRET,
    PFDATA_DDL,
    SECRETS,
    entra_user,
    make_pfdata,
    make_tenant,
    rows,
    user,
    write_csv,
)

Case = Callable[[Path, Path, Path], tuple[Path, Path]]  # (tmp, valid datafile, valid tenant) -> inputs


def _binary(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    path = tmp / "PhoneFactor.pfdata"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    return path, tenant


def _missing_table(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    ddl = PFDATA_DDL.replace("CREATE TABLE mobile_app_devices(", "CREATE TABLE devices_v2(")
    return make_pfdata(tmp / "old.pfdata", [user(1, "a@x.com", oath_secret=OATH_SECRET)], ddl=ddl), tenant


def _missing_columns(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    ddl = PFDATA_DDL.replace("backup_phone TEXT, ", "").replace("oath_kind TEXT, ", "")
    return make_pfdata(tmp / "v23.pfdata", [user(1, "a@x.com")], ddl=ddl), tenant


def _corrupt_sqlite(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    path = tmp / "torn.pfdata"
    path.write_bytes(datafile.read_bytes()[:100] + b"\x00garbage" * 200)
    return path, tenant


def _bad_utf8_csv(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    path = tmp / "users.csv"
    path.write_bytes(b"Username,Method\r\na@x.com,Phone Call\r\nJ\xf6rg@x.com,Phone Call\r\n")
    return path, tenant


def _csv_without_method(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    return write_csv(tmp / "users.csv", ["Username", "Primary Phone"], [["a@x.com", "123"]]), tenant


def _not_an_export(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    path = tmp / "notes.txt"
    path.write_text("Dear admin,\nplease migrate us.\n")
    return path, tenant


def _broken_quoting(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    path = tmp / "users.csv"
    path.write_text('Username,Method\na@x.com,Phone Call\n"b@x.com"oops,SMS\n')
    return path, tenant


def _malformed_users_line(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    lines = (tenant / "users.jsonl").read_text().splitlines()
    (tenant / "users.jsonl").write_text(
        "\n".join([lines[0], '{"id": "u9", "userPrincipalName": ', lines[1]]) + "\n"
    )
    return datafile, tenant


def _malformed_groups_line(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    (tenant / "groups.jsonl").write_text('{"id": "g1", "members": []}\n\n{"id": "g2", members: []}\n')
    return datafile, tenant


def _bad_utf8_users(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    (tenant / "users.jsonl").write_bytes(b'{"id": "u1"}\n{"id": "u2", "displayName": "J\xf6rg"}\n')
    return datafile, tenant


def _duplicate_usernames(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    users = [user(1, "a@x.com", oath_secret=OATH_SECRET), user(2, "b@x.com"), user(3, "a@x.com")]
    return make_pfdata(tmp / "dup.pfdata", users), tenant


def _duplicate_entra_ids(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    users = [entra_user("u1", "a@x.com"), entra_user("u2", "b@x.com"), entra_user("u1", "c@x.com")]
    return datafile, make_tenant(tmp / "dup-tenant", users)


def _no_users_jsonl(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    (tenant / "users.jsonl").unlink()
    return datafile, tenant


def _no_tenant_dir(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    return datafile, tmp / "nowhere"


def _malformed_policies(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    (tenant / "policies.json").write_text('{\n  "authenticationMethodsPolicy": {\n    "id": ,\n  }\n}\n')
    return datafile, tenant


def _missing_datafile(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    return tmp / "PhoneFactor-copy.pfdata", tenant


def _empty_datafile(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    path = tmp / "empty.pfdata"
    path.write_bytes(b"")
    return path, tenant


def _duplicate_csv_columns(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    return write_csv(
        tmp / "u.csv", ["Username", "Phone", "Primary Phone", "Method"], [["a", "1", "2", "SMS"]]
    ), tenant


def _header_only_csv(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    return write_csv(tmp / "users.csv", ["Username", "Method", "Primary Phone"], []), tenant


def _every_user_rejected(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    users = [user(1, "", method="sms"), user(2, "  ", method="sms"), user(3, "c@x.com", method="fax")]
    return make_pfdata(tmp / "all-bad.pfdata", users), tenant


def _empty_users_jsonl(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    (tenant / "users.jsonl").write_text("")
    return datafile, tenant


def _deep(tmp: Path, datafile: Path, tenant: Path, name: str) -> tuple[Path, Path]:
    (tenant / name).write_text('{"value": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return datafile, tenant


def _tenant_is_a_file(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    return datafile, tenant / "users.jsonl"


def _datafile_is_a_folder(tmp: Path, datafile: Path, tenant: Path) -> tuple[Path, Path]:
    return tmp, tenant


CASES: dict[str, tuple[Case, list[str]]] = {
    "header-only csv": (
        _header_only_csv,
        ["0 MFA Server users", "users.csv: no user rows in it", "--allow-shrink"],
    ),
    "every user row rejected": (
        _every_user_rejected,
        ["0 MFA Server users", "all-bad.pfdata: every row rejected", "username is missing", "--allow-shrink"],
    ),
    "empty users.jsonl": (_empty_users_jsonl, ["0 Entra users", "users.jsonl: no user rows in it"]),
    "snapshot.json nested too deeply": (
        lambda tmp, d, t: _deep(tmp, d, t, "snapshot.json"),
        ["tenant/snapshot.json is nested too deeply"],
    ),
    "policies.json nested too deeply": (
        lambda tmp, d, t: _deep(tmp, d, t, "policies.json"),
        ["tenant/policies.json is nested too deeply"],
    ),
    "tenant is a file": (_tenant_is_a_file, ["users.jsonl is not a directory"]),
    "datafile is a folder": (_datafile_is_a_folder, ["is not a file"]),
    "not sqlite nor csv": (_binary, ["neither a SQLite datafile nor a CSV", "PhoneFactor.pfdata"]),
    "missing table": (_missing_table, ["missing tables mobile_app_devices", "queries/sources/pfdata.sql"]),
    "missing columns": (_missing_columns, ["users.backup_phone", "users.oath_kind", "Export Users CSV"]),
    "corrupt sqlite": (_corrupt_sqlite, ["could not be read as SQLite", "torn.pfdata"]),
    "unreadable csv": (_bad_utf8_csv, ["cannot be read", "line 3", "UTF-8"]),
    "csv lacks method": (_csv_without_method, ["lacks required column(s) Method", "Primary Phone"]),
    "not an export": (_not_an_export, ["does not look like the console's Export Users CSV"]),
    "broken csv quoting": (_broken_quoting, ["cannot be read at line 3"]),
    "malformed users line": (_malformed_users_line, ["tenant/users.jsonl line 2 is not valid JSON"]),
    "malformed groups line": (_malformed_groups_line, ["tenant/groups.jsonl line 3 is not valid JSON"]),
    "users.jsonl not utf-8": (_bad_utf8_users, ["tenant/users.jsonl line 2 is not valid UTF-8"]),
    "duplicate usernames": (_duplicate_usernames, ["username 'a@x.com' (rows 1, 3)"]),
    "duplicate entra ids": (_duplicate_entra_ids, ["users.jsonl id 'u1' on lines 1, 3"]),
    "no users.jsonl": (_no_users_jsonl, ["has no users.jsonl"]),
    "no tenant dir": (_no_tenant_dir, ["nowhere does not exist"]),
    "malformed policies.json": (_malformed_policies, ["tenant/policies.json is not valid JSON", "line 3"]),
    "missing datafile": (_missing_datafile, ["PhoneFactor-copy.pfdata does not exist"]),
    "empty datafile": (_empty_datafile, ["empty.pfdata is empty"]),
    "two columns mean one": (_duplicate_csv_columns, ["both mean phone", "'Phone' and 'Primary Phone'"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_clear_error(
    name: str, pfdata: Path, tenant: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    previous = tmp_path / "previous.duckdb"  # a workspace with a good load, before the inputs go bad
    assert (
        main(["load", "--datafile", str(pfdata), "--tenant", str(tenant), "--workspace", str(previous)]) == 0
    )
    held = _held(previous)
    build, expected = CASES[name]
    datafile, tenant_dir = build(tmp_path, pfdata, tenant)
    ws = tmp_path / "out" / "w.duckdb"
    ws.parent.mkdir()
    for target in (ws, previous):
        capfd.readouterr()
        argv = ["load", "--datafile", str(datafile), "--tenant", str(tenant_dir), "--workspace", str(target)]
        code = main(argv)
        out, err = capfd.readouterr()
        assert code == 2, out + err
        assert err.startswith("error: ") and err.count("\n") == 1, err  # one paragraph
        for text in expected:
            assert text in err, (text, err)
        assert "Traceback" not in out + err
        for secret in SECRETS:
            assert secret not in out + err
    assert not ws.exists()  # a failed first load leaves nothing behind
    assert _held(previous) == held  # and a failed reload leaves the previous load as it was


def _held(ws: Path) -> dict[str, object]:
    tables = ("loads", "load_sources", "mfa_users", "mfa_devices", "entra_users", "entra_groups", "rejects")
    held: dict[str, object] = {t: rows(ws, f"SELECT count(*) FROM {t}") for t in tables}
    held["users"] = rows(ws, "SELECT username, oath_secret_sha256 FROM mfa_users ORDER BY username")
    held["loads"] = rows(ws, "SELECT load_id FROM loads")
    return held


def test_load_prints_counts_and_rejects(
    tmp_path: Path, tenant: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import analysis.cli
    from analysis.console import TerminalConsole

    # TerminalConsole binds sys.stdout when its module is imported; give it the captured streams
    monkeypatch.setattr(analysis.cli, "TerminalConsole", lambda *_: TerminalConsole(sys.stdout, sys.stderr))
    datafile = make_pfdata(
        tmp_path / "p.pfdata",
        [
            user(1, "a@x.com", oath_secret=OATH_SECRET),
            user(2, "b@x.com", method="fax"),
            user(3, "", method="sms"),
        ],
    )
    (tenant / "users.jsonl").write_text(
        (tenant / "users.jsonl").read_text() + json.dumps({"displayName": "no id"}) + "\n"
    )
    ws = tmp_path / "w.duckdb"
    code = main(["load", "--datafile", str(datafile), "--tenant", str(tenant), "--workspace", str(ws)])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert "mfa_users" in out and "entra_users" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["mfa_users"].split()[-1] == "1" and lines["entra_users"].split()[-1] == "2"
    assert "Rejected rows (3;" in out
    assert "p.pfdata:users" in out and "tenant/users.jsonl" in out
    assert "method is not phone_call" in out and "username is missing" in out
    for secret in SECRETS:
        assert secret not in out + err


def test_a_locked_workspace_is_a_user_error(
    pfdata: Path,
    tenant: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess
    import sys
    import time

    ws = tmp_path / "w.duckdb"
    assert main(["load", "--datafile", str(pfdata), "--tenant", str(tenant), "--workspace", str(ws)]) == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(ws)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        capfd.readouterr()
        monkeypatch.setenv("MFA_MIGRATE_WAIT_SECONDS", "1")  # how long a command waits for the file
        code = main(["load", "--datafile", str(pfdata), "--tenant", str(tenant), "--workspace", str(ws)])
        _, err = capfd.readouterr()
        assert code == 2 and f"is in use by pid {holder.pid}" in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0)
    assert ws.exists()
