"""What the hand-made scenarios are made of: the users, the Entra state around them, and the plan rows
the sync rules predict for them (docs/simulate.md) under the default settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Group keys (the tenant module gives them ids and names).
WAVE1, WAVE2, PILOT, MIGRATION = "wave1", "wave2", "pilot", "migration"
# The scope group a what-if run uses to see out_of_scope (scenario users outside it get that action).
SCOPE_GROUP_NAME = "MFA Migration"


@dataclass(frozen=True)
class Expected:
    """A plan row docs/simulate.md predicts: (username, item, ref, action[, value]) under default settings."""

    username: str
    item: str
    ref: str
    action: str
    value: str | None = None
    story: str = ""


@dataclass
class ScenarioUser:
    """One MFA Server user with the Entra state around it."""

    mfa: dict[str, Any]
    entra: dict[str, Any] | None
    methods: list[dict[str, Any]] = field(default_factory=list)
    devices: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    groups: set[str] = field(default_factory=set)


@dataclass
class Scenarios:
    users: list[ScenarioUser]
    extra_entra: list[dict[str, Any]]  # Entra users no scenario MFA user owns (ambiguity targets)
    expected: list[Expected]
    stories: dict[str, str]  # username -> what the scenario shows
    domain_sid: dict[str, str]  # NetBIOS name -> the forest's domain SID (random users share it)
    next_device_id: int
