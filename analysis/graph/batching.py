"""JSON ``$batch``: up to 20 requests per envelope, items resent by the shared verdict, answers kept.

An item whose answer :func:`~analysis.graph.outcomes.classify` calls ``retry`` is resent in a new
envelope after the longest Retry-After; every other answer is final. If a resend fails, the answers
already in hand stand: a resend that never left was not applied, one whose answer was lost may have
been (its items come back with no answer, for the caller to re-read).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analysis.graph.errors import GraphClientError, Stopped, UnknownOutcome
from analysis.graph.outcomes import IDEMPOTENT, NO_ANSWER, Verdict
from analysis.graph.ratelimit import resource_units
from analysis.graph.wire import BatchRequest, BatchResponse, pack, parse_retry_after, query_of

if TYPE_CHECKING:
    from analysis.graph.client import GraphClient

log = logging.getLogger("analysis.graph.client")


def send_batch(client: GraphClient, requests: Sequence[BatchRequest], version: str) -> list[BatchResponse]:
    """Send requests through JSON ``$batch`` and return one final response per request, in order.

    Requests are packed into envelopes of at most 20, keeping every ``depends_on`` chain in one
    envelope. Items whose answer :func:`classify` calls ``retry`` (429, 503; a 5xx to a read) are
    resent in a new envelope after the longest Retry-After, together with the items that failed
    with 424 only because they depended on them; dependencies already satisfied are dropped from
    the resent items. Other item failures are returned as they are (check :attr:`BatchResponse.ok`
    or call ``raise_for_status``).
    A lost answer to an envelope holding writes raises :class:`UnknownOutcome` for the whole envelope.
    """
    seen: set[str] = set()
    for r in requests:
        key = r.id.lower()
        if key in seen:
            raise ValueError(f"duplicate batch request id {r.id!r}")
        seen.add(key)
    ids = {r.id for r in requests}
    for r in requests:
        missing = [d for d in r.depends_on if d not in ids]
        if missing:
            raise ValueError(f"batch request {r.id!r} depends on unknown ids {missing}")
    results: dict[str, BatchResponse] = {}
    for chunk in pack(requests):
        results.update(_envelope(client, chunk, version))
    return [results[r.id] for r in requests]


def _envelope(client: GraphClient, chunk: list[BatchRequest], version: str) -> dict[str, BatchResponse]:
    final: dict[str, BatchResponse] = {}
    last: dict[str, BatchResponse] = {}  # the previous answer of each item being resent
    pending = list(chunk)
    by_id = {r.id: r for r in chunk}
    attempt = 0
    while pending:
        attempt += 1
        pending_ids = {r.id for r in pending}
        payload = {"requests": [r.to_json(pending_ids.__contains__) for r in pending]}
        writes = sum(1 for r in pending if r.method.upper() != "GET")
        units = sum(resource_units(r.method, r.url, query_of(r.url)) for r in pending)
        all_idempotent = all(r.method.upper() in IDEMPOTENT for r in pending)
        try:
            response = client._send(
                "POST",
                "/$batch",
                version=version,
                json=payload,
                idempotent=all_idempotent,
                writes=writes,
                read_units=units,
                batch_ids=tuple(r.id for r in pending),
            )
        except GraphClientError as exc:
            if attempt == 1:
                raise
            # A resend failed: the answers of the first envelope(s) stand. A resend whose answer was
            # lost may have applied its items (no answer: re-read); one that never left did not.
            lost = isinstance(exc, UnknownOutcome)
            for r in pending:
                final[r.id] = (
                    BatchResponse(r.id, r.method.upper(), r.url, NO_ANSWER, {}, None) if lost else last[r.id]
                )
            return final
        client.counters.add(batch_items=len(pending))
        answers: dict[str, BatchResponse] = {}
        for item in (response.body or {}).get("responses", []):
            rid = str(item.get("id"))
            if rid not in by_id:
                continue
            req = by_id[rid]
            answers[rid] = BatchResponse(
                rid,
                req.method.upper(),
                req.url,
                int(item.get("status", 0)),
                {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()},
                item.get("body"),
            )
        retry: dict[str, float | None] = {}
        for req in pending:
            answer = answers.get(req.id)
            if answer is None:
                raise GraphClientError(f"$batch answer has no response for item {req.id!r}")
            if answer.status == 429:
                client.counters.add(throttled=1)
            elif answer.status >= 500:
                client.counters.add(server_errors=1)
            if answer.verdict is Verdict.RETRY:
                retry[req.id] = parse_retry_after(answer.headers.get("retry-after"))
        # 424s whose failed dependency is being retried are retried with it (transitively).
        changed = True
        while changed:
            changed = False
            for req in pending:
                if (
                    req.id not in retry
                    and answers[req.id].status == 424
                    and any(d in retry for d in req.depends_on)
                ):
                    retry[req.id] = None
                    changed = True
        for req in pending:
            if req.id not in retry or attempt >= client.retry.max_attempts:
                final[req.id] = answers[req.id]
        if not retry or attempt >= client.retry.max_attempts:
            return final
        waits = [w for w in retry.values() if w is not None]
        wait = max(waits) if waits else client.retry.backoff(attempt, client._rng)
        if wait > client.retry.max_retry_after:
            final.update({rid: answers[rid] for rid in retry})
            return final
        if waits:
            wait += client._rng.uniform(0, min(1.0, wait * 0.1))
            client._pause(wait)
        log.info("$batch: %d item(s) throttled or unavailable; resending in %.2fs", len(retry), wait)
        client.counters.add(retries=len(retry))
        last = answers
        try:
            client._sleep(wait)
        except Stopped:  # stopping: what was answered stands, the rest was not applied
            final.update({rid: answers[rid] for rid in retry})
            return final
        pending = [r for r in pending if r.id in retry]
    return final
