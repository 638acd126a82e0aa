"""The columns of the sample's tables (the datafile's rows, the tenant's users, methods and ledger) and
the :class:`Population` that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from analysis.graph.constants import USER_FIELDS
from analysis.sample.tables import Table

MFA_USER_COLUMNS = (
    "user_id",
    "username",
    "object_sid",
    "first_name",
    "last_name",
    "email",
    "user_group",
    "enabled",
    "country_code",
    "phone",
    "extension",
    "backup_country_code",
    "backup_phone",
    "backup_extension",
    "method",
    "phone_mode",
    "text_mode",
    "text_direction",
    "app_mode",
    "pin_hash",
    "pin_salt",
    "language",
    "oath_serial",
    "oath_secret",
    "oath_kind",
    "oath_time_step",
    "created_at",
    "modified_at",
    "last_migrated_at",
    "migrated_selection",
)
DEVICE_COLUMNS = (
    "device_id",
    "user_id",
    "device_name",
    "device_token",
    "oath_secret",
    "notification_type",
    "app_version",
    "account_name",
    "activated_at",
)
#: A snapshot user's fields, then its sign-in preferences (written into users.jsonl's own keys).
ENTRA_USER_COLUMNS = (*USER_FIELDS, "preferred", "systemPreferred")
METHOD_COLUMNS = (
    "user_id",
    "odata_type",
    "id",
    "phoneNumber",
    "phoneType",
    "smsSignInState",
    "displayName",
    "deviceTag",
    "phoneAppVersion",
    "createdDateTime",
    "serialNumber",
    "manufacturer",
    "model",
    "emailAddress",
    "aaGuid",
    "keyStrength",
)
LEDGER_COLUMNS = ("userId", "entraMethodId", "kind", "secretSha256", "deviceTokenSha256")
MFA_USER_TYPES = {"user_id": pa.int64(), "enabled": pa.int64(), "oath_time_step": pa.int64()}
DEVICE_TYPES = {"device_id": pa.int64(), "user_id": pa.int64()}
ENTRA_USER_TYPES = {
    "accountEnabled": pa.bool_(),
    "onPremisesSyncEnabled": pa.bool_(),
    "systemPreferred": pa.bool_(),
}


@dataclass
class Population:
    users: Table = field(default_factory=lambda: Table(MFA_USER_COLUMNS, MFA_USER_TYPES))
    devices: Table = field(default_factory=lambda: Table(DEVICE_COLUMNS, DEVICE_TYPES))
    entra_users: Table = field(default_factory=lambda: Table(ENTRA_USER_COLUMNS, ENTRA_USER_TYPES))
    methods: Table = field(default_factory=lambda: Table(METHOD_COLUMNS))
    ledger: Table = field(default_factory=lambda: Table(LEDGER_COLUMNS))
    members: dict[str, list[str]] = field(default_factory=dict)  # group key -> Entra user ids
