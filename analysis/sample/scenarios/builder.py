"""The primitives scenarios are written with: a user, the Entra methods and MFA Server devices around it,
ledger lines, and the plan rows it should get (:meth:`Builder.expect`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.graph import constants as g
from analysis.sample import randoms
from analysis.sample.scenarios.model import Expected, ScenarioUser
from analysis.sample.vocabulary import FORESTS
from analysis.sources.fingerprint import device_token_fingerprint, secret_fingerprint


class Builder:
    """Everything the scenarios share: one random stream, ids in order, and what they expect."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng([seed, 2])
        self.users: list[ScenarioUser] = []
        self.extra_entra: list[dict[str, Any]] = []
        self.expected: list[Expected] = []
        self.stories: dict[str, str] = {}
        self.next_device_id = 1
        self.domain_sid = {
            netbios: "S-1-5-21-" + "-".join(str(int(x)) for x in self.rng.integers(10**8, 4 * 10**9, 3))
            for _, netbios in FORESTS
        }
        self.rid = 500_000

    # ---------------------------------------------------------------- primitives
    def guid(self) -> str:
        return randoms.guid_list(self.rng, 1)[0]

    def secret(self) -> str:
        return str(randoms.base32_strings(self.rng, 1, 32)[0])

    def token(self) -> str:
        return str(randoms.hex_strings(self.rng, 1, 64)[0])

    def sid(self, netbios: str = "CONTOSO") -> str:
        self.rid += 1
        return f"{self.domain_sid[netbios]}-{self.rid}"

    def entra_user(self, upn: str, display: str, **over: Any) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.guid(),
            "userPrincipalName": upn,
            "displayName": display,
            "accountEnabled": True,
            "userType": "Member",
            "mail": upn,
            "onPremisesSyncEnabled": True,
            "onPremisesSecurityIdentifier": None,
            "onPremisesSamAccountName": upn.split("@")[0].replace(".", "")[:20],
            "onPremisesImmutableId": str(randoms.base64_ids(self.rng, 1)[0]),
            "employeeId": str(int(self.rng.integers(100000, 999999))),
            "preferred": None,
            "systemPreferred": False,
        }
        user.update(over)
        return user

    # ---------------------------------------------------------------- a user
    def user(
        self,
        first: str,
        last: str,
        story: str,
        *,
        style: str = "upn",
        forest: int = 0,
        entra: bool = True,
        **mfa: Any,
    ) -> ScenarioUser:
        domain, netbios = FORESTS[forest]
        slug = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        sam = (first[0] + last).lower().replace(" ", "").replace("'", "")[:20]
        upn = f"{slug}@{domain}"
        sid = self.sid(netbios)
        row: dict[str, Any] = {
            "user_id": len(self.users) + 1,
            "username": upn if style == "upn" else f"{netbios}\\{sam}",
            "object_sid": sid,
            "first_name": first,
            "last_name": last,
            "email": upn,
            "user_group": "Default",
            "enabled": 1,
            "country_code": "44",
            "phone": f"07400 1{len(self.users) + 1:05d}",
            "extension": None,
            "backup_country_code": None,
            "backup_phone": None,
            "backup_extension": None,
            "method": "text_message",
            "phone_mode": "standard",
            "text_mode": "otp",
            "text_direction": "one_way",
            "app_mode": "standard",
            "pin_hash": None,
            "pin_salt": None,
            "language": "en",
            "oath_serial": None,
            "oath_secret": None,
            "oath_kind": None,
            "oath_time_step": None,
            "created_at": "2019-05-01T09:00:00Z",
            "modified_at": "2023-11-02T14:30:00Z",
            "last_migrated_at": None,
            "migrated_selection": None,
        }
        row.update(mfa)
        entra_user = None
        if entra:
            entra_user = self.entra_user(
                upn, f"{first} {last}", onPremisesSecurityIdentifier=sid, onPremisesSamAccountName=sam
            )
        user = ScenarioUser(row, entra_user)
        if entra_user is not None:
            user.methods.append(
                {
                    "user_id": entra_user["id"],
                    "odata_type": g.PASSWORD_METHOD,
                    "id": g.PASSWORD_METHOD_ID,
                    "createdDateTime": "2019-05-01T09:05:00Z",
                }
            )
        self.users.append(user)
        self.stories[row["username"]] = story
        return user

    def expect(
        self, user: ScenarioUser, item: str, action: str, ref: str = "", value: str | None = None
    ) -> None:
        if ref == "" and item in ("phone", "backup_phone", "default_method"):
            ref = item
        self.expected.append(
            Expected(user.mfa["username"], item, ref, action, value, self.stories[user.mfa["username"]])
        )

    # ---------------------------------------------------------------- Entra state
    def phone_method(self, user: ScenarioUser, phone_type: str, number: str) -> None:
        assert user.entra is not None
        user.methods.append(
            {
                "user_id": user.entra["id"],
                "odata_type": g.PHONE_METHOD,
                "id": g.PHONE_METHOD_IDS[phone_type],
                "phoneNumber": number,
                "phoneType": phone_type,
                "smsSignInState": "notAllowedByPolicy" if phone_type == "mobile" else "notSupported",
            }
        )

    def _method(self, user: ScenarioUser, odata_type: str, **fields: Any) -> str:
        """Add an Entra method with a new id to ``user``; returns the id."""
        assert user.entra is not None
        method_id = self.guid()
        user.methods.append(
            {"user_id": user.entra["id"], "odata_type": odata_type, "id": method_id, **fields}
        )
        return method_id

    def authenticator(self, user: ScenarioUser, name: str) -> str:
        return self._method(
            user,
            g.AUTHENTICATOR_METHOD,
            displayName=name,
            deviceTag="SoftwareTokenActivated",
            phoneAppVersion="6.8.4",
            createdDateTime="2023-04-01T08:00:00Z",
        )

    def software_oath(self, user: ScenarioUser) -> str:
        return self._method(user, g.SOFTWARE_OATH_METHOD)

    def hardware_oath(self, user: ScenarioUser, serial: str) -> str:
        return self._method(
            user,
            g.HARDWARE_OATH_METHOD,
            serialNumber=serial,
            manufacturer="Feitian",
            model="C200",
            displayName=f"Token {serial}",
            createdDateTime="2024-03-01T10:00:00Z",
        )

    def device(
        self, user: ScenarioUser, name: str | None, activated_at: str | None, *, secret: bool = True
    ) -> dict[str, Any]:
        device = {
            "device_id": self.next_device_id,
            "user_id": user.mfa["user_id"],
            "device_name": name,
            "device_token": self.token(),
            "oath_secret": self.secret() if secret else None,
            "notification_type": "apns",
            "app_version": "6.8.4",
            "account_name": f"Contoso: {user.mfa['username']}",
            "activated_at": activated_at,
        }
        self.next_device_id += 1
        user.devices.append(device)
        return device

    def ledger(
        self,
        user: ScenarioUser,
        method_id: str,
        kind: str,
        *,
        secret: str | None = None,
        token: str | None = None,
        upper: bool = False,
    ) -> None:
        assert user.entra is not None
        secret_hash = secret_fingerprint(secret) if secret else None
        token_hash = device_token_fingerprint(token) if token else None
        if upper:
            secret_hash = secret_hash.upper() if secret_hash else None
            token_hash = token_hash.upper() if token_hash else None
        user.ledger.append(
            {
                "userId": user.entra["id"],
                "entraMethodId": method_id,
                "kind": kind,
                "secretSha256": secret_hash,
                "deviceTokenSha256": token_hash,
            }
        )

    def token_for(
        self, user: ScenarioUser, serial: str, *, kind: str = "totp", secret: bool = True
    ) -> str | None:
        value = self.secret() if secret else None
        user.mfa.update(oath_serial=serial, oath_secret=value, oath_kind=kind, oath_time_step=30)
        return value


def graph_number(cc: str, nsn: str, ext: str | None = None) -> str:
    return f"+{cc} {nsn}" + (f"x{ext}" if ext else "")
