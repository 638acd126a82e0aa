"""The emulated tenant: seeded from a tenant snapshot directory (docs/workspace.md) and dumped back to one.

Objects are kept as the snapshot's own dicts (Graph shapes plus the snapshot's extra keys such as a
user's ``authenticationMethods``), so a snapshot loaded and dumped unchanged comes back equal line for
line, unknown fields included. Routes mutate these dicts in place while holding :attr:`TenantState.lock`;
the lock is re-entrant so a ``$batch`` can hold it across the items it runs.

Two things live here that a snapshot has no file for:

* the hardware OATH *inventory* (``directory/authenticationMethodDevices/hardwareOathDevices``). A seeded
  user's ``hardwareOathAuthenticationMethod`` gets a matching inventory device (status ``activated``) so
  device routes see it; such derived devices are never dumped. Devices created through the API, or
  seeded from the optional emulator-only file ``hardwareOathDevices.jsonl``, are dumped to that file
  **without** their secret (Graph never returns it either). Secrets are kept only in memory, in
  :attr:`TenantState.device_secrets`, to check activation codes.
* a default authentication methods policy (everything enabled) when the snapshot has none, served but
  not dumped, matching the loader's rule that a snapshot without the policy allows every method.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.graph.emulator import tenantfiles

USER = "#microsoft.graph.user"
GROUP = "#microsoft.graph.group"
CONTACT = "#microsoft.graph.orgContact"
HARDWARE_OATH = "#microsoft.graph.hardwareOathAuthenticationMethod"
DEVICES_FILE = "hardwareOathDevices.jsonl"


@dataclass
class DeviceSecret:
    """What activation needs to compute a token's code: never serialised, never logged."""

    secret: str
    period: int
    hash_function: str

    def __repr__(self) -> str:  # keep the secret out of any accidental log line
        return f"DeviceSecret(period={self.period}, hash_function={self.hash_function!r})"


def now_iso() -> str:
    """A Graph-style UTC timestamp (``2024-05-01T10:11:12Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_methods_policy() -> dict[str, Any]:
    """An everything-enabled policy for snapshots that carry none."""

    def config(kind: str, config_id: str, **extra: Any) -> dict[str, Any]:
        return {
            "@odata.type": f"#microsoft.graph.{kind}AuthenticationMethodConfiguration",
            "id": config_id,
            "state": "enabled",
            "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}],
            "excludeTargets": [],
            **extra,
        }

    return {
        "id": "authenticationMethodsPolicy",
        "displayName": "Authentication Methods Policy",
        "description": "Default policy served by the emulator because the snapshot carries none.",
        "policyVersion": "1.5",
        "policyMigrationState": "migrationComplete",
        "authenticationMethodConfigurations": [
            config("microsoftAuthenticator", "MicrosoftAuthenticator"),
            config("sms", "Sms"),
            config("voice", "Voice", isOfficePhoneAllowed=True),
            config("softwareOath", "SoftwareOath"),
            config("hardwareOath", "HardwareOath"),
            config(
                "temporaryAccessPass",
                "TemporaryAccessPass",
                defaultLifetimeInMinutes=60,
                defaultLength=8,
                minimumLifetimeInMinutes=60,
                maximumLifetimeInMinutes=480,
                isUsableOnce=False,
            ),
        ],
    }


class TenantState:
    """Everything the emulator serves, with the lock that serialises changes to it."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.meta: dict[str, Any] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self._upn: dict[str, str] = {}
        self.user_keys: set[str] = set()
        self._indexes: dict[str, dict[Any, list[str]]] = {}
        self._user_list: list[dict[str, Any]] | None = None
        self.groups: dict[str, dict[str, Any]] = {}
        self.policies_raw: dict[str, Any] | None = None
        self.methods_policy: dict[str, Any] = default_methods_policy()
        self.methods_policy_seeded = False
        self.rollout: dict[str, dict[str, Any]] = {}
        self.rollout_seeded = False
        self.domains: dict[str, dict[str, Any]] = {}
        self.ledger_lines: list[str] | None = None
        self.devices: dict[str, dict[str, Any]] = {}
        self.device_secrets: dict[str, DeviceSecret] = {}
        self.derived_devices: set[str] = set()
        self.devices_file_seeded = False
        self.changed = False

    # ------------------------------------------------------------------ loading and dumping
    @classmethod
    def load(cls, directory: Path) -> TenantState:
        """Read a snapshot directory; errors name the file and line and say what to do."""
        state = cls()
        if not directory.is_dir():
            raise UserError(
                f"{directory}: no such directory. Point --tenant at a tenant snapshot directory "
                "(docs/workspace.md), e.g. sample_data/tenant or the --out of `mfa-migrate snapshot`."
            )
        meta_path = directory / "snapshot.json"
        if not meta_path.exists():
            raise UserError(
                f"{meta_path}: missing. A tenant snapshot needs snapshot.json with at least "
                '{"tenantId": "..."}.'
            )
        meta = tenantfiles.read_json(meta_path)
        if not isinstance(meta, dict) or not isinstance(meta.get("tenantId"), str) or not meta["tenantId"]:
            raise UserError(f'{meta_path}: needs a JSON object with a non-empty "tenantId".')
        state.meta = meta

        users_path = directory / "users.jsonl"
        if not users_path.exists():
            raise UserError(f"{users_path}: missing. A tenant snapshot needs users.jsonl (may be empty).")
        users = tenantfiles.read_jsonl(users_path)
        tenantfiles.check_users(users_path, users)
        for _, user in users:
            state.users[user["id"]] = user
            state.user_keys.update(user)
            upn = user.get("userPrincipalName")
            if isinstance(upn, str) and upn:
                state._upn[upn.lower()] = user["id"]

        groups_path = directory / "groups.jsonl"
        groups = tenantfiles.read_jsonl(groups_path)
        tenantfiles.check_groups(groups_path, groups)
        state.groups = {group["id"]: group for _, group in groups}

        policies_path = directory / "policies.json"
        if policies_path.exists():
            raw = tenantfiles.read_json(policies_path)
            tenantfiles.check_policies(policies_path, raw)
            state.policies_raw = raw
            if isinstance(raw.get("authenticationMethodsPolicy"), dict):
                state.methods_policy = raw["authenticationMethodsPolicy"]
                state.methods_policy_seeded = True
            if isinstance(raw.get("featureRolloutPolicies"), list):
                state.rollout_seeded = True
                state.rollout = {policy["id"]: policy for policy in raw["featureRolloutPolicies"]}

        domains_path = directory / "domains.jsonl"
        domains = tenantfiles.read_jsonl(domains_path)
        tenantfiles.check_domains(domains_path, domains)
        state.domains = {domain["id"].lower(): domain for _, domain in domains}

        ledger_path = directory / "ledger.jsonl"
        if ledger_path.exists():
            state.ledger_lines = [
                json.dumps(row, ensure_ascii=False, separators=(",", ":"))
                for _, row in tenantfiles.read_jsonl(ledger_path)
            ]

        devices_path = directory / DEVICES_FILE
        if devices_path.exists():
            state.devices_file_seeded = True
            devices = tenantfiles.read_jsonl(devices_path)
            tenantfiles.check_devices(devices_path, devices)
            for _, device in devices:
                secret = device.pop("secretKey", None)
                device["secretKey"] = None
                state.devices[device["id"]] = device
                if secret:
                    state.device_secrets[device["id"]] = DeviceSecret(
                        str(secret),
                        int(device.get("timeIntervalInSeconds") or 30),
                        str(device.get("hashFunction") or "hmacsha1"),
                    )
        state._derive_devices()
        return state

    def _derive_devices(self) -> None:
        """Give every seeded hardware OATH method an inventory device, so device routes see it."""
        for user in self.users.values():
            for method in user.get("authenticationMethods") or []:
                if method.get("@odata.type") != HARDWARE_OATH or method.get("id") in self.devices:
                    continue
                device_info = method.get("device") if isinstance(method.get("device"), dict) else {}
                self.devices[method["id"]] = {
                    "@odata.type": "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice",
                    "id": method["id"],
                    "displayName": method.get("displayName"),
                    "serialNumber": method.get("serialNumber") or device_info.get("serialNumber"),
                    "manufacturer": device_info.get("manufacturer"),
                    "model": device_info.get("model"),
                    "secretKey": None,
                    "timeIntervalInSeconds": device_info.get("timeIntervalInSeconds") or 30,
                    "hashFunction": device_info.get("hashFunction") or "hmacsha1",
                    "status": "activated",
                    "lastUsedDateTime": None,
                    "assignedTo": {"id": user["id"], "displayName": user.get("displayName")},
                }
                self.derived_devices.add(method["id"])

    def snapshot_documents(self, source: str = "emulator") -> dict[str, Any]:
        """The whole state as snapshot documents (deep copies), keyed by file name."""
        with self.lock:
            meta = dict(self.meta)
            meta["takenAt"] = now_iso()
            meta["source"] = source
            docs: dict[str, Any] = {
                "snapshot.json": meta,
                "users.jsonl": copy.deepcopy(list(self.users.values())),
                "groups.jsonl": copy.deepcopy(list(self.groups.values())),
                "domains.jsonl": copy.deepcopy(list(self.domains.values())),
            }
            policies = self.policies_document()
            if policies is not None:
                docs["policies.json"] = policies
            if self.ledger_lines is not None:
                docs["ledger.jsonl"] = [json.loads(line) for line in self.ledger_lines]
            devices = [
                dict(device, secretKey=None)
                for device_id, device in self.devices.items()
                if device_id not in self.derived_devices
            ]
            if devices or self.devices_file_seeded:
                docs[DEVICES_FILE] = copy.deepcopy(devices)
            return docs

    def policies_document(self) -> dict[str, Any] | None:
        if (
            self.policies_raw is None
            and not self.rollout
            and not self.rollout_seeded
            and not self.methods_policy_seeded
        ):
            return None
        raw = copy.deepcopy(self.policies_raw) if self.policies_raw is not None else {}
        if self.methods_policy_seeded:
            raw["authenticationMethodsPolicy"] = copy.deepcopy(self.methods_policy)
        if self.rollout_seeded or self.rollout:
            raw["featureRolloutPolicies"] = copy.deepcopy(list(self.rollout.values()))
        return raw

    def dump(self, directory: Path, source: str = "emulator") -> Path:
        """Write the state as a snapshot directory (each file replaced atomically).

        Serialised to text under the lock (a consistent cut, no deep copies: fast for 100k users),
        written to disk after releasing it.
        """

        def lines(rows: Any) -> str:
            return "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows)

        with self.lock:
            meta = dict(self.meta, takenAt=now_iso(), source=source)
            texts = {
                "snapshot.json": json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                "users.jsonl": lines(self.users.values()),
                "groups.jsonl": lines(self.groups.values()),
                "domains.jsonl": lines(self.domains.values()),
            }
            policies = self.policies_document()
            if policies is not None:
                texts["policies.json"] = json.dumps(policies, ensure_ascii=False, indent=2) + "\n"
            if self.ledger_lines is not None:
                texts["ledger.jsonl"] = "".join(line + "\n" for line in self.ledger_lines)
            devices = [
                dict(device, secretKey=None)
                for device_id, device in self.devices.items()
                if device_id not in self.derived_devices
            ]
            if devices or self.devices_file_seeded:
                texts[DEVICES_FILE] = lines(devices)
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            tmp = directory / (name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(directory / name)
        return directory

    # ------------------------------------------------------------------ lookups
    @property
    def tenant_id(self) -> str:
        return str(self.meta["tenantId"])

    def user(self, ref: str) -> dict[str, Any] | None:
        """A user by object id or userPrincipalName (case-insensitive), as Graph resolves ``/users/{ref}``."""
        found = self.users.get(ref)
        if found is not None:
            return found
        user_id = self._upn.get(ref.lower())
        return self.users.get(user_id) if user_id else None

    def user_list(self) -> list[dict[str, Any]]:
        """All users in snapshot order (cached: the API never adds or removes users). Do not mutate."""
        if self._user_list is None or len(self._user_list) != len(self.users):
            self._user_list = list(self.users.values())
        return self._user_list

    def users_where(self, prop: str, value: Any) -> list[dict[str, Any]]:
        """Users whose ``prop`` equals ``value`` (strings case-insensitively), via a lazily built index.

        User properties never change through the emulated API (only methods and preferences do), so an
        index stays valid for the life of the state.
        """
        index = self._indexes.get(prop)
        if index is None:
            index = {}
            for user_id, user in self.users.items():
                key = user.get(prop)
                if isinstance(key, str):
                    key = key.lower()
                if isinstance(key, (str, int, bool)) or key is None:
                    index.setdefault(key, []).append(user_id)
            self._indexes[prop] = index
        key = value.lower() if isinstance(value, str) else value
        return [self.users[user_id] for user_id in index.get(key, [])]

    def directory_object(self, object_id: str) -> tuple[str, dict[str, Any]] | None:
        """(``@odata.type``, object) for a user or group id."""
        if object_id in self.users:
            return USER, self.users[object_id]
        if object_id in self.groups:
            return GROUP, self.groups[object_id]
        return None

    def transitive_members(self, group_id: str) -> list[dict[str, Any]]:
        """Every member reachable through nested groups, de-duplicated, cycles safe, in discovery order."""
        seen_groups = {group_id}
        seen: set[str] = set()
        out: list[dict[str, Any]] = []
        queue = [group_id]
        while queue:
            group = self.groups.get(queue.pop(0))
            if group is None:
                continue
            for member in group.get("members") or []:
                member_id = member.get("id")
                if not member_id or member_id in seen:
                    continue
                seen.add(member_id)
                out.append(member)
                if member.get("@odata.type") == GROUP and member_id not in seen_groups:
                    seen_groups.add(member_id)
                    queue.append(member_id)
        return out

    def methods_of(self, user: dict[str, Any]) -> list[dict[str, Any]]:
        """The user's method list, created on first write so untouched users dump unchanged."""
        methods = user.get("authenticationMethods")
        if not isinstance(methods, list):
            methods = []
            user["authenticationMethods"] = methods
        return methods

    def methods_policy_config(self, config_id: str) -> dict[str, Any] | None:
        for config in self.methods_policy.get("authenticationMethodConfigurations") or []:
            if str(config.get("id", "")).lower() == config_id.lower():
                return config
        return None
