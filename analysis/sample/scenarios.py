"""Hand-made users that put every branch of the sync rules (docs/simulate.md) into the sample.

The random population makes the data realistic; these users make it complete. Each scenario is a
small story (a duplicate device name, a backup phone that Graph would refuse, a stale ledger line, ...)
and records the plan rows docs/simulate.md predicts for it under the default settings, so tests can check
the simulator against the contract and the sample against the simulator. They take the first user
ids, use names that the random population never uses, and keep their SIDs in their own range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.graph import constants as g
from analysis.sample import randoms
from analysis.sample.vocabulary import DEFAULT_SELECTION, FORESTS
from analysis.sources.fingerprint import device_token_fingerprint, secret_fingerprint

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


class _Builder:
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

    def authenticator(self, user: ScenarioUser, name: str) -> str:
        assert user.entra is not None
        method_id = self.guid()
        user.methods.append(
            {
                "user_id": user.entra["id"],
                "odata_type": g.AUTHENTICATOR_METHOD,
                "id": method_id,
                "displayName": name,
                "deviceTag": "SoftwareTokenActivated",
                "phoneAppVersion": "6.8.4",
                "createdDateTime": "2023-04-01T08:00:00Z",
            }
        )
        return method_id

    def software_oath(self, user: ScenarioUser) -> str:
        assert user.entra is not None
        method_id = self.guid()
        user.methods.append(
            {"user_id": user.entra["id"], "odata_type": g.SOFTWARE_OATH_METHOD, "id": method_id}
        )
        return method_id

    def hardware_oath(self, user: ScenarioUser, serial: str) -> str:
        assert user.entra is not None
        method_id = self.guid()
        user.methods.append(
            {
                "user_id": user.entra["id"],
                "odata_type": g.HARDWARE_OATH_METHOD,
                "id": method_id,
                "serialNumber": serial,
                "manufacturer": "Feitian",
                "model": "C200",
                "displayName": f"Token {serial}",
                "createdDateTime": "2024-03-01T10:00:00Z",
            }
        )
        return method_id

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


def _graph(cc: str, nsn: str, ext: str | None = None) -> str:
    return f"+{cc} {nsn}" + (f"x{ext}" if ext else "")


def build(seed: int) -> Scenarios:
    b = _Builder(seed)
    e = b.expect

    # ------------------------------------------------------------ users and matching (4.2)
    u = b.user("Grace", "Hopper", "baseline: UPN match, GB mobile, text message default")
    e(u, "user", "migrate")
    e(u, "phone", "write_mobile", value="+44 7400100001")
    e(u, "default_method", "set_default", value="sms")
    b.users[-1].groups.add(WAVE1)

    u = b.user("Alan", "Turing", "left the company: no Entra user at all", entra=False)
    e(u, "user", "unmatched")

    u = b.user(
        "Ken",
        "Thompson",
        "DOMAIN\\sam whose SID Entra does not know, no email",
        style="sam",
        entra=False,
        email=None,
    )
    e(u, "user", "unmatched")

    u = b.user(
        "Shared",
        "Helpdesk",
        "attribute step finds two Entra users with the same mail",
        style="sam",
        forest=1,
        entra=False,
        object_sid=None,
        email="helpdesk@fabrikam.com",
    )
    e(u, "user", "ambiguous")
    for region in ("emea", "amer"):
        b.extra_entra.append(
            b.entra_user(
                f"helpdesk.{region}@fabrikam.com",
                f"Helpdesk {region.upper()}",
                mail="helpdesk@fabrikam.com",
                onPremisesSyncEnabled=None,
                onPremisesSamAccountName=None,
                onPremisesImmutableId=None,
            )
        )

    ada = b.user("Ada", "Lovelace", "two MFA Server users (UPN and DOMAIN\\sam) on one Entra user")
    twin = b.user(
        "Ada",
        "Lovelace",
        "two MFA Server users (UPN and DOMAIN\\sam) on one Entra user",
        style="sam",
        entra=False,
        object_sid=ada.mfa["object_sid"],
        phone="07400 100099",
    )
    e(ada, "user", "ambiguous")
    e(twin, "user", "ambiguous")

    u = b.user(
        "Edsger",
        "Dijkstra",
        "DOMAIN\\sam matched by SID; US phone call default",
        style="sam",
        country_code="1",
        phone="(201) 555-0107",
        method="phone_call",
    )
    e(u, "user", "migrate")
    e(u, "phone", "write_mobile", value="+1 2015550107")
    e(u, "default_method", "set_default", value="voiceMobile")
    u.groups.add(WAVE1)

    u = b.user(
        "Barbara",
        "Liskov",
        "no SID: matched on email with other case and spaces",
        style="sam",
        forest=1,
        object_sid=None,
        email=" Barbara.Liskov@Fabrikam.COM ",
    )
    assert u.entra is not None
    u.entra["onPremisesSecurityIdentifier"] = b.sid("FABRIKAM")
    e(u, "user", "migrate")

    u = b.user("Donald", "Knuth", "UPN typed in another case", username="Donald.Knuth@Contoso.com")
    e(u, "user", "migrate")
    u.groups.add(WAVE1)

    u = b.user("Margaret", "Hamilton", "disabled in MFA Server", enabled=0)
    e(u, "user", "user_disabled")

    u = b.user(
        "Katherine",
        "Johnson",
        "migrated before, not changed since",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at="2024-02-15T09:00:00Z",
        migrated_selection=DEFAULT_SELECTION,
    )
    b.phone_method(u, "mobile", "+44 7400100011")
    assert u.entra is not None
    u.entra["preferred"] = "sms"
    e(u, "user", "unchanged")

    u = b.user(
        "Claude",
        "Shannon",
        "migrated at the very second of the last change",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at="2024-03-01T10:00:00Z",
        migrated_selection=DEFAULT_SELECTION,
    )
    b.phone_method(u, "mobile", "+44 7400100012")
    e(u, "user", "unchanged")

    u = b.user(
        "John",
        "McCarthy",
        "migrated, changed since; Entra already equal",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at="2024-05-20T16:45:00Z",
        migrated_selection=DEFAULT_SELECTION,
    )
    b.phone_method(u, "mobile", "+44 7400100013")
    assert u.entra is not None
    u.entra["preferred"] = "sms"
    e(u, "user", "migrate")
    e(u, "phone", "noop", value="+44 7400100013")
    e(u, "default_method", "noop", value="sms")

    u = b.user(
        "Frances",
        "Allen",
        "migrated with a different selection",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at="2024-01-10T10:00:00Z",
        migrated_selection="phone,backup_phone,default_method;always",
    )
    e(u, "user", "migrate")

    u = b.user(
        "Tim",
        "Berners-Lee",
        "migrated, but no modified time",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at=None,
        migrated_selection=DEFAULT_SELECTION,
    )
    e(u, "user", "migrate")

    # ------------------------------------------------------------ phone (4.3)
    u = b.user("Radia", "Perlman", "Entra holds another mobile number: overwritten")
    b.phone_method(u, "mobile", "+44 7400999016")
    e(u, "phone", "write_mobile", value="+44 7400100016")
    u.groups.add(PILOT)

    u = b.user(
        "Dennis", "Ritchie", "text message default with an extension: extension dropped", extension="2345"
    )
    e(u, "phone", "write_mobile_drop_extension", value="+44 7400100017")

    u = b.user(
        "Linus",
        "Torvalds",
        "extension: office phone; office not allowed so default falls back",
        extension="4321",
        method="phone_call",
    )
    d = b.device(u, "iPhone 14 Pro", "2023-09-01T08:00:00Z")
    e(u, "phone", "write_office", value="+44 7400100018x4321")
    e(u, "device", "create_device", ref=str(d["device_id"]))
    e(u, "default_method", "set_default_fallback", value="push")

    u = b.user(
        "Bjarne",
        "Stroustrup",
        "office phone already in Entra; voiceOffice not allowed, nothing else",
        country_code="1",
        phone="(201) 555-0119",
        extension="55",
        method="phone_call",
    )
    b.phone_method(u, "office", _graph("1", "2015550119", "55"))
    e(u, "phone", "noop", value="+1 2015550119x55")
    e(u, "default_method", "no_default")

    u = b.user("Anita", "Borg", "number too short for the UK", phone="07400 12")
    e(u, "phone", "invalid_number")
    e(u, "default_method", "no_default")

    u = b.user("Hedy", "Lamarr", "no country code and no '+'", country_code=None, phone="2015550121")
    e(u, "phone", "invalid_number")

    u = b.user(
        "Annie",
        "Easley",
        "'+' form: the (non-numeric) country code is ignored",
        country_code="UK",
        phone="+44 7400 100022",
    )
    e(u, "phone", "write_mobile", value="+44 7400100022")

    u = b.user("Jean", "Bartik", "extension with a '#'", extension="12#", method="phone_call")
    e(u, "phone", "invalid_extension")

    u = b.user("Betty", "Holberton", "bad extension even though it would be dropped", extension="x9")
    e(u, "phone", "invalid_extension")

    u = b.user("Kathleen", "Booth", "typed with the international prefix 00", phone="0044 7400 100025")
    e(u, "phone", "write_mobile", value="+44 7400100025")

    u = b.user("Sophie", "Wilson", "country code typed into the number without '+'", phone="447400100026")
    e(u, "phone", "write_mobile", value="+44 7400100026")

    # ------------------------------------------------------------ backup phone (4.4)
    u = b.user(
        "Shafi",
        "Goldwasser",
        "backup phone to alternate mobile",
        backup_country_code="44",
        backup_phone="0121 200 0027",
    )
    e(u, "backup_phone", "write_alternate", value="+44 1212000027")
    u.groups.add(PILOT)

    u = b.user(
        "Leslie",
        "Lamport",
        "backup phone with extension: office",
        backup_country_code="44",
        backup_phone="0121 200 0028",
        backup_extension="200",
    )
    e(u, "backup_phone", "write_office", value="+44 1212000028x200")

    u = b.user(
        "Niklaus",
        "Wirth",
        "both phones have extensions: backup skipped",
        extension="11",
        method="phone_call",
        backup_country_code="44",
        backup_phone="0121 200 0029",
        backup_extension="22",
    )
    e(u, "backup_phone", "skip_both_extensions")

    u = b.user(
        "Tony",
        "Hoare",
        "primary goes to office, so the alternate has no mobile",
        extension="31",
        method="phone_call",
        backup_country_code="44",
        backup_phone="0121 200 0030",
    )
    e(u, "backup_phone", "fail_alternate_requires_mobile")
    u.groups.add(MIGRATION)

    u = b.user(
        "Vint",
        "Cerf",
        "primary to office, but Entra already has a mobile",
        extension="32",
        method="phone_call",
        backup_country_code="44",
        backup_phone="0121 200 0031",
    )
    b.phone_method(u, "mobile", "+44 7400999031")
    e(u, "backup_phone", "write_alternate", value="+44 1212000031")

    u = b.user(
        "Bob", "Kahn", "both phones already in Entra", backup_country_code="44", backup_phone="0121 200 0032"
    )
    b.phone_method(u, "mobile", "+44 7400100032")
    b.phone_method(u, "alternateMobile", "+44 1212000032")
    e(u, "phone", "noop", value="+44 7400100032")
    e(u, "backup_phone", "noop", value="+44 1212000032")

    u = b.user(
        "Whitfield", "Diffie", "backup number is not a number", backup_country_code="44", backup_phone="123"
    )
    e(u, "backup_phone", "invalid_number")

    u = b.user(
        "Martin",
        "Hellman",
        "backup extension with a comma",
        backup_country_code="44",
        backup_phone="0121 200 0034",
        backup_extension="1,2",
    )
    e(u, "backup_phone", "invalid_extension")

    # ------------------------------------------------------------ devices (4.5)
    u = b.user("Ron", "Rivest", "eight devices: a duplicate name, two past the cap", method="mobile_app")
    newer = [
        ("iPhone 15", "2023-01-10T09:00:00Z"),
        (" iphone 15 ", "2024-02-01T09:00:00Z"),
        ("Pixel 8 Pro", "2023-11-05T09:00:00Z"),
        ("iPad", "2022-06-01T09:00:00Z"),
        ("SM-S911B", "2023-08-19T09:00:00Z"),
        (None, "2021-03-03T09:00:00Z"),
        (None, None),
        ("Work phone", "2020-01-15T09:00:00Z"),
    ]
    devs = [b.device(u, name, at) for name, at in newer]
    e(u, "device", "skip_duplicate_name", ref=str(devs[0]["device_id"]))
    for i in (1, 2, 4, 3, 5):
        e(u, "device", "create_device", ref=str(devs[i]["device_id"]))
    e(u, "device", "skip_over_max", ref=str(devs[7]["device_id"]))
    e(u, "device", "skip_over_max", ref=str(devs[6]["device_id"]))
    e(u, "default_method", "set_default", value="push")

    u = b.user("Adi", "Shamir", "hardware token lowers the device cap to four", method="oath_token")
    b.token_for(u, "FT10000036")
    devs = [b.device(u, f"Phone {i}", f"2023-0{i + 1}-01T09:00:00Z") for i in range(5)]
    e(u, "device", "skip_over_max", ref=str(devs[0]["device_id"]))
    e(u, "device", "create_device", ref=str(devs[4]["device_id"]))
    e(u, "oath_token", "create_hardware_oath", ref="FT10000036")
    e(u, "default_method", "set_default", value="oath")

    u = b.user("Len", "Adleman", "Entra already holds four devices: one more fits", method="mobile_app")
    for name in ("Old iPhone", "Old Pixel", "Tablet"):
        b.authenticator(u, name)
    b.software_oath(u)
    b.token_for(u, "FT10000037")
    devs = [b.device(u, f"Handset {i}", f"2024-0{i + 1}-01T09:00:00Z") for i in range(3)]
    e(u, "device", "create_device", ref=str(devs[2]["device_id"]))
    e(u, "device", "skip_device_limit", ref=str(devs[1]["device_id"]))
    e(u, "device", "skip_device_limit", ref=str(devs[0]["device_id"]))
    e(u, "oath_token", "skip_device_limit", ref="FT10000037")

    u = b.user("Fran", "Bilas", "device migrated before (ledger secret match)", method="mobile_app")
    d = b.device(u, "iPhone 13", "2023-05-05T09:00:00Z")
    b.ledger(u, b.authenticator(u, "iPhone 13"), "device", secret=d["oath_secret"], token=d["device_token"])
    e(u, "device", "update_device", ref=str(d["device_id"]))

    u = b.user("Marlyn", "Wescoff", "device known by its token only", method="mobile_app")
    d = b.device(u, "Pixel 7", "2023-05-06T09:00:00Z")
    b.ledger(u, b.authenticator(u, "Pixel 7"), "device", token=d["device_token"])
    e(u, "device", "create_software_oath", ref=str(d["device_id"]))

    u = b.user("Ruth", "Teitelbaum", "ledger line for a method deleted from Entra", method="mobile_app")
    d = b.device(u, "iPhone 12", "2023-05-07T09:00:00Z")
    b.ledger(u, b.guid(), "device", secret=d["oath_secret"], token=d["device_token"])
    e(u, "device", "create_device", ref=str(d["device_id"]))

    u = b.user("Evelyn", "Boyd", "ledger fingerprint in upper-case hex", method="mobile_app")
    d = b.device(u, "iPhone 15", "2023-05-08T09:00:00Z")
    b.ledger(u, b.authenticator(u, "iPhone 15"), "device", secret=d["oath_secret"], upper=True)
    e(u, "device", "update_device", ref=str(d["device_id"]))

    # ------------------------------------------------------------ OATH tokens (4.6)
    u = b.user("Mary", "Jackson", "HOTP token", method="oath_token")
    b.token_for(u, "FT10000042", kind="hotp")
    e(u, "oath_token", "unsupported_hotp", ref="FT10000042")

    u = b.user("Dorothy", "Vaughan", "token without a secret", method="oath_token")
    b.token_for(u, "FT10000043", secret=False)
    e(u, "oath_token", "missing_secret", ref="FT10000043")

    u = b.user("Carol", "Shaw", "token migrated before (ledger secret match)", method="oath_token")
    secret = b.token_for(u, "FT10000044")
    b.ledger(u, b.hardware_oath(u, "FT10000044"), "oath_token", secret=secret)
    e(u, "oath_token", "update_oath", ref="FT10000044")
    e(u, "default_method", "set_default", value="oath")

    u = b.user(
        "Roberta", "Williams", "five devices in Entra already: no slot for the token", method="oath_token"
    )
    for name in ("Phone A", "Phone B", "Phone C"):
        b.authenticator(u, name)
    b.software_oath(u)
    b.software_oath(u)
    b.token_for(u, "FT10000045")
    e(u, "oath_token", "skip_device_limit", ref="FT10000045")

    # ------------------------------------------------------------ default method (4.7)
    u = b.user("Jude", "Milhon", "mobile app default but no device: falls back to sms", method="mobile_app")
    e(u, "default_method", "set_default_fallback", value="sms")

    u = b.user(
        "Elizabeth",
        "Feinler",
        "Entra already has a preferred method (keep_default if_unset)",
        method="phone_call",
    )
    b.authenticator(u, "iPhone SE")
    assert u.entra is not None
    u.entra["preferred"] = "push"
    e(u, "default_method", "set_default", value="voiceMobile")

    # ------------------------------------------------------------ odd Entra users
    u = b.user(
        "Lynn",
        "Conway",
        "matched by email to a guest account",
        style="sam",
        forest=1,
        object_sid=None,
        email="lynn.conway@outlook.com",
    )
    assert u.entra is not None
    u.entra.update(
        userPrincipalName="lynn.conway_outlook.com#EXT#@contoso.onmicrosoft.com",
        userType="Guest",
        mail="lynn.conway@outlook.com",
        onPremisesSyncEnabled=None,
        onPremisesSecurityIdentifier=None,
        onPremisesSamAccountName=None,
        onPremisesImmutableId=None,
    )
    e(u, "user", "migrate")

    u = b.user("Karen", "Jones", "Entra account disabled")
    assert u.entra is not None
    u.entra["accountEnabled"] = False
    e(u, "user", "migrate")
    u.groups.add(WAVE2)

    return Scenarios(b.users, b.extra_entra, b.expected, b.stories, b.domain_sid, b.next_device_id)
