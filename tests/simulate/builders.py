"""Tiny real workspaces for simulator tests: the canonical schema on a fresh DuckDB file, rows inserted
with readable defaults, phones parsed by the product's own ``analysis.sources.phones.fill_phone_tables``.

    ws = Workspace(tmp_path)
    ws.user(1, "alice@contoso.com", phone="7700900123", country_code="44")
    ws.entra("e1", "alice@contoso.com")
    plan = ws.plan()              # list of dicts, one per plan row
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import duckdb

from analysis.simulate.runner import simulate
from analysis.simulate.settings import Settings
from analysis.sources.phones import fill_phone_tables
from analysis.sqlfiles import sql

_KIND_TYPES = {
    "phone": "#microsoft.graph.phoneAuthenticationMethod",
    "authenticator": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
    "software_oath": "#microsoft.graph.softwareOathAuthenticationMethod",
    "hardware_oath": "#microsoft.graph.hardwareOathAuthenticationMethod",
    "fido2": "#microsoft.graph.fido2AuthenticationMethod",
    "password": "#microsoft.graph.passwordAuthenticationMethod",
    "email": "#microsoft.graph.emailAuthenticationMethod",
}

USER_DEFAULTS: dict[str, Any] = {
    "object_sid": None,
    "first_name": None,
    "last_name": None,
    "email": None,
    "user_group": None,
    "enabled": True,
    "country_code": None,
    "phone": None,
    "extension": None,
    "backup_country_code": None,
    "backup_phone": None,
    "backup_extension": None,
    "method": "phone_call",
    "phone_mode": "standard",
    "text_mode": None,
    "text_direction": None,
    "app_mode": None,
    "has_pin": False,
    "language": None,
    "oath_serial": None,
    "oath_secret_sha256": None,
    "oath_kind": None,
    "oath_time_step": None,
    "created_at": "2023-01-01T00:00:00Z",
    "modified_at": "2024-01-01T00:00:00Z",
    "last_migrated_at": None,
    "migrated_selection": None,
    "details_known": True,
    "source_line": None,
}
ENTRA_DEFAULTS: dict[str, Any] = {
    "display_name": None,
    "account_enabled": True,
    "user_type": "Member",
    "mail": None,
    "on_premises_sync_enabled": None,
    "on_premises_security_identifier": None,
    "on_premises_sam_account_name": None,
    "on_premises_immutable_id": None,
    "employee_id": None,
    "preferred_method": None,
    "system_preferred_enabled": False,
    "methods_error": None,
    "source_line": None,
}


def sha(text: str) -> str:
    """Lower-case hex SHA-256, the workspace's fingerprint format."""
    return hashlib.sha256(text.encode()).hexdigest()


class Workspace:
    """A workspace file built row by row. Call :meth:`plan` (or :meth:`run`) when done."""

    def __init__(self, directory: Path | None, name: str = "ws.duckdb") -> None:
        """A workspace file in ``directory``, or an in-memory one when ``directory`` is None."""
        self.path = directory / name if directory is not None else None
        self.con = duckdb.connect(str(self.path) if self.path else ":memory:")
        self.con.execute(sql("sources/schema"))
        self.con.execute("INSERT INTO tenant_info VALUES ('tenant', '2024-06-01T00:00:00Z', 'file', false)")
        self._ids = itertools.count(1)
        self._parsed: Any = None

    # ------------------------------------------------------------------ MFA Server side
    def user(self, user_id: int, username: str, **fields: Any) -> None:
        unknown = set(fields) - set(USER_DEFAULTS)
        assert not unknown, f"unknown mfa_users fields {unknown}"
        row = {"user_id": user_id, "username": username, **USER_DEFAULTS, **fields}
        cols = ", ".join(row)
        self.con.execute(
            f"INSERT INTO mfa_users ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )

    def device(
        self,
        device_id: int,
        user_id: int,
        name: str | None = None,
        activated_at: str | None = None,
        secret: str | None = None,
        token: str | None = None,
    ) -> None:
        """A mobile-app device; ``secret``/``token`` are plain test strings stored as fingerprints."""
        self.con.execute(
            "INSERT INTO mfa_devices (device_id, user_id, device_name, device_token_sha256,"
            " oath_secret_sha256, activated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                device_id,
                user_id,
                name,
                sha(token) if token else None,
                sha(secret) if secret else None,
                activated_at,
            ],
        )

    def mark(self, username: str, last_migrated_at: str, selection: str) -> None:
        """A migration_marks row (this tool's own record of a verified migration)."""
        self.con.execute(
            "INSERT INTO migration_marks VALUES (?, ?, ?, 'batch')", [username, last_migrated_at, selection]
        )

    # ------------------------------------------------------------------ Entra side
    def entra(self, entra_id: str, upn: str | None, **fields: Any) -> None:
        unknown = set(fields) - set(ENTRA_DEFAULTS)
        assert not unknown, f"unknown entra_users fields {unknown}"
        row = {"id": entra_id, "user_principal_name": upn, **ENTRA_DEFAULTS, **fields}
        cols = ", ".join(row)
        self.con.execute(
            f"INSERT INTO entra_users ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )

    def method(self, entra_id: str, kind: str, method_id: str | None = None) -> str:
        """A non-phone Entra authentication method; returns its id."""
        mid = method_id or f"m{next(self._ids)}"
        self.con.execute(
            "INSERT INTO entra_methods (user_id, method_id, odata_type, kind) VALUES (?, ?, ?, ?)",
            [entra_id, mid, _KIND_TYPES.get(kind, "#microsoft.graph.other"), kind],
        )
        return mid

    def phone(self, entra_id: str, phone_type: str, number: str) -> str:
        """An Entra phone method as Graph returns it (``'+44 7700900123x12'``); parsed with the rest."""
        mid = f"p{next(self._ids)}"
        self.con.execute(
            "INSERT INTO entra_methods (user_id, method_id, odata_type, kind, phone_type, phone_number)"
            " VALUES (?, ?, ?, 'phone', ?, ?)",
            [entra_id, mid, _KIND_TYPES["phone"], phone_type, number],
        )
        return mid

    def ledger(
        self,
        entra_id: str,
        method_id: str,
        kind: str = "device",
        secret: str | None = None,
        token: str | None = None,
        upper: bool = False,
    ) -> None:
        """A ledger line; ``upper`` stores the hex upper-cased (hex compares case-insensitively)."""

        def fp(v: str | None) -> str | None:
            return None if v is None else sha(v).upper() if upper else sha(v)

        self.con.execute(
            "INSERT INTO entra_ledger VALUES (?, ?, ?, ?, ?)",
            [entra_id, method_id, kind, fp(secret), fp(token)],
        )

    def group(self, group_id: str, name: str, users: list[str], dynamic: bool = False) -> None:
        """A group with these transitive user members (nesting is the loader's job, tested there)."""
        self.con.execute(
            "INSERT INTO entra_groups VALUES (?, ?, ?, ?, NULL, true)",
            [group_id, name, ["DynamicMembership"] if dynamic else [], dynamic],
        )
        for u in users:
            self.con.execute("INSERT INTO entra_group_members VALUES (?, ?, 'user')", [group_id, u])
            self.con.execute("INSERT INTO entra_group_transitive_users VALUES (?, ?)", [group_id, u])

    def policy(self, **configs: str | tuple[str, bool]) -> None:
        """Turn the methods policy on with these configurations, e.g. ``Voice=("enabled", True)``,
        ``Sms="disabled"``. Configurations not named are missing (so not enabled)."""
        self.con.execute("UPDATE tenant_info SET has_methods_policy = true")
        for config_id, spec in configs.items():
            state, office = spec if isinstance(spec, tuple) else (spec, None)
            self.con.execute(
                "INSERT INTO entra_method_configs VALUES (?, ?, ?, NULL)", [config_id, state, office]
            )

    # ------------------------------------------------------------------ running
    def fill_phones(self) -> None:
        """Parse the numbers as a load would, again whenever a test changed them between runs."""
        numbers = self.con.execute(
            "SELECT (SELECT list((user_id, country_code, phone, extension, backup_country_code, backup_phone,"
            " backup_extension) ORDER BY user_id) FROM mfa_users),"
            " (SELECT list((user_id, method_id, phone_number) ORDER BY user_id, method_id) FROM entra_methods"
            "  WHERE kind = 'phone')"
        ).fetchone()
        if numbers != self._parsed:
            self.con.execute("DELETE FROM mfa_phones")
            fill_phone_tables(self.con)
            self._parsed = numbers

    def run(self, settings: Settings | None = None, table: str = "plan") -> list[dict[str, Any]]:
        self.fill_phones()
        simulate(self.con, settings or Settings.default(), table)
        return rows(self.con, table)

    def plan(self, settings: Settings | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if isinstance(settings, dict):
            settings = Settings.from_dict(settings)
        return self.run(settings)


#: Plan order, as analysis.simulate.runner.export writes it (the table itself is a set).
PLAN_ORDER = (
    "user_id, CASE item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2"
    " WHEN 'device' THEN 3 WHEN 'oath_token' THEN 4 ELSE 5 END, try_cast(ref AS BIGINT) NULLS FIRST, ref"
)


def rows(con: duckdb.DuckDBPyConnection, table: str = "plan") -> list[dict[str, Any]]:
    cur = con.execute(f"SELECT * FROM {table} ORDER BY {PLAN_ORDER}")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def outcome(plan: list[dict[str, Any]], username: str, item: str, ref: str | None = None) -> dict[str, Any]:
    """The single plan row for (username, item[, ref]); fails the test if there is not exactly one."""
    found = [
        r
        for r in plan
        if r["username"] == username and r["item"] == item and (ref is None or r["ref"] == ref)
    ]
    assert len(found) == 1, f"expected one {item} row for {username} (ref {ref}), got {found}"
    return found[0]


def action(plan: list[dict[str, Any]], username: str, item: str, ref: str | None = None) -> str:
    return str(outcome(plan, username, item, ref)["action"])


def items(plan: list[dict[str, Any]], username: str) -> list[tuple[str, str | None, str]]:
    return [(r["item"], r["ref"], r["action"]) for r in plan if r["username"] == username]
