"""The ``[retirement]`` section of the settings file: the day Microsoft stops delivering phone codes.

On ``date`` (default 2027-02-01) Microsoft stops delivering SMS and voice codes unless the tenant brings
its own telecom provider (``phone_delivery = "own_provider"``, which makes the retirement change
nothing). Readiness warns about users left with phones only, more urgently once today is within
``warn_days`` of the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from analysis.errors import UserError
from analysis.simulate.settings import known_keys, whole_number

PHONE_DELIVERIES: tuple[str, ...] = ("microsoft", "own_provider")
KEYS: tuple[str, ...] = ("date", "phone_delivery", "warn_days")
#: Bounds for ``warn_days``: up to ten years ahead is a plausible planning horizon, more is a typo.
WARN_DAYS_RANGE = (0, 3650)


@dataclass(frozen=True)
class Retirement:
    """When phone codes stop, whether that affects this tenant, and how early to warn."""

    date: dt.date = dt.date(2027, 2, 1)
    phone_delivery: str = "microsoft"
    warn_days: int = 60

    @property
    def phones_stop(self) -> bool:
        """Whether phone methods become unusable on :attr:`date` (Microsoft delivers this tenant's codes)."""
        return self.phone_delivery == "microsoft"

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> Retirement:
        """Validate a ``[retirement]`` table; missing keys take their defaults, errors name the key."""
        known_keys(data, "retirement", KEYS, source)
        d = cls()
        date = data.get("date", d.date)
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date.strip())
            except ValueError:
                date = None
        if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
            raise UserError(
                f"settings key 'retirement.date' in {source} must be a date like 2027-02-01, "
                f"not {data['date']!r}"
            )
        delivery = data.get("phone_delivery", d.phone_delivery)
        if delivery not in PHONE_DELIVERIES:
            raise UserError(
                f"settings key 'retirement.phone_delivery' in {source} has {delivery!r}; allowed: "
                + ", ".join(PHONE_DELIVERIES)
            )
        warn = whole_number(data, "retirement.warn_days", d.warn_days, WARN_DAYS_RANGE, f"in {source}")
        return cls(date=date, phone_delivery=delivery, warn_days=warn)

    def to_dict(self) -> dict[str, Any]:
        """The ``[retirement]`` table; ``Retirement.from_dict(r.to_dict(), ...) == r``."""
        return {"date": self.date, "phone_delivery": self.phone_delivery, "warn_days": self.warn_days}
