"""Tiny hand-made inputs for the loader's tests: a pfdata SQLite file, Export Users CSVs, tenant dirs.

The pfdata layout is DESIGN 3.1a's, written with Python's sqlite3; every builder takes plain dicts so a
test states exactly the rows it cares about and the rest gets harmless defaults.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import duckdb

# Secrets used in tests: distinctive strings that must never appear in output or the workspace file.
OATH_SECRET = "jbsw y3dp ehpk 3pxp===="  # normalises to JBSWY3DPEHPK3PXP
DEVICE_TOKEN = "DevTok-9f8e7d6c5b4a-SECRETTOKEN"
DEVICE_SECRET = "GEZDGNBVGY3TQOJQSECRETDEV"
PIN_HASH = "5f4dcc3b5aa765d61d8327deb882cf99PINHASHSECRET"
SECRETS = (
    "JBSWY3DPEHPK3PXP",
    "jbsw y3dp",
    "DevTok-9f8e7d6c5b4a",
    "SECRETTOKEN",
    "GEZDGNBVGY3TQOJQ",
    "PINHASHSECRET",
)

PFDATA_DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE users(
  user_id INTEGER PRIMARY KEY, username TEXT NOT NULL, object_sid TEXT, first_name TEXT, last_name TEXT,
  email TEXT, user_group TEXT, enabled INTEGER NOT NULL DEFAULT 1, country_code TEXT, phone TEXT,
  extension TEXT,
  backup_country_code TEXT, backup_phone TEXT, backup_extension TEXT, method TEXT NOT NULL, phone_mode TEXT,
  text_mode TEXT, text_direction TEXT, app_mode TEXT, pin_hash TEXT, pin_salt TEXT, language TEXT,
  oath_serial TEXT, oath_secret TEXT, oath_kind TEXT, oath_time_step INTEGER, created_at TEXT,
  modified_at TEXT, last_migrated_at TEXT, migrated_selection TEXT);
CREATE TABLE mobile_app_devices(
  device_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, device_name TEXT, device_token TEXT,
  oath_secret TEXT,
  notification_type TEXT, app_version TEXT, account_name TEXT, activated_at TEXT);
CREATE TABLE settings(section TEXT, key TEXT, value TEXT, PRIMARY KEY(section, key));
CREATE TABLE auth_services(service TEXT, name TEXT, detail TEXT, enabled INTEGER);
"""


def user(user_id: int, username: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "user_id": user_id,
        "username": username,
        "enabled": 1,
        "method": "phone_call",
        "country_code": "44",
        "phone": "07700 900123",
        "created_at": "2023-01-01T00:00:00Z",
        "modified_at": "2023-06-01T00:00:00Z",
    }
    row.update(fields)
    return row


def device(device_id: int, user_id: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"device_id": device_id, "user_id": user_id, "device_name": f"Phone {device_id}"}
    row.update(fields)
    return row


def _insert(con: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))


def make_pfdata(
    path: Path,
    users: list[dict[str, Any]],
    devices: list[dict[str, Any]] | None = None,
    settings: list[tuple[str, str, str]] | None = None,
    services: list[tuple[str, str, str, int]] | None = None,
    ddl: str = PFDATA_DDL,
) -> Path:
    """A DESIGN 3.1a datafile. ``ddl`` lets a test break the layout on purpose."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript(ddl)
    con.execute("INSERT INTO meta VALUES ('schema_version', '24'), ('server_name', 'MFA01')")
    _insert(con, "users", users)
    _insert(con, "mobile_app_devices", devices or [])
    for row in settings or [("company", "default_country_code", "1")]:
        con.execute("INSERT INTO settings VALUES (?, ?, ?)", row)
    for row in services or [("radius", "VPN", "10.0.0.1", 1)]:
        con.execute("INSERT INTO auth_services VALUES (?, ?, ?, ?)", row)
    con.commit()
    con.close()
    return path


def entra_user(
    uid: str, upn: str, methods: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uid,
        "userPrincipalName": upn,
        "displayName": upn.split("@")[0],
        "accountEnabled": True,
        "userType": "Member",
        "mail": upn,
        "authenticationMethods": methods if methods is not None else [],
        "signInPreferences": {
            "userPreferredMethodForSecondaryAuthentication": None,
            "isSystemPreferredAuthenticationMethodEnabled": False,
        },
    }
    row.update(fields)
    return row


def phone_method(mid: str, number: str, phone_type: str = "mobile") -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        "id": mid,
        "phoneNumber": number,
        "phoneType": phone_type,
        "smsSignInState": "notAllowedByPolicy",
    }


def jsonl(path: Path, rows: list[Any]) -> None:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8"
    )


def make_tenant(
    root: Path,
    users: list[Any],
    groups: list[Any] | None = None,
    policies: dict[str, Any] | None = None,
    domains: list[Any] | None = None,
    ledger: list[Any] | None = None,
    snapshot: dict[str, Any] | None = None,
) -> Path:
    """A tenant snapshot directory; a list item that is a str is written as that line verbatim."""
    root.mkdir(parents=True, exist_ok=True)
    jsonl(root / "users.jsonl", users)
    jsonl(root / "groups.jsonl", groups or [])
    jsonl(root / "domains.jsonl", domains or [])
    if ledger is not None:
        jsonl(root / "ledger.jsonl", ledger)
    (root / "policies.json").write_text(json.dumps(policies if policies is not None else default_policies()))
    meta = snapshot or {"tenantId": "tenant-1", "takenAt": "2024-05-01T10:00:00Z", "source": "file"}
    (root / "snapshot.json").write_text(json.dumps(meta))
    return root


def default_policies() -> dict[str, Any]:
    return {
        "authenticationMethodsPolicy": {
            "id": "authenticationMethodsPolicy",
            "authenticationMethodConfigurations": [
                {"id": "MicrosoftAuthenticator", "state": "enabled"},
                {"id": "Sms", "state": "enabled"},
                {"id": "Voice", "state": "enabled", "isOfficePhoneAllowed": True},
                {"id": "SoftwareOath", "state": "disabled"},
            ],
        },
        "featureRolloutPolicies": [
            {
                "id": "rp1",
                "displayName": "MFA rollout",
                "feature": "multiFactorAuthentication",
                "isEnabled": True,
                "isAppliedToOrganization": False,
                "appliesTo": [{"id": "g-pilot"}, {"id": "g-wave2"}],
            },
        ],
    }


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], sep: str = ",", encoding: str = "utf-8"
) -> Path:
    """An Export Users CSV; cells are quoted when they hold the separator, a quote or a newline."""

    def cell(value: str) -> str:
        if any(ch in value for ch in (sep, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = "\r\n".join(sep.join(cell(v) for v in row) for row in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def rows(path: Path, query: str) -> list[tuple]:
    """The rows of ``query`` on the workspace at ``path``, opened read-only for just this."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()
