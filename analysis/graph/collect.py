"""Collect a tenant snapshot (docs/workspace.md) from Graph or the local emulator.

What is read, and how (reference/graph-api.md):

* users: ``GET /users?$select=...`` (all), or ``/groups/{id}/transitiveMembers/microsoft.graph.user``
  (advanced query: ``ConsistencyLevel: eventual`` + ``$count``) for each group matching ``--group``;
* per user, in ``$batch`` envelopes of 10 users: beta ``authentication/methods`` (beta, because only
  beta returns hardware OATH) and beta ``authentication/signInPreferences``;
* groups (all, or the scope groups and the groups nested in them) with their direct members;
* beta ``policies/authenticationMethodsPolicy`` (beta has the HardwareOath configuration);
* ``policies/featureRolloutPolicies`` with ``Prefer: include-unknown-enum-members`` and ``appliesTo``;
* ``domains`` with ``federationConfiguration`` (404 = managed = ``[]``).

Graph gives per-user method reads no bulk alternative, so they dominate: two resource units per user.
A worker pool sends envelopes concurrently while a read budget keeps the app under the tenant's RU
quota (80 % of it by default, sized from the user count). A user whose methods cannot be read gets
``"methodsError"`` on its line (the loader's ``entra_users.methods_error``) instead of failing the run;
an authentication failure or a missing permission for *every* user stops it.

Output is deterministic: objects in the order Graph lists them (users, groups, members, methods,
policies, domains), the selected properties in a fixed order, compact JSON lines. Against the emulator
this reproduces the seeding snapshot byte for byte. ``snapshot.json`` is written last, so a directory
with one is complete.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from analysis.console import Console
from analysis.errors import UserError
from analysis.graph.client import GraphClient
from analysis.graph.collect_directory import (
    GROUP_FIELDS,
    chunks,
    collect_domains,
    collect_groups,
    list_params,
    pick,
    run_chunks,
    strip_annotations,
    strip_context,
)
from analysis.graph.constants import USER_FIELDS
from analysis.graph.errors import (
    AuthError,
    ForbiddenError,
    GraphClientError,
    NotFoundError,
    UnauthorizedError,
)
from analysis.graph.ratelimit import TokenBucket, tenant_read_quota
from analysis.graph.wire import BatchRequest, BatchResponse, odata_string

log = logging.getLogger("analysis.graph.collect")

PREFERENCE_FIELDS = (
    "userPreferredMethodForSecondaryAuthentication",
    "isSystemPreferredAuthenticationMethodEnabled",
)
PREFER_ENUMS = {"Prefer": "include-unknown-enum-members"}
USERS_PER_BATCH = 10  # two requests per user, 20 per $batch
READ_SHARE = 0.8  # of the tenant's RU quota; the rest is left to other apps
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


@dataclass
class SnapshotResult:
    """What a collection run produced, for the CLI summary and the benchmark."""

    out: Path
    users: int = 0
    groups: int = 0
    domains: int = 0
    rollout_policies: int | None = None  # None: could not be read
    methods_policy: bool = False
    methods_errors: int = 0
    seconds: float = 0.0
    counters: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    not_read: dict[str, str] = field(default_factory=dict)  # policies.json key -> why (snapshot.json notRead)


def source_for(graph_url: str) -> str:
    """``emulator`` when Graph is on a loopback address (tests and rehearsals), else ``graph``."""
    host = (urlsplit(graph_url).hostname or "").lower()
    if host == "localhost":
        return "emulator"
    try:
        return "emulator" if ipaddress.ip_address(host).is_loopback else "graph"
    except ValueError:
        return "graph"


def take_snapshot(
    client: GraphClient,
    out: Path,
    console: Console,
    *,
    tenant_id: str,
    group: str | None = None,
    concurrency: int = 4,
    read_budget: str | int = "auto",
    source: str | None = None,
    force: bool = False,
) -> SnapshotResult:
    """Read the tenant through ``client`` and write the snapshot directory ``out``.

    ``group``: a group id or display name; only its transitive user members are collected (every
    group of that name is united). ``read_budget``: resource units per 10 s, ``"auto"`` (80 % of the
    tenant's quota) or ``"off"``. Raises :class:`UserError` for problems the admin must fix.
    """
    started = time.monotonic()
    _prepare_out(out, force)
    result = SnapshotResult(out=out)
    try:
        if group:
            scope_groups = _resolve_groups(client, group)
            users = _scope_users(client, scope_groups)
            console.info(f"{len(users)} users in group {group!r} (transitive members)")
        else:
            scope_groups = []
            users = [pick(u, USER_FIELDS) for u in client.paged("/users", params=list_params(USER_FIELDS))]
            console.info(f"{len(users)} users in the tenant")
        _set_read_budget(client, read_budget, len(users))
        groups = collect_groups(client, scope_groups, concurrency)
        _collect_methods(client, users, console, concurrency, result)
        policies = _collect_policies(client, console, result)
        domains = collect_domains(client)
    except (AuthError, UnauthorizedError) as exc:
        raise UserError(
            f"Graph refused the credentials: {exc}. Check the client id, the secret or certificate, and "
            "that the authority names the right tenant."
        ) from None
    except ForbiddenError as exc:
        raise UserError(f"Graph refused a read the snapshot needs: {exc}.") from None
    except GraphClientError as exc:
        raise UserError(
            f"Reading the tenant failed: {exc}. Nothing was written; run the snapshot again."
        ) from None

    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "users.jsonl", users)
    _write_jsonl(out / "groups.jsonl", groups)
    _write_jsonl(out / "domains.jsonl", domains)
    _write_json(out / "policies.json", policies)
    meta: dict[str, Any] = {
        "tenantId": tenant_id,
        "takenAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source or source_for(client.root),
    }
    if result.not_read:
        meta["notRead"] = result.not_read
    _write_json(out / "snapshot.json", meta)
    result.users, result.groups, result.domains = len(users), len(groups), len(domains)
    result.seconds = time.monotonic() - started
    result.counters = client.counters.as_dict()
    return result


# ---------------------------------------------------------------------------------------- scope
def _resolve_groups(client: GraphClient, name_or_id: str) -> list[dict[str, Any]]:
    """Every group whose id or displayName equals ``name_or_id`` (all of them united)."""
    found: dict[str, dict[str, Any]] = {}
    if _GUID.match(name_or_id):
        try:
            group = client.get(f"/groups/{name_or_id}", params={"$select": ",".join(GROUP_FIELDS)})
            found[group["id"]] = pick(group, GROUP_FIELDS)
        except NotFoundError:
            pass
    params = {"$filter": f"displayName eq {odata_string(name_or_id)}", **list_params(GROUP_FIELDS)}
    for group in client.paged("/groups", params=params):
        found.setdefault(group["id"], pick(group, GROUP_FIELDS))
    if not found:
        raise UserError(
            f"No group has the id or display name {name_or_id!r} in this tenant. "
            "Check the spelling (display names are exact) or give the group's object id."
        )
    return list(found.values())


def _scope_users(client: GraphClient, groups: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    users: dict[str, dict[str, Any]] = {}
    for group in groups:
        path = f"/groups/{quote(group['id'])}/transitiveMembers/microsoft.graph.user"
        for user in client.paged(path, params=list_params(USER_FIELDS), advanced=True):
            users.setdefault(user["id"], pick(user, USER_FIELDS))
    return list(users.values())


def _set_read_budget(client: GraphClient, read_budget: str | int, user_count: int) -> None:
    if client.read_budget is not None or read_budget == "off":
        return
    auto = int(tenant_read_quota(user_count) * READ_SHARE)
    per_10s = auto if read_budget == "auto" else int(read_budget)
    client.read_budget = TokenBucket(per_10s, 10.0)


# ---------------------------------------------------------------------------------------- methods
def _collect_methods(
    client: GraphClient,
    users: list[dict[str, Any]],
    console: Console,
    concurrency: int,
    result: SnapshotResult,
) -> None:
    failures: list[str] = []

    def run(chunk: list[dict[str, Any]]) -> int:
        requests: list[BatchRequest] = []
        for i, user in enumerate(chunk):
            base = f"/users/{quote(user['id'])}/authentication"
            requests.append(BatchRequest(f"m{i}", "GET", f"{base}/methods"))
            requests.append(BatchRequest(f"p{i}", "GET", f"{base}/signInPreferences"))
        try:
            answers = client.batch(requests, version="beta")
        except (AuthError, UnauthorizedError):
            raise
        except GraphClientError as exc:  # the whole envelope failed after retries
            for user in chunk:
                user["methodsError"] = f"not read: {exc}"[:500]
            return len(chunk)
        for i, user in enumerate(chunk):
            methods, prefs = answers[2 * i], answers[2 * i + 1]
            errors = []
            if methods.ok:
                try:
                    user["authenticationMethods"] = [
                        strip_annotations(m) for m in client.rest_of(methods.body or {})
                    ]
                except GraphClientError as exc:
                    errors.append(f"authentication methods: {exc}")
            else:
                errors.append(f"authentication methods: {_item_error(methods)}")
            if prefs.ok:
                user["signInPreferences"] = pick(prefs.body or {}, PREFERENCE_FIELDS)
            else:
                errors.append(f"signInPreferences: {_item_error(prefs)}")
            if errors:
                user["methodsError"] = "; ".join(errors)[:500]
                failures.append(user["id"])
        return len(chunk)

    with console.progress("Reading authentication methods", len(users)) as bar:
        run_chunks(run, chunks(users, USERS_PER_BATCH), concurrency, on_done=bar.advance)
    failed = sum(1 for u in users if "methodsError" in u)
    result.methods_errors = failed
    if failed and failed == len(users):
        sample = users[0]["methodsError"]
        if "403" in sample:
            raise UserError(
                f"Graph refused to read any user's authentication methods ({sample}). Grant the app "
                "UserAuthenticationMethod.Read.All with admin consent."
            )
    if failed:
        message = f"{failed} user(s) whose methods could not be read are marked with methodsError"
        result.warnings.append(message)
        console.warn(message)


def _item_error(answer: BatchResponse) -> str:
    try:
        answer.raise_for_status()
    except GraphClientError as exc:
        return str(exc)
    return f"status {answer.status}"


# ---------------------------------------------------------------------------------------- policies
def _collect_policies(client: GraphClient, console: Console, result: SnapshotResult) -> dict[str, Any]:
    policies: dict[str, Any] = {}
    try:
        policy = client.get("/policies/authenticationMethodsPolicy", version="beta")
        policies["authenticationMethodsPolicy"] = strip_context(policy)
        result.methods_policy = True
    except (ForbiddenError, NotFoundError) as exc:
        message = f"authentication methods policy not read ({exc}); the snapshot treats it as unknown"
        result.warnings.append(message)
        result.not_read["authenticationMethodsPolicy"] = f"Graph refused the read: {exc}"
        console.warn(message)
    try:
        rollout = []
        for item in client.paged("/policies/featureRolloutPolicies", headers=PREFER_ENUMS):
            full = client.get(
                f"/policies/featureRolloutPolicies/{quote(item['id'])}",
                params={"$expand": "appliesTo"},
                headers=PREFER_ENUMS,
            )
            rollout.append(_rollout_policy(full))
        policies["featureRolloutPolicies"] = rollout
        result.rollout_policies = len(rollout)
    except ForbiddenError as exc:
        # Graph does not grant staged rollout to app-only tokens; a delegated run (--device-code) can.
        message = (
            f"feature rollout policies not read ({exc}); Graph allows them only with a delegated token "
            "(run the snapshot with --device-code as a Hybrid Identity Administrator)"
        )
        result.warnings.append(message)
        result.not_read["featureRolloutPolicies"] = (
            f"Graph refused the read ({exc}); it allows Staged Rollout only to a delegated token "
            "(snapshot --device-code)"
        )
        console.warn(message)
    return policies


def _rollout_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy with ``appliesTo`` reduced to each group's ``@odata.type`` and ``id``."""
    out = strip_context(policy)
    out["appliesTo"] = [
        {k: a[k] for k in ("@odata.type", "id") if k in a}
        for a in policy.get("appliesTo") or []
        if isinstance(a, dict) and a.get("id")
    ]
    return out


def _prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory; give a directory for --out.")
    if (out / "snapshot.json").exists() and not force:
        raise UserError(f"{out} already holds a snapshot; give a new directory or --force to replace it.")


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    tmp.replace(path)


def _write_json(path: Path, doc: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
