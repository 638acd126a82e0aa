"""Faults on demand, deterministic with a seed: the failures a Graph client must survive.

Spec: comma-separated ``key=value``::

    503=RATE            answer 503 serviceNotAvailable without touching state
    504=RATE            answer 504 GatewayTimeout without touching state
    429=RATE[:SECONDS]  answer 429 with Retry-After SECONDS (default 0.5) without touching state
    drop=RATE           close the connection before the request is processed (nothing applied)
    dropafter=RATE      process the request (a write IS applied), then close the connection without
                        an answer: the "unknown outcome" a writer must resolve by re-reading
    slow=RATE:SECONDS   delay the response by SECONDS (independent of the others)
    only=writes|reads|all   which requests faults apply to (default all; a $batch is a write if any
                        item is)
    seed=N              RNG seed (default 0)

Each Graph request (not the token endpoint, not admin routes) draws twice from one seeded RNG: one
draw picks at most one of 503/504/429/drop/dropafter (their rates must add up to at most 1), one
decides ``slow``. The sequence of decisions is therefore fixed by the seed and the arrival order.
A fault never applies part of a request: ``dropafter`` applies all of it (every item of a batch) and
only then drops the answer.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from analysis.errors import UserError

EXCLUSIVE = ("503", "504", "429", "drop", "dropafter")


@dataclass(frozen=True)
class Decision:
    kind: str | None = None
    slow: float = 0.0
    retry_after: float = 0.0


@dataclass
class FaultSpec:
    rates: dict[str, float] = field(default_factory=dict)
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    retry_after: float = 0.5
    only: str = "all"
    seed: int = 0
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.slow_rate or any(self.rates.values()))


def _rate(key: str, value: str, spec: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise UserError(f"--faults {spec!r}: {key} needs a rate between 0 and 1, got {value!r}.")
    return rate


def parse_faults(text: str) -> FaultSpec:
    spec = FaultSpec(text=text)
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep:
            raise UserError(f"--faults {text!r}: {part!r} is not key=value (e.g. 503=0.05,seed=1).")
        if key in ("503", "504", "drop", "dropafter"):
            spec.rates[key] = _rate(key, value, text)
        elif key == "429":
            rate, _, seconds = value.partition(":")
            spec.rates[key] = _rate(key, rate, text)
            if seconds:
                try:
                    spec.retry_after = float(seconds)
                except ValueError as exc:
                    raise UserError(f"--faults {text!r}: 429 seconds must be a number.") from exc
        elif key == "slow":
            rate, _, seconds = value.partition(":")
            spec.slow_rate = _rate(key, rate, text)
            try:
                spec.slow_seconds = float(seconds or "1")
            except ValueError as exc:
                raise UserError(f"--faults {text!r}: slow=RATE:SECONDS needs a number of seconds.") from exc
        elif key == "only":
            if value not in ("writes", "reads", "all"):
                raise UserError(f"--faults {text!r}: only= must be writes, reads or all.")
            spec.only = value
        elif key == "seed":
            try:
                spec.seed = int(value)
            except ValueError as exc:
                raise UserError(f"--faults {text!r}: seed must be an integer.") from exc
        else:
            raise UserError(
                f"--faults {text!r}: unknown key {key!r}; "
                "use 503, 504, 429, drop, dropafter, slow, only, seed."
            )
    if sum(spec.rates.values()) > 1.0 + 1e-9:
        raise UserError(
            f"--faults {text!r}: the rates of 503, 504, 429, drop and dropafter add up to more than 1."
        )
    return spec


class FaultInjector:
    def __init__(self, spec: FaultSpec) -> None:
        self._lock = threading.Lock()
        self.configure(spec)

    def configure(self, spec: FaultSpec) -> None:
        with self._lock:
            self.spec = spec
            self._rng = random.Random(spec.seed)

    def decide(self, is_write: bool) -> Decision:
        with self._lock:
            spec = self.spec
            if not spec.active:
                return Decision()
            if (spec.only == "writes" and not is_write) or (spec.only == "reads" and is_write):
                return Decision()
            pick, slow_draw = self._rng.random(), self._rng.random()
        kind = None
        edge = 0.0
        for name in EXCLUSIVE:
            edge += spec.rates.get(name, 0.0)
            if pick < edge:
                kind = name
                break
        slow = spec.slow_seconds if slow_draw < spec.slow_rate else 0.0
        return Decision(kind, slow, spec.retry_after if kind == "429" else 0.0)
