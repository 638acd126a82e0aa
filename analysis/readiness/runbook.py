"""Where the migration stands in Microsoft's migration guide (Preparations, Migrations, Finalize).

Each step of the guide gets a status: ``done``, ``in progress`` or ``to do`` when the workspace can tell
(the datafile's schema version, the service inventory, how many users are migrated, the Staged Rollout
policy, the domains' federation setting), else ``manual`` (the admin has to check and tick it off).
The facts come from one query (``queries/readiness/runbook/facts.sql``); the rules below turn them
into statuses and a sentence of evidence each, so a change board sees *why* a step counts as done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from analysis.sqlfiles import sql

STATUSES: tuple[str, ...] = ("done", "in progress", "to do", "manual")
PHASES: tuple[str, ...] = ("Preparations", "Migrations", "Finalize")

Facts = dict[str, Any]
Status = tuple[str, str]  # (status, evidence)


def _dependencies(f: Facts) -> Status:
    if not f["services"]:
        return "manual", (
            "no authentication-service inventory in the source (Export Users CSV?): check RADIUS, LDAP, "
            "IIS, AD FS, User Portal and Web Service SDK in the MFA Server console"
        )
    return "done", (
        f"{f['services']} authentication service(s) inventoried from the datafile; "
        "see the dependency_* checks for what each needs"
    )


def _backup(f: Facts) -> Status:
    return (
        "manual",
        "back up PhoneFactor.pfdata (and keep the current installer) before installing the update",
    )


def _update(f: Facts) -> Status:
    version = f["schema_version"]
    if version is None:
        return "manual", "datafile schema version unknown: check the MFA Server build (8.1 or later)"
    if version >= 24:
        return "done", f"datafile schema {version}: the build with the Migration Utility is installed"
    return (
        "to do",
        f"datafile schema {version}: install the MFA Server build with the Migration Utility (schema 24)",
    )


def _configure(f: Facts) -> Status:
    if f["migrated_ever"]:
        return (
            "done",
            f"{f['migrated_ever']} user(s) already migrated, so the utility (or this tool) is set up",
        )
    return "manual", "run Configure-MultiFactorAuthMigrationUtility.ps1 and grant admin consent to the app"


def _validate(f: Facts) -> Status:
    if not f["rollout_policies"]:
        return "to do", "no Staged Rollout policy for multiFactorAuthentication yet"
    if f["rollout_whole_org"]:
        return "done", "a Staged Rollout policy for MFA applies to the whole organisation"
    if f["rollout_enabled"] and f["rollout_groups"]:
        return "done", f"Staged Rollout for MFA is on and targets {f['rollout_groups']} group(s)"
    return "in progress", "a Staged Rollout policy for MFA exists but is off or targets no group"


def _educate(f: Facts) -> Status:
    return "manual", "tell users what changes (aka.ms/mfasetup, new prompts) before they are routed to Entra"


def _migrate_data(f: Facts) -> Status:
    if f["migrated_ever"]:
        return "done", f"{f['migrated_ever']} of {f['users']} user(s) have been migrated at least once"
    return "to do", f"none of {f['users']} user(s) migrated yet"


def _complete(f: Facts) -> Status:
    users, current = f["users"], f["up_to_date"]
    if users and current == users:
        return "done", f"all {users} user(s) migrated and unchanged since"
    if f["migrated_ever"]:
        return "in progress", f"{current} of {users} user(s) migrated and current; {f['pending']} to go"
    return "to do", f"{users} user(s) to migrate"


def _move_dependencies(f: Facts) -> Status:
    if not f["services"]:
        return "manual", "no service inventory in the source: check the MFA Server console"
    if not f["dependencies_enabled"]:
        return "done", "no RADIUS, LDAP, IIS, AD FS, Windows or Web Service SDK dependency is enabled"
    if f["dependencies_enabled"] < f["dependencies"]:
        return "in progress", (
            f"{f['dependencies'] - f['dependencies_enabled']} of {f['dependencies']} dependencies disabled; "
            f"{f['dependencies_enabled']} still enabled"
        )
    return "to do", f"{f['dependencies_enabled']} dependency service(s) still enabled on MFA Server"


def _portal(f: Facts) -> Status:
    if not f["services"]:
        return "manual", "no service inventory in the source: check the User Portal settings"
    if not f["portals"]:
        return "done", "no User Portal in the service inventory"
    if f["portals_enabled"]:
        return (
            "to do",
            "the User Portal is enabled: redirect it to aka.ms/mfasetup or clear 'Allow users to log in'",
        )
    return "done", "the User Portal is disabled"


def _federation(f: Facts) -> Status:
    if not f["federated"]:
        return "done", "no federated domains: nothing to change"
    if f["federated_reject"] == f["federated"]:
        return (
            "done",
            f"all {f['federated']} federated domain(s) reject MFA by the IdP (rejectMfaByFederatedIdp)",
        )
    if f["federated_reject"]:
        return "in progress", f"{f['federated_reject']} of {f['federated']} federated domain(s) cut over"
    return "to do", (
        f"{f['federated']} federated domain(s) still send MFA to the IdP "
        f"({f['federated_enforce']} with enforceMfaByFederatedIdp, as the migration needs)"
    )


def _decommission(f: Facts) -> Status:
    return "manual", "once nothing uses MFA Server: review its logs, remove the Web SDK leftovers, retire it"


#: The guide's steps in order, as (phase, step, rule).
STEPS: tuple[tuple[str, str, Callable[[Facts], Status]], ...] = (
    ("Preparations", "Identify Azure MFA Server dependencies", _dependencies),
    ("Preparations", "Backup Azure MFA Server datafile", _backup),
    ("Preparations", "Install MFA Server update", _update),
    ("Preparations", "Configure MFA Migration Utility", _configure),
    ("Migrations", "Validate and test", _validate),
    ("Migrations", "Educate users", _educate),
    ("Migrations", "Migrate user data", _migrate_data),
    ("Migrations", "Complete user migration", _complete),
    ("Finalize", "Migrate MFA Server dependencies", _move_dependencies),
    ("Finalize", "Disable MFA Server User portal", _portal),
    ("Finalize", "Update domain federation settings", _federation),
    ("Finalize", "Decommission Azure MFA server", _decommission),
)


def statuses(facts: Facts) -> pd.DataFrame:
    """The runbook for a set of facts: one row per step (phase, step, status, evidence)."""
    rows = [(phase, step, *rule(facts)) for phase, step, rule in STEPS]
    return pd.DataFrame(rows, columns=["phase", "step", "status", "evidence"])


def runbook_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The runbook for the workspace (inside a readiness run: needs its temp tables)."""
    cur = con.execute(sql("readiness/runbook/facts"))
    cols = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None  # the query always yields one row
    return statuses({c: (v.item() if hasattr(v, "item") else v) for c, v in zip(cols, row, strict=True)})
