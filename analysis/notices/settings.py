"""The ``[notices]`` section of the settings file: when each notice goes out and the helpdesk assumption.

Dates count back from the retirement date (``[retirement] date``): users must have acted
``deadline_days_before`` days before it (the *deadline*), and the Awareness, Action and Reminder notices
go out ``awareness_days``, ``action_days`` and ``reminder_days`` before the deadline. The helpdesk
forecast assumes that ``helpdesk_contact_rate`` of the users who must register a method contact the
helpdesk once, spread evenly over the days from the Action notice to the deadline: an assumption, so it
is a setting and every forecast states it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from analysis.errors import UserError
from analysis.simulate.settings import known_keys, whole_number

KEYS: tuple[str, ...] = (
    "deadline_days_before",
    "awareness_days",
    "action_days",
    "reminder_days",
    "helpdesk_contact_rate",
)
#: Days are bounded by a year: a campaign planned further ahead is a typo.
DAYS_RANGE = (0, 365)


@dataclass(frozen=True)
class NoticeSettings:
    """When notices go out (days before the deadline) and what share of users call the helpdesk."""

    deadline_days_before: int = 14
    awareness_days: int = 42
    action_days: int = 21
    reminder_days: int = 7
    helpdesk_contact_rate: float = 0.3

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> NoticeSettings:
        """Validate a ``[notices]`` table; missing keys take their defaults, errors name the key."""
        known_keys(data, "notices", KEYS, source)
        d = cls()
        where = f"in {source}"
        days = {k: whole_number(data, f"notices.{k}", getattr(d, k), DAYS_RANGE, where) for k in KEYS[:4]}
        if not days["awareness_days"] > days["action_days"] > days["reminder_days"]:
            raise UserError(
                f"settings keys 'notices.awareness_days' > 'notices.action_days' > 'notices.reminder_days' "
                f"{where}: the notices go out in that order before the deadline, but they are "
                f"{days['awareness_days']}, {days['action_days']} and {days['reminder_days']}"
            )
        rate = data.get("helpdesk_contact_rate", d.helpdesk_contact_rate)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise UserError(
                f"settings key 'notices.helpdesk_contact_rate' {where} must be a share from 0 to 1 "
                f"(0.3: three in ten users who must register a method contact the helpdesk), not {rate!r}"
            )
        return cls(**days, helpdesk_contact_rate=float(rate))

    def to_dict(self) -> dict[str, Any]:
        """The ``[notices]`` table; ``NoticeSettings.from_dict(n.to_dict(), ...) == n``."""
        return asdict(self)

    def deadline(self, retirement_date: dt.date) -> dt.date:
        """The day users must have acted by."""
        return retirement_date - dt.timedelta(days=self.deadline_days_before)

    def send_dates(self, retirement_date: dt.date) -> dict[str, dt.date]:
        """When each phase's notice goes out: ``{"awareness": ..., "action": ..., "reminder": ...}``."""
        deadline = self.deadline(retirement_date)
        return {
            "awareness": deadline - dt.timedelta(days=self.awareness_days),
            "action": deadline - dt.timedelta(days=self.action_days),
            "reminder": deadline - dt.timedelta(days=self.reminder_days),
        }
