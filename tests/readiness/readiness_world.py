"""A small hand-built workspace in which every readiness check is quiet, to mutate one fact at a time.

The clean world is a federated tenant half-way through its migration: three MFA Server users, two
still to migrate (Alice: phone call, Bob: hardware token) and one migrated and routed to cloud MFA by
Staged Rollout (Carol). Every method in use is enabled, every dependency service is inventoried but
switched off, the domain enforces MFA by the IdP (right for the migration phase). Test cases change one
thing and expect exactly the check written for it to fire.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb

from analysis.simulate.plan import Plan, stamp
from analysis.simulate.settings import Settings
from analysis.sqlfiles import sql

#: The simulator's plan table, as readiness reads it.
PLAN_DDL = """
CREATE OR REPLACE TABLE plan (
  user_id BIGINT, entra_id VARCHAR, username VARCHAR, upn VARCHAR, item VARCHAR, ref VARCHAR,
  action VARCHAR, value VARCHAR, reason VARCHAR, writable VARCHAR
)
"""

MIGRATED_AT = "2024-06-01T00:00:00Z"
SECRET_FINGERPRINT = "a" * 64  # a made-up fingerprint: reports must never carry it
DEVICE_FINGERPRINT = "b" * 64


class World:
    """A fresh workspace file with the canonical schema, a ``plan`` table and row helpers."""

    def __init__(self, path: Path, fresh: bool = True) -> None:
        self.path = path
        self.con = duckdb.connect(str(path))
        if fresh:
            self.con.execute(sql("sources/schema"))
            self.con.execute(PLAN_DDL)

    # -------------------------------------------------------------- generic helpers (test code only)
    def insert(self, table: str, **values: Any) -> None:
        cols = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" for _ in values)
        self.con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))

    def run(self, statement: str, *params: Any) -> None:
        self.con.execute(statement, list(params))

    def stamped(self, settings: Settings) -> Plan:
        """The crafted ``plan`` table stamped as the plan for ``settings`` (what simulate would record)."""
        return stamp(self.con, "plan", settings)

    # -------------------------------------------------------------- domain helpers
    def mfa_user(self, user_id: int, username: str, **kw: Any) -> None:
        row: dict[str, Any] = {
            "user_id": user_id,
            "username": username,
            "enabled": True,
            "method": "phone_call",
            "phone_mode": "standard",
            "text_mode": "otp",
            "app_mode": "standard",
            "has_pin": False,
            "details_known": True,
            "user_group": "Sales",
            "modified_at": "2024-05-01T00:00:00Z",
        }
        row.update(kw)
        self.insert("mfa_users", **row)

    def entra_user(self, entra_id: str, upn: str, **kw: Any) -> None:
        row: dict[str, Any] = {
            "id": entra_id,
            "user_principal_name": upn,
            "account_enabled": True,
            "user_type": "Member",
            "on_premises_sync_enabled": True,
            "system_preferred_enabled": False,
        }
        row.update(kw)
        self.insert("entra_users", **row)

    def plan(
        self,
        user_id: int,
        item: str,
        action: str,
        ref: str = "",
        value: str = "",
        writable: str = "none",
        reason: str = "",
    ) -> None:
        who = self.con.execute(
            "SELECT m.username, p.entra_id, p.upn FROM mfa_users m LEFT JOIN plan p "
            "ON p.user_id = m.user_id AND p.item = 'user' WHERE m.user_id = ?",
            [user_id],
        ).fetchone()
        assert who is not None, f"no MFA user {user_id}"
        username, entra_id, upn = who
        if item == "user":
            entra_id, upn = (
                self._entra_for(username) if action not in ("unmatched", "ambiguous") else (None, None)
            )
        self.insert(
            "plan",
            user_id=user_id,
            entra_id=entra_id,
            username=username,
            upn=upn,
            item=item,
            ref=ref,
            action=action,
            value=value,
            reason=reason or f"{item}: {action}",
            writable=writable,
        )

    def _entra_for(self, username: str) -> tuple[str | None, str | None]:
        row = self.con.execute(
            "SELECT id, user_principal_name FROM entra_users WHERE lower(user_principal_name) = lower(?)",
            [username],
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def phone_method(self, entra_id: str, phone_type: str, number: str) -> None:
        e164, _, ext = number.partition("x")
        self.insert(
            "entra_methods",
            user_id=entra_id,
            method_id=f"{entra_id}-{phone_type}",
            odata_type="#microsoft.graph.phoneAuthenticationMethod",
            kind="phone",
            phone_type=phone_type,
            phone_number=number,
            phone_e164=e164.replace(" ", ""),
            phone_extension=ext or None,
        )

    def app_method(self, entra_id: str, kind: str = "authenticator", n: int = 1) -> None:
        odata = {
            "authenticator": "microsoftAuthenticatorAuthenticationMethod",
            "software_oath": "softwareOathAuthenticationMethod",
            "hardware_oath": "hardwareOathAuthenticationMethod",
            "fido2": "fido2AuthenticationMethod",
        }[kind]
        self.insert(
            "entra_methods",
            user_id=entra_id,
            method_id=f"{entra_id}-{kind}-{n}",
            odata_type=f"#microsoft.graph.{odata}",
            kind=kind,
            display_name=f"{kind} {n}",
        )

    def close(self) -> None:
        self.con.close()


def clean_world(path: Path) -> World:
    """The world in which no check fires (see the module docstring)."""
    w = World(path)
    w.insert(
        "loads",
        load_id="load1",
        loaded_at="2025-01-02 03:04:05+00",
        datafile_kind="pfdata",
        tool_version="test",
    )
    w.insert("mfa_meta", key="schema_version", value="24")
    w.insert(
        "tenant_info",
        tenant_id="tenant-1",
        taken_at="2025-01-02T03:00:00Z",
        source="file",
        has_methods_policy=True,
    )
    for config in ("MicrosoftAuthenticator", "Sms", "SoftwareOath", "HardwareOath", "Fido2"):
        w.insert("entra_method_configs", config_id=config, state="enabled")
    w.insert("entra_method_configs", config_id="Voice", state="enabled", is_office_phone_allowed=True)
    for service in (
        "radius",
        "ldap",
        "iis",
        "adfs",
        "windows",
        "user_portal",
        "web_service_sdk",
        "mobile_app_ws",
    ):
        w.insert("mfa_auth_services", service=service, name=f"{service} 1", detail="", enabled=False)
    w.insert(
        "entra_domains",
        id="contoso.com",
        authentication_type="Federated",
        is_verified=True,
        federated_idp_mfa_behavior="enforceMfaByFederatedIdp",
    )
    w.insert("entra_domains", id="contoso.onmicrosoft.com", authentication_type="Managed", is_verified=True)

    # Alice: phone call, not migrated yet; already has Authenticator in Entra, her default there, which
    # the plan keeps (so nothing breaks when phone codes stop).
    w.mfa_user(
        1,
        "alice@contoso.com",
        method="phone_call",
        country_code="44",
        phone="7700900123",
        email="alice@contoso.com",
    )
    w.insert(
        "mfa_phones", user_id=1, slot="phone", e164="+447700900123", graph_number="+44 7700900123", valid=True
    )
    w.entra_user("e1", "alice@contoso.com", preferred_method="push")
    w.app_method("e1", "authenticator")
    w.plan(1, "user", "migrate")
    w.plan(1, "phone", "write_mobile", "phone", "+44 7700900123", "graph")
    w.plan(1, "default_method", "keep_default", "default_method", "push")

    # Bob: hardware token (TOTP) and two phones, not migrated yet; Authenticator already in Entra.
    w.mfa_user(
        2,
        "bob@contoso.com",
        method="oath_token",
        country_code="1",
        phone="2065550100",
        backup_country_code="1",
        backup_phone="2065550101",
        oath_serial="SN-0002",
        oath_kind="totp",
        oath_secret_sha256=SECRET_FINGERPRINT,
        oath_time_step=30,
        user_group="Engineering",
    )
    w.insert(
        "mfa_phones", user_id=2, slot="phone", e164="+12065550100", graph_number="+1 2065550100", valid=True
    )
    w.insert(
        "mfa_phones",
        user_id=2,
        slot="backup_phone",
        e164="+12065550101",
        graph_number="+1 2065550101",
        valid=True,
    )
    w.entra_user("e2", "bob@contoso.com")
    w.app_method("e2", "authenticator")
    w.plan(2, "user", "migrate")
    w.plan(2, "phone", "write_mobile", "phone", "+1 2065550100", "graph")
    w.plan(2, "backup_phone", "write_alternate", "backup_phone", "+1 2065550101", "graph")
    w.plan(2, "oath_token", "create_hardware_oath", "SN-0002", "", "graph")
    w.plan(2, "default_method", "set_default", "default_method", "oath", "graph")

    # Carol: migrated and unchanged since; routed to cloud MFA by Staged Rollout.
    w.mfa_user(
        3,
        "carol@contoso.com",
        method="mobile_app",
        country_code="44",
        phone="7700900456",
        last_migrated_at=MIGRATED_AT,
        migrated_selection="phone,backup_phone,mobile_app,oath_token,default_method;always",
    )
    w.insert(
        "mfa_phones", user_id=3, slot="phone", e164="+447700900456", graph_number="+44 7700900456", valid=True
    )
    w.insert(
        "mfa_devices",
        device_id=31,
        user_id=3,
        device_name="Carol's phone",
        device_token_sha256=DEVICE_FINGERPRINT,
        activated_at="2023-01-01T00:00:00Z",
    )
    w.entra_user("e3", "carol@contoso.com", preferred_method="push")
    w.phone_method("e3", "mobile", "+44 7700900456")
    w.app_method("e3", "authenticator")
    w.plan(3, "user", "unchanged")

    # Staged Rollout for MFA: one assigned group with Carol only.
    w.insert(
        "entra_groups",
        id="g-rollout",
        display_name="MFA Rollout",
        group_types=[],
        is_dynamic=False,
        security_enabled=True,
    )
    w.insert("entra_group_members", group_id="g-rollout", member_id="e3", member_type="user")
    w.insert("entra_group_transitive_users", group_id="g-rollout", user_id="e3")
    w.insert(
        "entra_groups",
        id="g-migrate",
        display_name="MFA Migrate",
        group_types=[],
        is_dynamic=False,
        security_enabled=True,
    )
    for e in ("e1", "e2", "e3"):
        w.insert("entra_group_members", group_id="g-migrate", member_id=e, member_type="user")
        w.insert("entra_group_transitive_users", group_id="g-migrate", user_id=e)
    w.insert(
        "entra_rollout_policies",
        id="p-mfa",
        display_name="MFA rollout policy",
        feature="multiFactorAuthentication",
        is_enabled=True,
        is_applied_to_organization=False,
    )
    w.insert("entra_rollout_policy_groups", policy_id="p-mfa", group_id="g-rollout")
    return w


def copy_world(template: Path, path: Path) -> World:
    """A private copy of a closed world file (building the clean world once per session saves seconds)."""
    shutil.copyfile(template, path)
    return World(path, fresh=False)
