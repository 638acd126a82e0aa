"""Reading users' live state from Graph in bulk: methods, sign-in preferences, hardware tokens.

Reads go in JSON ``$batch`` envelopes (two or three requests per user, up to 20 per envelope; beta, so
hardware OATH tokens are included). Reads change nothing, so the client retries them freely and they
are not journaled; what they found is recorded where it matters (before-images, resolutions,
verifications). A token the user does not hold yet is looked up in the inventory by serial number,
only when a decision needs it (an unknown create, a refused create, a rollback's delete).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from analysis.execute.livestate import LiveState
from analysis.graph.client import GraphClient
from analysis.graph.errors import (
    AuthError,
    ForbiddenError,
    GraphClientError,
    GraphUnreachable,
    Stopped,
    UnauthorizedError,
)
from analysis.graph.outcomes import Verdict
from analysis.graph.wire import BatchRequest

#: Failures a read must not swallow: they stop the whole run.
FATAL = (GraphUnreachable, Stopped, AuthError, UnauthorizedError, ForbiddenError)
INVENTORY = "/directory/authenticationMethodDevices/hardwareOathDevices"


@dataclass(frozen=True)
class Target:
    """Whom to read: ``hardware`` adds the user's tokens; ``lookups`` are serials to find in the inventory."""

    entra_id: str
    hardware: bool = False
    lookups: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return 3 if self.hardware else 2


@dataclass
class ReadResult:
    """One user's read: the state and the devices found (serial -> device, None = not in the inventory),
    or why not: ``missing`` (no such user), ``retry`` (throttled/unavailable: read again), ``denied``."""

    live: LiveState | None = None
    devices: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    error: str | None = None
    missing: bool = False
    retry: bool = False
    denied: bool = False
    raw_methods: list[dict[str, Any]] | None = None  # /authentication/methods as read (kept as latest state)


def chunks(targets: Sequence[Target], limit: int = 20) -> list[list[Target]]:
    """Targets packed so that each chunk's requests fit one ``$batch`` envelope."""
    out: list[list[Target]] = []
    current: list[Target] = []
    size = 0
    for target in targets:
        if current and size + target.size > limit:
            out.append(current)
            current, size = [], 0
        current.append(target)
        size += target.size
    if current:
        out.append(current)
    return out


def read_chunk(client: GraphClient, chunk: Sequence[Target]) -> dict[str, ReadResult]:
    """Read the users of one chunk (one ``$batch``, plus any inventory lookups)."""
    reqs = []
    for i, target in enumerate(chunk):
        base = f"/users/{quote(target.entra_id)}/authentication"
        reqs.append(BatchRequest(f"m{i}", "GET", f"{base}/methods"))
        reqs.append(BatchRequest(f"p{i}", "GET", f"{base}/signInPreferences"))
        if target.hardware:
            reqs.append(BatchRequest(f"h{i}", "GET", f"{base}/hardwareOathMethods?$expand=device"))
    try:
        answers = {a.id: a for a in client.batch(reqs, version="beta")}
    except FATAL:
        raise
    except GraphClientError as exc:
        return {t.entra_id: ReadResult(error=str(exc)[:300], retry=True) for t in chunk}
    out: dict[str, ReadResult] = {}
    for i, target in enumerate(chunk):
        methods, prefs, hw = answers[f"m{i}"], answers[f"p{i}"], answers.get(f"h{i}")
        if methods.status == 404:
            out[target.entra_id] = ReadResult(missing=True, error="the Entra user no longer exists")
            continue
        bad = next((a for a in (methods, prefs, hw) if a is not None and not a.ok), None)
        if bad is not None:
            out[target.entra_id] = ReadResult(
                error=f"status {bad.status}: {json.dumps(bad.body)[:200]}",
                retry=bad.verdict is Verdict.RETRY,
                denied=bad.verdict is Verdict.DENIED,
            )
            continue
        try:
            items = client.rest_of(methods.body or {})
            hardware = list((hw.body or {}).get("value", [])) if hw is not None else []
            result = ReadResult(
                live=LiveState.from_graph(items, prefs.body or {}, hardware), raw_methods=list(items)
            )
            for method in hardware:
                device = method.get("device") or {}
                if device.get("serialNumber"):
                    result.devices[str(device["serialNumber"])] = dict(device)
            for serial in target.lookups:
                if result.devices.get(serial) is None:
                    result.devices[serial] = find_device(client, serial)
        except FATAL:
            raise
        except GraphClientError as exc:
            result = ReadResult(error=str(exc)[:300], retry=True)
        out[target.entra_id] = result
    return out


def read_users(
    client: GraphClient, targets: Sequence[Target], *, concurrency: int = 4
) -> dict[str, ReadResult]:
    """Read many users, ``concurrency`` envelopes at a time (verification)."""
    results: dict[str, ReadResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="graph-read") as pool:
        for part in pool.map(lambda chunk: read_chunk(client, chunk), chunks(targets)):
            results.update(part)
    return results


def find_device(client: GraphClient, serial: str) -> dict[str, Any] | None:
    """The hardware OATH inventory device with this serial number, or None.

    Sends a ``$filter`` (Graph may honour it) and still checks every item of every page, so the answer
    is right whether or not the service filtered. Used only on rare paths, never once per user.
    """
    params = {"$filter": "serialNumber eq '" + serial.replace("'", "''") + "'"}
    for device in client.paged(INVENTORY, version="beta", params=params):
        if str(device.get("serialNumber")) == serial:
            return dict(device)
    return None
