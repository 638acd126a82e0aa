"""The baseline of benchmarks/retirement.py: tiers and progress computed user by user in plain Python.

:meth:`Sample.read` reads every ``scale``-th counted user's rows (plan, Entra methods, history) in bulk;
:func:`python_tiers` and :func:`python_progress` then loop over the users the straightforward way.
Only the loops are timed (the reads are not: a filtered read of a sample costs a full scan, which would
flatter the SQL), so the extrapolated baseline is the least a per-user Python implementation needs.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb

PHONE_DEFAULTS = {"sms", "voiceMobile", "voiceAlternateMobile", "voiceOffice"}
PHONE_BITS = {"mobile": 1, "alternateMobile": 2, "office": 4}
KIND_BITS = {"authenticator": 8, "software_oath": 16, "hardware_oath": 32, "fido2": 128, "windows_hello": 256}
WRITE_BITS = {"write_mobile": 1, "write_mobile_drop_extension": 1, "write_alternate": 2, "write_office": 4,
              "create_hardware_oath": 32}  # fmt: skip


@dataclass
class Sample:
    users: int
    scale: float
    allowed: int
    entra_of: dict[int, str] = field(default_factory=dict)  # counted, matched users -> Entra id
    plan: dict[int, list[tuple[str, str, str, Any]]] = field(default_factory=lambda: defaultdict(list))
    preferred: dict[str, tuple[str | None, bool]] = field(default_factory=dict)  # id -> (default, read)
    methods: dict[str, list[tuple[str, str | None]]] = field(default_factory=lambda: defaultdict(list))
    states: dict[str, list[tuple[Any, int | None, bool]]] = field(default_factory=lambda: defaultdict(list))
    points: list[Any] = field(default_factory=list)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, size: int) -> Sample:
        ((total,),) = con.execute("SELECT count(*) FROM plan WHERE item = 'user'").fetchall()
        every = max(1, total // size)
        ((allowed,),) = con.execute("SELECT policy_allowed_bits()").fetchall()
        s = cls(0, 0.0, int(allowed))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE bench_sample AS SELECT user_id, entra_id FROM plan "
            "WHERE item = 'user' AND user_id % $e = 0 AND entra_id IS NOT NULL "
            "AND action NOT IN ('user_disabled', 'unmatched', 'ambiguous')",
            {"e": every},
        )
        s.entra_of = {int(u): str(e) for u, e in con.execute("FROM bench_sample").fetchall()}
        s.users, s.scale = len(s.entra_of), total / max(1, len(s.entra_of))
        for u, item, action, writable, value in con.execute(
            "SELECT user_id, item, action, writable, value FROM plan WHERE item <> 'user' "
            "AND user_id IN (SELECT user_id FROM bench_sample)"
        ).fetchall():
            s.plan[int(u)].append((item, action, writable, value))
        for e, pref, err in con.execute(
            "SELECT id, preferred_method, methods_error FROM entra_users "
            "WHERE id IN (SELECT entra_id FROM bench_sample)"
        ).fetchall():
            s.preferred[e] = (pref or None, not err)
        for e, kind, ptype in con.execute(
            "SELECT user_id, kind, phone_type FROM entra_methods "
            "WHERE user_id IN (SELECT entra_id FROM bench_sample)"
        ).fetchall():
            s.methods[e].append((kind, ptype))
        for e, at, bits, dp in con.execute(
            "SELECT i.entra_id, s.observed_at, s.bits, s.default_phone FROM progress_states s "
            "JOIN progress_ids i USING (key) WHERE i.entra_id IN (SELECT entra_id FROM bench_sample) "
            "ORDER BY 2"
        ).fetchall():
            s.states[e].append((at, bits, bool(dp)))
        s.points = [
            at
            for (at,) in con.execute("SELECT DISTINCT observed_at FROM progress_points ORDER BY 1").fetchall()
        ]
        con.execute("DROP TABLE bench_sample")
        return s


def _writes(rows: list[tuple[str, str, str, Any]]) -> tuple[int, bool, str | None]:
    bits, unknown, default = 0, False, None
    for item, action, writable, value in rows:
        if writable == "graph":
            bits |= WRITE_BITS.get(action, 0)
        unknown = unknown or action == "unknown"
        if item == "default_method" and action in ("set_default", "set_default_fallback") and default is None:
            default = value
    return bits, unknown, default


def tier(
    bits: int | None, writes: tuple[int, bool, str | None], default_phone: bool, allowed: int
) -> str | None:
    """The tier rule of users_after_plan, in Python (Microsoft delivery: phones stop on the date)."""
    if bits is None:
        return None
    plan_bits, unknown, default_set = writes
    usable = (bits | plan_bits) & allowed
    phone_default = (default_set in PHONE_DEFAULTS) if default_set is not None else default_phone
    if usable & 440 == 0:
        return None if unknown else "P1"
    if phone_default or usable & 440 == 0:
        return "P2"
    return "P3"


def python_tiers(s: Sample) -> tuple[dict[int, str | None], float]:
    """Each sampled user's tier from the latest Entra state; (tiers, seconds of the loop)."""
    start = time.perf_counter()
    out: dict[int, str | None] = {}
    for user, entra in s.entra_of.items():
        pref, read = s.preferred.get(entra, (None, False))
        bits = None
        if read:
            bits = 0
            for kind, ptype in s.methods.get(entra, []):
                bits |= PHONE_BITS.get(ptype or "", 0) if kind == "phone" else KIND_BITS.get(kind, 0)
        out[user] = tier(bits, _writes(s.plan.get(user, [])), pref in PHONE_DEFAULTS, s.allowed)
    return out, time.perf_counter() - start


def python_progress(s: Sample) -> tuple[dict[int, str | None], float]:
    """Each sampled user's state at every observation (last change at or before it), their tier then,
    and what they registered since the first; (tier at the latest observation, seconds of the loop)."""
    start = time.perf_counter()
    latest: dict[int, str | None] = {}
    per_point: dict[Any, dict[str | None, int]] = {p: defaultdict(int) for p in s.points}
    for user, entra in s.entra_of.items():
        rows = s.states.get(entra, [])
        times = [r[0] for r in rows]
        writes = _writes(s.plan.get(user, []))
        first_bits = None
        for n, point in enumerate(s.points):
            i = bisect.bisect_right(times, point) - 1
            bits, dp = (rows[i][1], rows[i][2]) if i >= 0 else (None, False)
            if n == 0:
                first_bits = bits
            t = tier(bits, writes, dp, s.allowed)
            per_point[point][t] += 1
            if bits is not None and first_bits is not None and bits & ~first_bits & 152:
                per_point[point]["registered"] += 1
            latest[user] = t
    return latest, time.perf_counter() - start
