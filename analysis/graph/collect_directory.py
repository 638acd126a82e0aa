"""Directory objects of a snapshot (groups with their direct members, domains with their federation
configuration) and the read helpers the collector shares: selected properties in a fixed order,
annotations dropped, work split into ``$batch``-sized chunks run on a thread pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import quote

from analysis.graph.client import BatchRequest, GraphClient
from analysis.graph.constants import GROUP_TYPE, USER_TYPE
from analysis.graph.errors import NotFoundError

GROUP_FIELDS = (
    "id",
    "displayName",
    "description",
    "groupTypes",
    "membershipRule",
    "membershipRuleProcessingState",
    "securityEnabled",
    "mailEnabled",
)
DOMAIN_FIELDS = ("id", "authenticationType", "isVerified", "isDefault", "isInitial", "supportedServices")


# ---------------------------------------------------------------------------------------- groups
def collect_groups(
    client: GraphClient, scope_groups: Sequence[dict[str, Any]], concurrency: int
) -> list[dict[str, Any]]:
    """Groups with their direct members: all groups, or the scope groups plus everything nested in them."""
    if not scope_groups:
        groups = {
            g["id"]: pick(g, GROUP_FIELDS) for g in client.paged("/groups", params=list_params(GROUP_FIELDS))
        }
        fill_members(client, list(groups.values()), concurrency)
        return list(groups.values())
    done: dict[str, dict[str, Any]] = {}
    todo = [dict(g) for g in scope_groups]
    while todo:
        fill_members(client, todo, concurrency)
        for group in todo:
            done[group["id"]] = group
        nested: dict[str, dict[str, Any]] = {}
        for group in todo:
            for member in group["members"]:
                if member.get("@odata.type") == GROUP_TYPE and member["id"] not in done:
                    nested.setdefault(member["id"], {"id": member["id"]})
        todo = []
        for group_id in nested:
            try:
                group = client.get(f"/groups/{quote(group_id)}", params={"$select": ",".join(GROUP_FIELDS)})
            except NotFoundError:
                continue  # removed while we read; its members were already counted transitively
            todo.append(pick(group, GROUP_FIELDS))
    return list(done.values())


def fill_members(client: GraphClient, groups: list[dict[str, Any]], concurrency: int) -> None:
    params = "?$select=id&$top=999"

    def run(chunk: list[dict[str, Any]]) -> None:
        requests = [
            BatchRequest(str(i), "GET", f"/groups/{quote(g['id'])}/members{params}")
            for i, g in enumerate(chunk)
        ]
        for group, answer in zip(chunk, client.batch(requests), strict=True):
            if answer.status == 404:  # deleted while we read
                group["members"] = []
                continue
            answer.raise_for_status()
            items = client.rest_of(answer.body or {})
            group["members"] = [_member(m) for m in items]

    run_chunks(run, chunks(groups, 20), concurrency)


def _member(item: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.type": item.get("@odata.type", USER_TYPE), "id": item["id"]}


# ---------------------------------------------------------------------------------------- domains
def collect_domains(client: GraphClient) -> list[dict[str, Any]]:
    domains = [
        pick(d, DOMAIN_FIELDS) for d in client.paged("/domains", params={"$select": ",".join(DOMAIN_FIELDS)})
    ]
    for chunk in chunks(domains, 20):
        requests = [
            BatchRequest(str(i), "GET", f"/domains/{quote(d['id'])}/federationConfiguration")
            for i, d in enumerate(chunk)
        ]
        for domain, answer in zip(chunk, client.batch(requests), strict=True):
            if answer.status == 404:
                domain["federationConfiguration"] = []
                continue
            answer.raise_for_status()
            domain["federationConfiguration"] = [strip_context(f) for f in client.rest_of(answer.body or {})]
    return domains


# ---------------------------------------------------------------------------------------- helpers
def list_params(fields: Sequence[str]) -> dict[str, str]:
    return {"$select": ",".join(fields), "$top": "999"}


def pick(obj: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The listed properties, in the listed order (absent ones as null, as Graph returns them)."""
    return {name: obj.get(name) for name in fields}


def strip_context(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "@odata.context" and not k.startswith("@microsoft.graph.")}


def strip_annotations(obj: dict[str, Any]) -> dict[str, Any]:
    """Keep ``@odata.type`` (the method's kind); drop context and tips annotations."""
    return {k: v for k, v in obj.items() if not k.startswith("@") or k == "@odata.type"}


def chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def run_chunks(fn: Any, chunks: Iterable[Any], concurrency: int, on_done: Any = None) -> None:
    """Run ``fn`` over chunks on a thread pool; the first exception cancels the rest and propagates."""
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="snapshot") as pool:
        futures = [pool.submit(fn, chunk) for chunk in chunks]
        try:
            for future in as_completed(futures):
                done = future.result()
                if on_done is not None and isinstance(done, int):
                    on_done(done)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
