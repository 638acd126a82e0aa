"""JSON batching: ``POST /$batch`` with up to 20 requests (reference/graph-api.md §2.4).

The envelope is checked first (400 for more than 20 requests, duplicate ids — compared
case-insensitively — unknown ``dependsOn`` ids, a body without a ``Content-Type`` header, or a cycle);
then every item runs through :meth:`Emulator.dispatch` exactly like a request of its own, with the
outer request's token. Items run in order, a ``dependsOn`` item after what it depends on; an item whose
dependency failed (status >= 400) is not run and answers 424. Each item is charged separately against
the write budget, so a throttled item answers 429 with its own ``Retry-After`` header while the batch
answers 200.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from analysis.graph.emulator.common import body_object
from analysis.graph.emulator.core import ODATA_JSON
from analysis.graph.emulator.errors import BAD_REQUEST, FAILED_DEPENDENCY, GraphError, error_body
from analysis.graph.emulator.router import Call, Resp, route

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

MAX_REQUESTS = 20
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def _validate(body: dict[str, Any]) -> list[dict[str, Any]]:
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise GraphError(
            400, BAD_REQUEST, "Invalid batch payload format: 'requests' must be a non-empty array."
        )
    if len(requests) > MAX_REQUESTS:
        raise GraphError(400, BAD_REQUEST, f"Number of batch requests exceeds the limit of {MAX_REQUESTS}.")
    seen: set[str] = set()
    for item in requests:
        if not isinstance(item, dict):
            raise GraphError(
                400, BAD_REQUEST, "Invalid batch payload format: every request must be an object."
            )
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            raise GraphError(
                400, BAD_REQUEST, "Invalid batch payload format: every request needs a string 'id'."
            )
        if item_id.lower() in seen:
            raise GraphError(400, BAD_REQUEST, f"Batch request contains duplicate request id '{item_id}'.")
        seen.add(item_id.lower())
        if str(item.get("method", "")).upper() not in METHODS:
            raise GraphError(400, BAD_REQUEST, f"Request id '{item_id}' has an invalid or missing 'method'.")
        if not isinstance(item.get("url"), str) or not item["url"]:
            raise GraphError(400, BAD_REQUEST, f"Request id '{item_id}' has no 'url'.")
        headers = item.get("headers") or {}
        if not isinstance(headers, dict):
            raise GraphError(400, BAD_REQUEST, f"Request id '{item_id}': 'headers' must be an object.")
        if "body" in item and not any(key.lower() == "content-type" for key in headers):
            raise GraphError(
                400,
                BAD_REQUEST,
                f"Write request id : {item_id} does not contain Content-Type header or body.",
            )
    for item in requests:
        depends = item.get("dependsOn") or []
        if not isinstance(depends, list) or any(str(dep).lower() not in seen for dep in depends):
            raise GraphError(
                400,
                BAD_REQUEST,
                f"Request id '{item['id']}' depends on a request id that is not in the batch.",
            )
    return requests


def _order(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items in sent order, each moved after what it depends on; 400 on a cycle."""
    by_id = {item["id"].lower(): item for item in requests}
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []

    def visit(item: dict[str, Any], trail: set[str]) -> None:
        key = item["id"].lower()
        if key in done:
            return
        if key in trail:
            raise GraphError(400, BAD_REQUEST, "Batch request dependencies contain a cycle.")
        for dep in item.get("dependsOn") or []:
            visit(by_id[str(dep).lower()], trail | {key})
        done.add(key)
        ordered.append(item)

    for item in requests:
        visit(item, set())
    return ordered


def _inner_call(outer: Call, item: dict[str, Any]) -> Call:
    url = item["url"]
    parts = urlsplit(url if url.startswith("/") else "/" + url)
    headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
    return Call(
        method=str(item["method"]).upper(),
        version=outer.version,
        path=unquote(parts.path),
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=item.get("body"),
        claims=outer.claims,
        request_id=str(uuid.uuid4()),
        client_request_id=headers.get("client-request-id", outer.client_request_id),
        in_batch=True,
    )


def _item_response(item_id: str, resp: Resp) -> dict[str, Any]:
    headers = {k: v for k, v in resp.headers.items() if k.lower() not in ("request-id", "client-request-id")}
    out: dict[str, Any] = {"id": item_id, "status": resp.status}
    if resp.body is not None:
        headers.setdefault("Content-Type", ODATA_JSON if resp.status < 400 else "application/json")
        out["body"] = resp.body
    headers.setdefault("Cache-Control", "no-cache")
    out["headers"] = headers
    return out


@route("POST", "/$batch", None)
def batch(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    requests = _validate(body_object(call))
    ordered = _order(requests)
    statuses: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    for item in ordered:
        key = item["id"].lower()
        failed = [dep for dep in item.get("dependsOn") or [] if statuses.get(str(dep).lower(), 0) >= 400]
        if failed:
            inner = _inner_call(call, item)
            resp = Resp(
                424,
                error_body(
                    FAILED_DEPENDENCY,
                    "The request was not run because a request it depends on failed.",
                    inner.request_id,
                    inner.client_request_id,
                ),
            )
            emu.stats.bump("batch_items")
        elif str(item["url"]).lstrip("/").lower().startswith("$batch"):
            inner = _inner_call(call, item)
            resp = emu.error_response(
                GraphError(400, BAD_REQUEST, "Nested $batch requests are not supported."), inner
            )
        else:
            resp = emu.dispatch(_inner_call(call, item))
        statuses[key] = resp.status
        responses.append(_item_response(item["id"], resp))
    return Resp(200, {"responses": responses})
