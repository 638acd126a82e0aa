"""The SQLite datafile reader: mapping, typing, fingerprints, rejects, and reading secrets back."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from analysis import sqlfiles
from analysis.console import CaptureConsole
from analysis.errors import UserError
from analysis.sources.datafile import read_oath_secrets, requirements
from analysis.sources.fingerprint import device_token_fingerprint, secret_fingerprint
from analysis.sources.workspace import load

from .builders import (
    DEVICE_SECRET,
    DEVICE_TOKEN,
    OATH_SECRET,
    PFDATA_DDL,
    SECRETS,
    device,
    make_pfdata,
    rows,
    user,
    write_csv,
)


def test_users_are_typed_and_mapped(pfdata: Path, tenant: Path, ws: Path) -> None:
    load(ws, pfdata, tenant, CaptureConsole())
    got = rows(
        ws,
        "SELECT user_id, username, enabled, method, oath_kind, oath_time_step, has_pin, details_known, "
        "extension, source_line FROM mfa_users ORDER BY user_id",
    )
    assert got == [
        (1, "alice@contoso.com", True, "oath_token", "totp", 30, True, True, None, 1),
        (2, "CONTOSO\\bob", True, "text_message", None, None, False, True, "123", 2),
        (3, "carol@contoso.com", False, "mobile_app", None, None, False, True, None, 3),
    ]
    assert rows(ws, "SELECT phone, backup_phone FROM mfa_users WHERE user_id = 2") == [
        ("07700 900123", "206 555 0100")
    ]


def test_secrets_are_fingerprinted_never_stored(pfdata: Path, tenant: Path, ws: Path) -> None:
    load(ws, pfdata, tenant, CaptureConsole())
    assert rows(ws, "SELECT oath_secret_sha256 FROM mfa_users WHERE user_id = 1") == [
        (secret_fingerprint(OATH_SECRET),)
    ]
    # the documented normalisation, computed independently of the code under test
    assert secret_fingerprint(OATH_SECRET) == hashlib.sha256(b"JBSWY3DPEHPK3PXP").hexdigest()
    devices = rows(
        ws, "SELECT device_id, device_token_sha256, oath_secret_sha256 FROM mfa_devices ORDER BY 1"
    )
    assert devices[0] == (
        10,
        hashlib.sha256(DEVICE_TOKEN.encode()).hexdigest(),
        hashlib.sha256(DEVICE_SECRET.encode()).hexdigest(),
    )
    assert devices[1] == (11, None, None)
    assert devices[2][1] == device_token_fingerprint("tok-carol")
    blob = ws.read_bytes() + (
        ws.with_name(ws.name + ".wal").read_bytes() if ws.with_name(ws.name + ".wal").exists() else b""
    )
    for secret in SECRETS:
        assert secret.encode() not in blob, secret


def test_small_tables(pfdata: Path, tenant: Path, ws: Path) -> None:
    load(ws, pfdata, tenant, CaptureConsole())
    assert rows(ws, "SELECT * FROM mfa_auth_services") == [("radius", "VPN", "10.0.0.1", True)]
    assert rows(ws, "SELECT * FROM mfa_settings") == [("company", "default_country_code", "1")]
    assert sorted(rows(ws, "SELECT * FROM mfa_meta")) == [("schema_version", "24"), ("server_name", "MFA01")]


def test_unusable_rows_go_to_rejects_with_secrets_redacted(tmp_path: Path, tenant: Path, ws: Path) -> None:
    datafile = make_pfdata(
        tmp_path / "bad.pfdata",
        users=[
            user(1, "ok@contoso.com", method="Phone Call", enabled="yes"),
            user(2, "   ", oath_secret=OATH_SECRET),
            user(3, "m@contoso.com", method="carrier pigeon", pin_hash="PINHASHSECRET"),
            user(4, "e@contoso.com", enabled="maybe"),
            user(5, "k@contoso.com", oath_serial="S1", oath_kind="motp"),
            user(6, "t@contoso.com", oath_time_step="thirty"),
        ],
        devices=[device(20, 2, device_token=DEVICE_TOKEN), device(21, 99), device(22, 1)],
    )
    summary = load(ws, datafile, tenant, CaptureConsole())
    assert rows(ws, "SELECT user_id, method, enabled FROM mfa_users") == [(1, "phone_call", True)]
    got = rows(ws, 'SELECT source, line, "column" FROM rejects ORDER BY source, line')
    assert got == [
        ("bad.pfdata:devices", 20, "user_id"),
        ("bad.pfdata:devices", 21, "user_id"),
        ("bad.pfdata:users", 2, "username"),
        ("bad.pfdata:users", 3, "method"),
        ("bad.pfdata:users", 4, "enabled"),
        ("bad.pfdata:users", 5, "oath_kind"),
        ("bad.pfdata:users", 6, "oath_time_step"),
    ]
    assert rows(ws, "SELECT device_id FROM mfa_devices") == [(22,)]
    raws = " ".join(r for (r,) in rows(ws, "SELECT raw FROM rejects"))
    assert "<redacted>" in raws and "carrier pigeon" in raws
    for secret in SECRETS:
        assert secret not in raws
    assert summary.rejected == 7
    assert {s for s, _, _ in summary.rejects} == {"bad.pfdata:users", "bad.pfdata:devices"}


def test_read_oath_secrets_reads_only_what_is_asked(pfdata: Path) -> None:
    assert read_oath_secrets(pfdata, ["alice@contoso.com", "CONTOSO\\bob", "nobody"]) == {
        "alice@contoso.com": OATH_SECRET
    }
    assert read_oath_secrets(pfdata, []) == {}


def test_read_oath_secrets_refuses_a_csv(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "users.csv", ["Username", "Method"], [["a@x.com", "Phone Call"]])
    with pytest.raises(UserError, match="no OATH secrets"):
        read_oath_secrets(csv, ["a@x.com"])


def test_requirements_name_the_layout() -> None:
    needs = requirements()
    assert set(needs) == {"users", "mobile_app_devices", "settings", "auth_services", "meta"}
    assert "oath_secret" in needs["users"] and "device_token" in needs["mobile_app_devices"]


def test_a_different_layout_needs_only_the_mapping_edited(
    tmp_path: Path, tenant: Path, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A datafile whose users table is called `accounts` loads once pfdata.sql maps it."""
    ddl = PFDATA_DDL.replace("CREATE TABLE users(", "CREATE TABLE accounts(")
    datafile = make_pfdata(tmp_path / "other.pfdata", users=[], ddl=ddl)
    import sqlite3

    con = sqlite3.connect(datafile)
    con.execute("INSERT INTO accounts (user_id, username, method) VALUES (7, 'zed@contoso.com', 'sms')")
    con.commit()
    con.close()
    with pytest.raises(UserError, match=r"missing tables users"):
        load(ws, datafile, tenant, CaptureConsole())
    queries = tmp_path / "queries"
    shutil.copytree(sqlfiles.QUERIES, queries)
    mapping = queries / "sources" / "pfdata.sql"
    text = mapping.read_text().replace("-- requires users:", "-- requires accounts:")
    mapping.write_text(text.replace("FROM users;", "FROM accounts;"))
    monkeypatch.setattr(sqlfiles, "QUERIES", queries)
    sqlfiles.clear_cache()
    try:
        load(ws, datafile, tenant, CaptureConsole())
    finally:
        sqlfiles.clear_cache()
    assert rows(ws, "SELECT user_id, username, method FROM mfa_users") == [
        (7, "zed@contoso.com", "text_message")
    ]


@pytest.mark.parametrize(
    "secret",
    ["JBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp", "JBSWY3DPEHPK3PXP====", " gezd gnbv gy3t qojq= ", "ÄBC"],
)
def test_sql_and_python_fingerprints_agree(secret: str) -> None:
    from analysis.sources import sqlrun

    con = duckdb.connect()
    sqlrun.run(con, "sources/macros")
    ((sql_secret, sql_token),) = con.execute(
        "SELECT secret_sha256($s), token_sha256($s)", {"s": secret}
    ).fetchall()
    con.close()
    assert sql_secret == secret_fingerprint(secret)
    assert sql_token == device_token_fingerprint(secret)


def test_blank_secrets_have_no_fingerprint() -> None:
    from analysis.sources import sqlrun

    con = duckdb.connect()
    sqlrun.run(con, "sources/macros")
    rows = con.execute(
        "SELECT secret_sha256(s), token_sha256(s) FROM (VALUES (NULL), (''), ('  '), ('==')) t(s)"
    )
    assert rows.fetchall() == [(None, None), (None, None), (None, None), (None, sha256_hex("=="))]
    con.close()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
