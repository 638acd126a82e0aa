"""Scenarios about the phone and the backup phone: slots, extensions, invalid numbers."""

from __future__ import annotations

from analysis.sample.scenarios.builder import Builder, graph_number
from analysis.sample.scenarios.model import MIGRATION, PILOT


def radia_perlman(b: Builder) -> None:
    u = b.user("Radia", "Perlman", "Entra holds another mobile number: overwritten")
    b.phone_method(u, "mobile", "+44 7400999016")
    b.expect(u, "phone", "write_mobile", value="+44 7400100016")
    u.groups.add(PILOT)


def dennis_ritchie(b: Builder) -> None:
    u = b.user(
        "Dennis", "Ritchie", "text message default with an extension: extension dropped", extension="2345"
    )
    b.expect(u, "phone", "write_mobile_drop_extension", value="+44 7400100017")


def linus_torvalds(b: Builder) -> None:
    u = b.user(
        "Linus",
        "Torvalds",
        "extension: office phone; office not allowed so default falls back",
        extension="4321",
        method="phone_call",
    )
    d = b.device(u, "iPhone 14 Pro", "2023-09-01T08:00:00Z")
    b.expect(u, "phone", "write_office", value="+44 7400100018x4321")
    b.expect(u, "device", "create_device", ref=str(d["device_id"]))
    b.expect(u, "default_method", "set_default_fallback", value="push")


def bjarne_stroustrup(b: Builder) -> None:
    u = b.user(
        "Bjarne",
        "Stroustrup",
        "office phone already in Entra; voiceOffice not allowed, nothing else",
        country_code="1",
        phone="(201) 555-0119",
        extension="55",
        method="phone_call",
    )
    b.phone_method(u, "office", graph_number("1", "2015550119", "55"))
    b.expect(u, "phone", "noop", value="+1 2015550119x55")
    b.expect(u, "default_method", "no_default")


def anita_borg(b: Builder) -> None:
    u = b.user("Anita", "Borg", "number too short for the UK", phone="07400 12")
    b.expect(u, "phone", "invalid_number")
    b.expect(u, "default_method", "no_default")


def hedy_lamarr(b: Builder) -> None:
    u = b.user("Hedy", "Lamarr", "no country code and no '+'", country_code=None, phone="2015550121")
    b.expect(u, "phone", "invalid_number")


def annie_easley(b: Builder) -> None:
    u = b.user(
        "Annie",
        "Easley",
        "'+' form: the (non-numeric) country code is ignored",
        country_code="UK",
        phone="+44 7400 100022",
    )
    b.expect(u, "phone", "write_mobile", value="+44 7400100022")


def jean_bartik(b: Builder) -> None:
    u = b.user("Jean", "Bartik", "extension with a '#'", extension="12#", method="phone_call")
    b.expect(u, "phone", "invalid_extension")


def betty_holberton(b: Builder) -> None:
    u = b.user("Betty", "Holberton", "bad extension even though it would be dropped", extension="x9")
    b.expect(u, "phone", "invalid_extension")


def kathleen_booth(b: Builder) -> None:
    u = b.user("Kathleen", "Booth", "typed with the international prefix 00", phone="0044 7400 100025")
    b.expect(u, "phone", "write_mobile", value="+44 7400100025")


def sophie_wilson(b: Builder) -> None:
    u = b.user("Sophie", "Wilson", "country code typed into the number without '+'", phone="447400100026")
    b.expect(u, "phone", "write_mobile", value="+44 7400100026")


def shafi_goldwasser(b: Builder) -> None:
    u = b.user(
        "Shafi",
        "Goldwasser",
        "backup phone to alternate mobile",
        backup_country_code="44",
        backup_phone="0121 200 0027",
    )
    b.expect(u, "backup_phone", "write_alternate", value="+44 1212000027")
    u.groups.add(PILOT)


def leslie_lamport(b: Builder) -> None:
    u = b.user(
        "Leslie",
        "Lamport",
        "backup phone with extension: office",
        backup_country_code="44",
        backup_phone="0121 200 0028",
        backup_extension="200",
    )
    b.expect(u, "backup_phone", "write_office", value="+44 1212000028x200")


def niklaus_wirth(b: Builder) -> None:
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
    b.expect(u, "backup_phone", "skip_both_extensions")


def tony_hoare(b: Builder) -> None:
    u = b.user(
        "Tony",
        "Hoare",
        "primary goes to office, so the alternate has no mobile",
        extension="31",
        method="phone_call",
        backup_country_code="44",
        backup_phone="0121 200 0030",
    )
    b.expect(u, "backup_phone", "fail_alternate_requires_mobile")
    u.groups.add(MIGRATION)


def vint_cerf(b: Builder) -> None:
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
    b.expect(u, "backup_phone", "write_alternate", value="+44 1212000031")


def bob_kahn(b: Builder) -> None:
    u = b.user(
        "Bob", "Kahn", "both phones already in Entra", backup_country_code="44", backup_phone="0121 200 0032"
    )
    b.phone_method(u, "mobile", "+44 7400100032")
    b.phone_method(u, "alternateMobile", "+44 1212000032")
    b.expect(u, "phone", "noop", value="+44 7400100032")
    b.expect(u, "backup_phone", "noop", value="+44 1212000032")


def whitfield_diffie(b: Builder) -> None:
    u = b.user(
        "Whitfield", "Diffie", "backup number is not a number", backup_country_code="44", backup_phone="123"
    )
    b.expect(u, "backup_phone", "invalid_number")


def martin_hellman(b: Builder) -> None:
    u = b.user(
        "Martin",
        "Hellman",
        "backup extension with a comma",
        backup_country_code="44",
        backup_phone="0121 200 0034",
        backup_extension="1,2",
    )
    b.expect(u, "backup_phone", "invalid_extension")
