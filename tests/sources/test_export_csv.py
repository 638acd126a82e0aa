"""The console's Export Users CSV: encodings, separators, header aliases, unknown columns, rejects."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.console import CaptureConsole
from analysis.sources.fingerprint import secret_fingerprint
from analysis.sources.workspace import load

from .builders import OATH_SECRET, rows, write_csv

HEADER = [
    "User Name",
    "primary country code",
    "PRIMARY PHONE",
    "Primary Extension",
    "Backup Country Code",
    "Backup Phone",
    "Backup Extension",
    "Method",
    "Enabled",
    "E-mail",
    "SID",
    "Department",
]
ROWS = [
    [
        "alice@contoso.com",
        "44",
        "07700 900123",
        "",
        "1",
        "206 555 0100",
        "",
        "Phone Call",
        "True",
        "alice@contoso.com",
        "S-1-5-21-1-1001",
        "Finance",
    ],
    ["CONTOSO\\bob", "+44", "7700 900456", "123", "", "", "", "Text Message", "False", "", "", ""],
    ['carol; "the admin"', "1", "206-555-0199", "", "", "", "", "Mobile App", "1", "", "", "IT, Ops"],
]


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", ","), ("utf-16", ";"), ("utf-16-le", ";")],
)
def test_encodings_and_separators_read_alike(tmp_path: Path, tenant: Path, encoding: str, sep: str) -> None:
    csv = write_csv(
        tmp_path / "Multi-Factor Authentication Users.csv", HEADER, ROWS, sep=sep, encoding=encoding
    )
    ws = tmp_path / "w.duckdb"
    summary = load(ws, csv, tenant, CaptureConsole())
    assert summary.datafile_kind == "csv"
    got = rows(
        ws,
        "SELECT user_id, username, country_code, phone, extension, backup_phone, method, enabled, "
        "email, object_sid, details_known FROM mfa_users ORDER BY user_id",
    )
    assert got == [
        (
            2,
            "alice@contoso.com",
            "44",
            "07700 900123",
            None,
            "206 555 0100",
            "phone_call",
            True,
            "alice@contoso.com",
            "S-1-5-21-1-1001",
            False,
        ),
        (3, "CONTOSO\\bob", "+44", "7700 900456", "123", None, "text_message", False, None, None, False),
        (4, 'carol; "the admin"', "1", "206-555-0199", None, None, "mobile_app", True, None, None, False),
    ]
    assert rows(ws, 'SELECT user_id, "column", value FROM mfa_user_extra ORDER BY user_id') == [
        (2, "Department", "Finance"),
        (4, "Department", "IT, Ops"),
    ]
    assert rows(ws, "SELECT count(*) FROM mfa_devices") == [(0,)]
    assert rows(ws, "SELECT count(*) FROM rejects") == [(0,)]


def test_line_numbers_follow_quoted_newlines_and_blank_lines(tmp_path: Path, tenant: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(
        "Username,Method,Enabled,Notes\n"
        'a@x.com,Phone Call,1,"two\nlines"\n'
        "\n"
        "b@x.com,SMS,0,\n"
        ",Phone Call,1,no name\n"
        "c@x.com,Phone Call,1\n"
        "d@x.com,Fax,1,\n",
        encoding="utf-8",
    )
    ws = tmp_path / "w.duckdb"
    load(ws, path, tenant, CaptureConsole())
    assert rows(ws, "SELECT user_id, username, method FROM mfa_users ORDER BY 1") == [
        (2, "a@x.com", "phone_call"),
        (5, "b@x.com", "text_message"),
    ]
    assert rows(ws, 'SELECT line, "column", reason FROM rejects ORDER BY line') == [
        (6, "username", "username is missing; the user is left out"),
        (7, None, "row has 3 fields but the header has 4; the row is left out"),
        (
            8,
            "method",
            "method is not phone_call, text_message, mobile_app or oath_token (or a console label for "
            "them); the user is left out",
        ),
    ]
    assert rows(ws, "SELECT raw FROM rejects WHERE line = 7") == [("c@x.com,Phone Call,1",)]


def test_secret_columns_are_fingerprinted_or_dropped(tmp_path: Path, tenant: Path) -> None:
    csv = write_csv(
        tmp_path / "users.csv",
        ["Username", "Method", "OATH Token Serial", "OATH Secret Key", "PIN", "Recovery Password", "Office"],
        [
            ["a@x.com", "OATH Token", "T1", OATH_SECRET, "PINHASHSECRET", "hunter2SECRET", "HQ"],
            ["b@x.com", "OATH Token", "T2", "", "", "", ""],
        ],
    )
    console = CaptureConsole()
    ws = tmp_path / "w.duckdb"
    load(ws, csv, tenant, console)
    assert rows(
        ws, "SELECT username, oath_serial, oath_secret_sha256, has_pin, enabled FROM mfa_users ORDER BY 1"
    ) == [
        ("a@x.com", "T1", secret_fingerprint(OATH_SECRET), True, True),
        ("b@x.com", "T2", None, False, True),
    ]
    assert rows(ws, 'SELECT DISTINCT "column" FROM mfa_user_extra') == [("Office",)]
    assert "Recovery Password" in console.text and "no Enabled column" in console.text
    blob = ws.read_bytes()
    for secret in ("JBSWY3DPEHPK3PXP", "jbsw y3dp", "PINHASHSECRET", "hunter2SECRET"):
        assert secret.encode() not in blob
        assert secret not in console.text


def test_rejected_row_raw_is_redacted(tmp_path: Path, tenant: Path) -> None:
    csv = write_csv(
        tmp_path / "users.csv",
        ["Username", "Method", "Secret Key"],
        [["a@x.com", "Phone Call", OATH_SECRET, "extra"], ["", "Phone Call", OATH_SECRET]],
    )
    ws = tmp_path / "w.duckdb"
    load(ws, csv, tenant, CaptureConsole(), allow_shrink=True)  # every row is rejected
    raws = [r for (r,) in rows(ws, "SELECT raw FROM rejects ORDER BY line")]
    assert len(raws) == 2
    assert raws[0] == "a@x.com,Phone Call,<redacted>,extra"
    assert all("<redacted>" in r and "JBSW" not in r.upper().replace(" ", "") for r in raws)
