"""Staged Rollout of cloud MFA and the federation cut-over (docs/executing.md), each journaled and guarded.

Staged Rollout (``featureRolloutPolicy`` with feature ``multiFactorAuthentication``) only accepts a
delegated token (Hybrid Identity Administrator): sign in with ``--device-code``. ``multiFactorAuthentication``
is an evolvable enum member, so every call sends ``Prefer: include-unknown-enum-members``.

Microsoft's limits are enforced *before* writing, with a message instead of a Graph error: at most 10
groups per feature, no dynamic groups, no nested groups, no contacts, at most 50,000 members per group.
Adding a group whose members are not yet migrated (no ``migration_marks``) works but warns: those users
would be sent to cloud MFA without their methods. Microsoft also recommends a group other than the
Migration Utility's own migration group; using it is refused.

The cut-over sets a federated domain's ``federatedIdpMfaBehavior``: ``reject`` (Entra always does MFA)
is refused while readiness has open blocker findings unless ``--force``; ``enforce`` is the documented
rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute.journal import Journal, new_run_id
from analysis.execute.protocol import Write, send_journaled
from analysis.execute.work import Request
from analysis.graph.client import GraphClient
from analysis.graph.constants import CONTACT_TYPE, GROUP_TYPE, USER_TYPE
from analysis.graph.errors import GraphError
from analysis.graph.outcomes import Verdict
from analysis.graph.wire import odata_string
from analysis.simulate.settings import Settings
from analysis.sqlfiles import sql

FEATURE = "multiFactorAuthentication"
PREFER = {"Prefer": "include-unknown-enum-members"}
MAX_GROUPS = 10
MAX_MEMBERS = 50_000
BEHAVIOURS = {
    "reject": "rejectMfaByFederatedIdp",
    "enforce": "enforceMfaByFederatedIdp",
    "accept": "acceptIfMfaDoneByFederatedIdp",
}
DYNAMIC = "DynamicMembership"


def _journaled(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    actor: str,
    step: str,
    request: Request,
    headers: dict[str, str] | None,
    in_place: Callable[[], bool],
) -> Any:
    """One tenant-level write through the journaled-write protocol; ``in_place()`` re-reads whether it
    took effect when Graph's answer was lost."""
    journal = Journal(con, batch_id=None, run_id=new_run_id(), actor=actor)
    write = Write(f"{step}:{journal.run_id}", step, request, headers=headers)
    reply = send_journaled(journal, client, write, reread=in_place)
    if reply.verdict in (Verdict.OK, Verdict.GONE):
        return reply.body
    what = f"{request.method} {request.path}"
    if reply.outcome == "not_sent" or reply.verdict is Verdict.RETRY:
        raise UserError(f"{what} was not applied ({_error(reply.body)}); run the command again")
    raise UserError(f"Graph refused {what}: {reply.status} {_error(reply.body)}")


def _error(body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    return str(error or "no answer")[:300]


def find_policy(client: GraphClient) -> dict[str, Any] | None:
    """The MFA staged rollout policy with its groups (``appliesTo``), or None."""
    for policy in client.paged("/policies/featureRolloutPolicies", headers=PREFER):
        if policy.get("feature") == FEATURE:
            full = client.get(
                f"/policies/featureRolloutPolicies/{policy['id']}",
                params={"$expand": "appliesTo"},
                headers=PREFER,
            )
            return dict(full)
    return None


def _applied_groups(client: GraphClient) -> set[str]:
    return {str(r.get("id")) for r in (find_policy(client) or {}).get("appliesTo") or []}


def resolve_group(client: GraphClient, name_or_id: str) -> dict[str, Any]:
    select = {"$select": "id,displayName,groupTypes,membershipRule,securityEnabled"}
    try:
        return dict(client.get(f"/groups/{quote(name_or_id)}", params=select))
    except GraphError as exc:
        if exc.status not in (400, 404):
            raise
    found = list(
        client.paged("/groups", params={"$filter": f"displayName eq {odata_string(name_or_id)}", **select})
    )
    if len(found) != 1:
        raise UserError(
            f"{len(found)} Entra groups are named {name_or_id!r}; give the group's object id instead"
            if found
            else f"there is no Entra group {name_or_id!r} (by id or display name)"
        )
    return dict(found[0])


def _migrated_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(r[0]) for r in con.execute(sql("execute/rollout.migrated_entra_ids")).fetchall()}


def status(con: duckdb.DuckDBPyConnection, client: GraphClient, console: Console) -> int:
    """The MFA staged rollout policy and its groups, read live. What Graph refuses to read is said to be
    *not read*, with the reason (exit code 1), never "no policy" or "no members": an app-only token may not
    read Staged Rollout at all, and nobody routed is not the same as not known."""
    try:
        policy = find_policy(client)
    except GraphError as exc:
        if exc.status not in (401, 403):
            raise
        console.warn(
            f"Staged Rollout not read: Graph refused the read ({exc}). Graph allows it only to a delegated "
            "token: sign in with --device-code as a Hybrid Identity Administrator. Who is routed to cloud "
            "MFA is unknown (not 'nobody')."
        )
        return 1
    if policy is None:
        console.info(
            "No staged rollout policy for multiFactorAuthentication exists; `rollout add-group` creates one."
        )
        return 0
    migrated = _migrated_ids(con)
    rows: list[list[Any]] = []
    unread = 0
    for ref in policy.get("appliesTo") or []:
        gid = str(ref.get("id"))
        try:
            name = ref.get("displayName") or client.get(
                f"/groups/{gid}", params={"$select": "displayName"}
            ).get("displayName")
            members = list(client.paged(f"/groups/{gid}/members", params={"$select": "id"}))
        except GraphError as exc:
            if exc.status not in (401, 403, 404):
                raise
            unread += 1
            why = f"not read: {exc}"[:200]
            rows.append([gid, ref.get("displayName") or "not read", why, why, why])
            continue
        users = [m for m in members if m.get("@odata.type", USER_TYPE) == USER_TYPE]
        done = sum(1 for m in users if str(m.get("id")) in migrated)
        rows.append([gid, name, len(users), done, len(users) - done])
    console.table(
        ["group id", "name", "members", "migrated", "not migrated"],
        rows,
        title=f"Staged rollout '{policy.get('displayName')}' (enabled: {policy.get('isEnabled')}, "
        f"{len(rows)}/{MAX_GROUPS} groups)",
    )
    if unread:
        console.warn(
            f"{unread} group(s) whose members Graph would not let this app read: not read, not empty"
        )
        return 1
    return 0


def add_group(
    con: duckdb.DuckDBPyConnection, client: GraphClient, console: Console, name_or_id: str, *, actor: str
) -> int:
    group = resolve_group(client, name_or_id)
    gid, label = str(group["id"]), f"group {group.get('displayName')!r} ({group['id']})"
    if DYNAMIC in (group.get("groupTypes") or []):
        raise UserError(
            f"{label} has dynamic membership; Staged Rollout accepts only assigned (static) groups"
        )
    members = list(client.paged(f"/groups/{gid}/members", params={"$select": "id"}))
    kinds = {str(m.get("@odata.type", "")) for m in members}
    if GROUP_TYPE in kinds:
        raise UserError(
            f"{label} contains nested groups, which Staged Rollout ignores; add its user members directly"
        )
    if CONTACT_TYPE in kinds:
        raise UserError(f"{label} contains contacts, which block it from Staged Rollout; remove them first")
    if len(members) > MAX_MEMBERS:
        raise UserError(
            f"{label} has {len(members):,} members; Staged Rollout allows at most {MAX_MEMBERS:,}: split it"
        )
    for row in con.execute(sql("execute/rollout.migration_groups")).fetchall():
        if row[0] and row[0] in (gid, group.get("displayName")):
            raise UserError(
                f"{label} is the Migration Utility's migration group; Microsoft requires a different "
                "group for "
                "Staged Rollout so users are not sent to cloud MFA before their methods are synced"
            )
    policy = find_policy(client)
    applied = [str(r.get("id")) for r in (policy or {}).get("appliesTo") or []]
    if gid in applied:
        console.info(f"{label} is already in MFA staged rollout; nothing to do.")
        return 0
    if len(applied) >= MAX_GROUPS:
        raise UserError(
            f"MFA staged rollout already has {len(applied)} groups (the limit is {MAX_GROUPS}); remove "
            "one first"
        )
    migrated = _migrated_ids(con)
    missing = [str(m["id"]) for m in members if str(m.get("id")) not in migrated]
    if missing:
        console.warn(
            f"{len(missing)} of {len(members)} member(s) of {label} are not marked migrated by a verified "
            "batch; "
            "they will be asked for cloud MFA with whatever methods Entra already has"
        )
    if policy is None:
        body = {
            "displayName": "MFA rollout policy",
            "description": "MFA rollout policy (mfa-migrate)",
            "feature": FEATURE,
            "isEnabled": True,
            "isAppliedToOrganization": False,
        }
        policy = _journaled(
            con,
            client,
            actor,
            "rollout_create",
            Request("POST", "v1.0", "/policies/featureRolloutPolicies", body),
            PREFER,
            lambda: find_policy(client) is not None,
        )
        if policy is None:  # created, but the answer was lost: read it back
            policy = find_policy(client)
        assert policy is not None
        console.info(f"Created the MFA staged rollout policy {policy.get('id')}.")
    ref = {"@odata.id": f"{client.root}/v1.0/directoryObjects/{gid}"}
    _journaled(
        con,
        client,
        actor,
        "rollout_add_group",
        Request("POST", "v1.0", f"/policies/featureRolloutPolicies/{policy['id']}/appliesTo/$ref", ref),
        PREFER,
        lambda: gid in _applied_groups(client),
    )
    console.info(
        f"Added {label} to MFA staged rollout ({len(applied) + 1}/{MAX_GROUPS} groups). Changes can take "
        "up to 24 h."
    )
    return 0


def remove_group(
    con: duckdb.DuckDBPyConnection, client: GraphClient, console: Console, name_or_id: str, *, actor: str
) -> int:
    group = resolve_group(client, name_or_id)
    policy = find_policy(client)
    applied = [str(r.get("id")) for r in (policy or {}).get("appliesTo") or []]
    if policy is None or str(group["id"]) not in applied:
        console.info(f"group {group.get('displayName')!r} is not in MFA staged rollout; nothing to do.")
        return 0
    path = f"/policies/featureRolloutPolicies/{policy['id']}/appliesTo/{group['id']}/$ref"
    _journaled(
        con,
        client,
        actor,
        "rollout_remove_group",
        Request("DELETE", "v1.0", path),
        PREFER,
        lambda: str(group["id"]) not in _applied_groups(client),
    )
    console.info(f"Removed group {group.get('displayName')!r} from MFA staged rollout.")
    return 0


def open_blockers(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Blocker findings readiness reports now (it plans the workspace again first)."""
    from analysis.readiness.checks import run
    from analysis.simulate.runner import simulate

    report = run(con, simulate(con, settings))
    return int(report.summary()["blocker"]["findings"])


def cutover(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    console: Console,
    domain: str,
    to: str,
    *,
    settings: Settings,
    confirm: bool,
    force: bool,
    actor: str,
    blockers: int | None = None,
) -> int:
    value = BEHAVIOURS[to]
    if not confirm:
        raise UserError(
            f"cutover changes how Entra treats MFA for every user of {domain} (federatedIdpMfaBehavior = "
            f"{value}); "
            "run it again with --confirm"
        )
    if to == "reject":
        count = open_blockers(con, settings) if blockers is None else blockers
        if count and not force:
            raise UserError(
                f"readiness has {count} open blocker finding(s); after `--to reject` Entra performs MFA "
                "itself, "
                "so users with blockers could be locked out. Fix them (mfa-migrate readiness), or pass "
                "--force"
            )
        if count:
            console.warn(f"cutting over with {count} open blocker finding(s) because --force was given")
    try:
        configs = client.get(f"/domains/{quote(domain)}/federationConfiguration").get("value", [])
    except GraphError as exc:
        if exc.status == 404:
            raise UserError(
                f"domain {domain} has no federation configuration (is it managed, or misspelt?)"
            ) from None
        raise
    if not configs:
        raise UserError(f"domain {domain} has no federation configuration (is it managed?)")
    config = configs[0]
    if config.get("federatedIdpMfaBehavior") == value:
        console.info(f"{domain} already has federatedIdpMfaBehavior = {value}; nothing to do.")
        return 0
    path = f"/domains/{quote(domain)}/federationConfiguration/{config['id']}"

    def in_place() -> bool:
        configs = client.get(f"/domains/{quote(domain)}/federationConfiguration").get("value", [])
        return any(c.get("federatedIdpMfaBehavior") == value for c in configs)

    _journaled(
        con,
        client,
        actor,
        "cutover",
        Request("PATCH", "v1.0", path, {"federatedIdpMfaBehavior": value}),
        None,
        in_place,
    )
    console.info(
        f"{domain}: federatedIdpMfaBehavior {config.get('federatedIdpMfaBehavior') or '(unset)'} -> {value}. "
        "It can take up to 24 hours to take effect."
    )
    return 0
