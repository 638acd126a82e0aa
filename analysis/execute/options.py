"""The ``[execute]`` section of a settings file: how a batch is carried out.

The options are frozen into a batch when it is created and are part of what its approval covers
(:func:`approval_fingerprint`): changing how devices are handed off, or whether Temporary Access Passes
are issued, after a change board approved a batch voids the approval like a change of plan.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from analysis.errors import UserError
from analysis.simulate.settings import Settings, known_keys

HANDOFFS = ("group", "reregister", "none")


@dataclass(frozen=True)
class ExecOptions:
    """The ``[execute]`` section: how a batch is carried out (who may approve it is the workspace
    policy's, :mod:`analysis.execute.policy`).

    ``handoff``: what to do for users with devices / software OATH that only Microsoft's utility can
    create: ``group`` adds them to ``migration_group`` (the utility's migration group, by id or
    display name), ``reregister`` flags them for re-registration (optionally issuing a Temporary
    Access Pass), ``none`` only reports them. ``tap_usable_once``: passes are one-time (a tenant whose
    TAP policy allows one-time passes only needs it); ``tap_start``: when they become usable (a campaign
    announced for a day), empty for "when issued".

    ``campaign`` is not a settings key: ``batch create --campaign`` sets it. A campaign batch writes
    nothing of the plan; it issues each user a Temporary Access Pass to register a new method (the
    re-registration campaign before the phone retirement date), after adding them to
    ``campaign_group`` (a communication group, by id or display name) when one is set.
    """

    handoff: str = "none"
    migration_group: str = ""
    tap: bool = False
    tap_lifetime_minutes: int = 480
    tap_usable_once: bool = False
    tap_start: str = ""  # when passes become usable (ISO 8601, UTC); empty: when issued
    campaign_group: str = ""  # a campaign adds its users to this group first; empty: no group
    campaign: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> ExecOptions:
        known = {f for f in cls.__dataclass_fields__} - {"campaign"}
        if "require_distinct_approver" in data:
            # The four-eyes rule is the workspace's, so the batch being approved cannot switch it off.
            raise UserError(
                f"settings key 'execute.require_distinct_approver' in {source} is no longer a batch setting: "
                "the four-eyes rule is a workspace policy. Remove the key; `mfa-migrate policy show` shows "
                "the rule and `mfa-migrate policy set four_eyes on|off` changes it (recorded with who did)"
            )
        known_keys(data, "execute", known, source)
        d = cls()
        handoff = data.get("handoff", d.handoff)
        if handoff not in HANDOFFS:
            raise UserError(
                f"settings key 'execute.handoff' in {source} has {handoff!r}; allowed: {', '.join(HANDOFFS)}"
            )
        group = data.get("migration_group", d.migration_group)
        if not isinstance(group, str):
            raise UserError(f"settings key 'execute.migration_group' in {source} must be a group name or id")
        campaign_group = data.get("campaign_group", d.campaign_group)
        if not isinstance(campaign_group, str):
            raise UserError(
                f"settings key 'execute.campaign_group' in {source} must be a group name or id (or \"\")"
            )
        if handoff == "group" and not group.strip():
            raise UserError(
                f"settings key 'execute.handoff' in {source} is \"group\" but 'execute.migration_group' "
                "is empty; name the Migration Utility's migration group (display name or id)"
            )
        for key in ("tap", "tap_usable_once"):
            if not isinstance(data.get(key, getattr(d, key)), bool):
                raise UserError(f"settings key 'execute.{key}' in {source} must be true or false")
        lifetime = data.get("tap_lifetime_minutes", d.tap_lifetime_minutes)
        if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 10 <= lifetime <= 43200:
            raise UserError(
                f"settings key 'execute.tap_lifetime_minutes' in {source} must be a whole number of "
                "minutes from 10 to 43200 (Graph's range)"
            )
        start = data.get("tap_start", d.tap_start)
        if not isinstance(start, str) or (start.strip() and tap_start_time(start) is None):
            raise UserError(
                f"settings key 'execute.tap_start' in {source} must be a date and time like "
                f'"2027-01-11T08:00:00Z" (UTC when no offset is given), not {start!r}'
            )
        return cls(
            handoff=handoff,
            migration_group=group.strip(),
            tap=data.get("tap", d.tap),
            tap_lifetime_minutes=lifetime,
            tap_usable_once=data.get("tap_usable_once", d.tap_usable_once),
            tap_start=start.strip(),
            campaign_group=campaign_group.strip(),
        )

    def settings_keys(self) -> dict[str, Any]:
        """The ``[execute]`` keys (everything but ``campaign``, which only ``batch create`` sets)."""
        return {k: v for k, v in asdict(self).items() if k != "campaign"}

    def to_json(self) -> str:
        # The approval rule used to be a batch option and was part of every batch's fingerprint; keeping
        # its old default here keeps the plan hashes of existing batches unchanged. It decides nothing.
        # Options added later appear only when set, for the same reason.
        added = ("tap_usable_once", "tap_start", "campaign_group", "campaign")
        later = {k for k, v in asdict(self).items() if k in added and not v}
        shown = {k: v for k, v in asdict(self).items() if k not in later}
        return json.dumps({**shown, "require_distinct_approver": True}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ExecOptions:
        stored = json.loads(text)
        # Batches created while the approval rule was a batch option stored it; the workspace policy
        # decides now, and the batch's fingerprint no longer covers it (its hash is renewed on next use).
        stored.pop("require_distinct_approver", None)
        return cls(**stored)


def tap_start_time(text: str) -> datetime | None:
    """``tap_start`` as an aware UTC time (no offset: UTC); None when it is not a date and time."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def approval_fingerprint(settings: Settings, options: ExecOptions) -> str:
    """Lower-case hex SHA-256 of everything besides the rows that changes what a batch writes: the
    simulator settings (canonical TOML) and the execution options (canonical JSON). Part of the plan
    hash an approval binds to."""
    text = settings.to_toml() + "\n[execute]\n" + options.to_json()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
