"""Scenarios about devices, OATH tokens and the default method."""

from __future__ import annotations

from analysis.sample.scenarios.builder import Builder


def ron_rivest(b: Builder) -> None:
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
    b.expect(u, "device", "skip_duplicate_name", ref=str(devs[0]["device_id"]))
    for i in (1, 2, 4, 3, 5):
        b.expect(u, "device", "create_device", ref=str(devs[i]["device_id"]))
    b.expect(u, "device", "skip_over_max", ref=str(devs[7]["device_id"]))
    b.expect(u, "device", "skip_over_max", ref=str(devs[6]["device_id"]))
    b.expect(u, "default_method", "set_default", value="push")


def adi_shamir(b: Builder) -> None:
    u = b.user("Adi", "Shamir", "hardware token lowers the device cap to four", method="oath_token")
    b.token_for(u, "FT10000036")
    devs = [b.device(u, f"Phone {i}", f"2023-0{i + 1}-01T09:00:00Z") for i in range(5)]
    b.expect(u, "device", "skip_over_max", ref=str(devs[0]["device_id"]))
    b.expect(u, "device", "create_device", ref=str(devs[4]["device_id"]))
    b.expect(u, "oath_token", "create_hardware_oath", ref="FT10000036")
    b.expect(u, "default_method", "set_default", value="oath")


def len_adleman(b: Builder) -> None:
    u = b.user("Len", "Adleman", "Entra already holds four devices: one more fits", method="mobile_app")
    for name in ("Old iPhone", "Old Pixel", "Tablet"):
        b.authenticator(u, name)
    b.software_oath(u)
    b.token_for(u, "FT10000037")
    devs = [b.device(u, f"Handset {i}", f"2024-0{i + 1}-01T09:00:00Z") for i in range(3)]
    b.expect(u, "device", "create_device", ref=str(devs[2]["device_id"]))
    b.expect(u, "device", "skip_device_limit", ref=str(devs[1]["device_id"]))
    b.expect(u, "device", "skip_device_limit", ref=str(devs[0]["device_id"]))
    b.expect(u, "oath_token", "skip_device_limit", ref="FT10000037")


def fran_bilas(b: Builder) -> None:
    u = b.user("Fran", "Bilas", "device migrated before (ledger secret match)", method="mobile_app")
    d = b.device(u, "iPhone 13", "2023-05-05T09:00:00Z")
    b.ledger(u, b.authenticator(u, "iPhone 13"), "device", secret=d["oath_secret"], token=d["device_token"])
    b.expect(u, "device", "update_device", ref=str(d["device_id"]))


def marlyn_wescoff(b: Builder) -> None:
    u = b.user("Marlyn", "Wescoff", "device known by its token only", method="mobile_app")
    d = b.device(u, "Pixel 7", "2023-05-06T09:00:00Z")
    b.ledger(u, b.authenticator(u, "Pixel 7"), "device", token=d["device_token"])
    b.expect(u, "device", "create_software_oath", ref=str(d["device_id"]))


def ruth_teitelbaum(b: Builder) -> None:
    u = b.user("Ruth", "Teitelbaum", "ledger line for a method deleted from Entra", method="mobile_app")
    d = b.device(u, "iPhone 12", "2023-05-07T09:00:00Z")
    b.ledger(u, b.guid(), "device", secret=d["oath_secret"], token=d["device_token"])
    b.expect(u, "device", "create_device", ref=str(d["device_id"]))


def evelyn_boyd(b: Builder) -> None:
    u = b.user("Evelyn", "Boyd", "ledger fingerprint in upper-case hex", method="mobile_app")
    d = b.device(u, "iPhone 15", "2023-05-08T09:00:00Z")
    b.ledger(u, b.authenticator(u, "iPhone 15"), "device", secret=d["oath_secret"], upper=True)
    b.expect(u, "device", "update_device", ref=str(d["device_id"]))


def mary_jackson(b: Builder) -> None:
    u = b.user("Mary", "Jackson", "HOTP token", method="oath_token")
    b.token_for(u, "FT10000042", kind="hotp")
    b.expect(u, "oath_token", "unsupported_hotp", ref="FT10000042")


def dorothy_vaughan(b: Builder) -> None:
    u = b.user("Dorothy", "Vaughan", "token without a secret", method="oath_token")
    b.token_for(u, "FT10000043", secret=False)
    b.expect(u, "oath_token", "missing_secret", ref="FT10000043")


def carol_shaw(b: Builder) -> None:
    u = b.user("Carol", "Shaw", "token migrated before (ledger secret match)", method="oath_token")
    secret = b.token_for(u, "FT10000044")
    b.ledger(u, b.hardware_oath(u, "FT10000044"), "oath_token", secret=secret)
    b.expect(u, "oath_token", "update_oath", ref="FT10000044")
    b.expect(u, "default_method", "set_default", value="oath")


def roberta_williams(b: Builder) -> None:
    u = b.user(
        "Roberta", "Williams", "five devices in Entra already: no slot for the token", method="oath_token"
    )
    for name in ("Phone A", "Phone B", "Phone C"):
        b.authenticator(u, name)
    b.software_oath(u)
    b.software_oath(u)
    b.token_for(u, "FT10000045")
    b.expect(u, "oath_token", "skip_device_limit", ref="FT10000045")


def jude_milhon(b: Builder) -> None:
    u = b.user("Jude", "Milhon", "mobile app default but no device: falls back to sms", method="mobile_app")
    b.expect(u, "default_method", "set_default_fallback", value="sms")


def elizabeth_feinler(b: Builder) -> None:
    u = b.user(
        "Elizabeth",
        "Feinler",
        "Entra already has a preferred method (keep_default if_unset)",
        method="phone_call",
    )
    b.authenticator(u, "iPhone SE")
    assert u.entra is not None
    u.entra["preferred"] = "push"
    b.expect(u, "default_method", "set_default", value="voiceMobile")
