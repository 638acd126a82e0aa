"""Property test: the SQL simulator and the plain Python reference (reference.py, written from DESIGN §4)
agree on random small tenants under random settings.

Values are drawn from small pools on purpose, so collisions happen often: two MFA users on one Entra
user, duplicate device names, equal activation times, ledger lines that point at deleted methods,
numbers already in Entra, upper-case hex, blank strings, and so on.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.settings import DEFAULT_MODES, ENTRA_PROPERTIES, MATCH_STEPS, METHODS, MFA_FIELDS, Settings

from .builders import Workspace, rows
from .reference import Reference

USERNAMES = [
    "alice@contoso.com",
    "ALICE@contoso.com",
    "bob@contoso.com",
    "CONTOSO\\carol",
    "carol",
    "dave@fabrikam.com",
    " ",
    "erin@contoso.com ",
]
UPNS = [
    "alice@contoso.com",
    "Bob@Contoso.com",
    "carol@contoso.com",
    "dave@fabrikam.com",
    "frank@contoso.com",
    None,
    "",
]
SIDS = ["S-1-5-21-1", "S-1-5-21-2", "s-1-5-21-1", None, " "]
EMAILS = ["alice@contoso.com", " Carol@Contoso.com ", "bob@contoso.com", None, "", "x@y.z"]
SAMS = ["carol", "alice", "BOB", None, ""]
PHONES = [
    ("44", "7400123456"),
    ("44", "07400 123457"),
    ("+44", "7400123458"),
    (None, "+1 201 555 0123"),
    ("1", "2015550124"),
    ("44", "12"),
    ("abc", "7400123456"),
    ("999", "7400123456"),
    (None, "7400123456"),
    ("44", "74001x23456"),
    (None, None),
    ("44", "   "),
]
EXTENSIONS = [None, None, "", "123", " 45 ", "12#", "1,2"]
ENTRA_PHONES = [
    "+44 7400123456",
    "+44 7400123456x123",
    "+1 2015550123",
    "+44 7400123458x45",
    "+44 7400123457",
    "+1 2015550124",
]
METHOD_NAMES = ["phone_call", "text_message", "mobile_app", "oath_token", "phone_call", "carrier_pigeon"]
TIMES = ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2023-12-31T00:00:00Z", None, ""]
DEVICE_NAMES = ["iPhone", "iphone ", "Pixel", None, " ", "iPad"]
SECRETS = ["s1", "s2", "s3", None]
TOKENS = ["t1", "t2", None]
PREFERRED = [None, "push", "sms", "voiceMobile", "oath", "", "voiceOffice", "voiceAlternateMobile"]
CONFIGS = ["MicrosoftAuthenticator", "SoftwareOath", "HardwareOath", "Sms", "Voice"]
OTHER_SELECTIONS = ["phone,backup_phone;never", "phone;always", None]


@st.composite
def settings_strategy(draw: st.DrawFn) -> Settings:
    methods = draw(st.lists(st.sampled_from(METHODS), unique=True))
    order = draw(st.lists(st.sampled_from(MATCH_STEPS), unique=True, max_size=3))
    if draw(st.booleans()):
        order = ["upn", "sid", "attribute"]
    return Settings.from_dict(
        {
            "migrate": {"methods": methods, "default_method": draw(st.sampled_from(DEFAULT_MODES))},
            "match": {
                "order": order,
                "attribute": {
                    "mfa": draw(st.sampled_from(MFA_FIELDS)),
                    "entra": draw(st.sampled_from(ENTRA_PROPERTIES)),
                },
            },
            "scope": {
                "group": draw(st.sampled_from(["", "", "Migrate", "g2", "missing"])),
                "only_changed": draw(st.booleans()),
                "skip_disabled": draw(st.booleans()),
            },
            "limits": {"device_limit": draw(st.sampled_from([0, 1, 2, 3, 4, 5, 5, 6]))},
        }
    )


@st.composite
def world(draw: st.DrawFn) -> tuple[dict[str, Any], Settings]:
    s = draw(settings_strategy())
    selections = [s.signature(), s.signature(), *OTHER_SELECTIONS]
    n_entra = draw(st.integers(0, 6))
    entra = []
    for i in range(n_entra):
        entra.append(
            {
                "id": f"e{i}",
                "upn": draw(st.sampled_from(UPNS)),
                "on_premises_security_identifier": draw(st.sampled_from(SIDS)),
                "mail": draw(st.sampled_from(EMAILS)),
                "on_premises_sam_account_name": draw(st.sampled_from(SAMS)),
                "employee_id": draw(st.sampled_from(["1001", None, " 1001"])),
                "preferred_method": draw(st.sampled_from(PREFERRED)),
                "methods": draw(
                    st.lists(
                        st.sampled_from(
                            ["authenticator", "software_oath", "hardware_oath", "fido2", "email"]
                        ),
                        max_size=6,
                    )
                ),
                "phones": draw(
                    st.lists(
                        st.tuples(
                            st.sampled_from(["mobile", "alternateMobile", "office"]),
                            st.sampled_from(ENTRA_PHONES),
                        ),
                        max_size=3,
                        unique_by=lambda t: t[0],
                    )
                ),
                "ledger": draw(
                    st.lists(
                        st.tuples(
                            st.integers(0, 7),  # index of the method it points at (past the end: deleted)
                            st.sampled_from(SECRETS),
                            st.sampled_from(TOKENS),
                            st.booleans(),
                        ),
                        max_size=4,
                    )
                ),
            }
        )
    n_users = draw(st.integers(1, 6))
    users = []
    device_id = 100
    for uid in range(1, n_users + 1):
        cc, phone = draw(st.sampled_from(PHONES))
        bcc, bphone = draw(st.sampled_from(PHONES))
        devices = []
        for _ in range(draw(st.integers(0, 7))):
            device_id += 1
            devices.append(
                {
                    "device_id": device_id,
                    "name": draw(st.sampled_from(DEVICE_NAMES)),
                    "activated_at": draw(st.sampled_from(TIMES)),
                    "secret": draw(st.sampled_from(SECRETS)),
                    "token": draw(st.sampled_from(TOKENS)),
                }
            )
        users.append(
            {
                "user_id": uid,
                "username": draw(st.sampled_from(USERNAMES)),
                "fields": {
                    "object_sid": draw(st.sampled_from(SIDS)),
                    "email": draw(st.sampled_from(EMAILS)),
                    "enabled": draw(st.booleans()),
                    "country_code": cc,
                    "phone": phone,
                    "extension": draw(st.sampled_from(EXTENSIONS)),
                    "backup_country_code": bcc,
                    "backup_phone": bphone,
                    "backup_extension": draw(st.sampled_from(EXTENSIONS)),
                    "method": draw(st.sampled_from(METHOD_NAMES)),
                    "oath_serial": draw(st.sampled_from([None, "SN1", " ", "SN2"])),
                    "oath_kind": draw(st.sampled_from(["totp", "hotp", "HOTP", None])),
                    "oath_secret": draw(st.sampled_from(SECRETS)),
                    "modified_at": draw(st.sampled_from(TIMES)),
                    "last_migrated_at": draw(st.sampled_from(TIMES)),
                    "migrated_selection": draw(st.sampled_from(selections)),
                    "details_known": draw(st.sampled_from([True, True, True, False])),
                },
                "mark": draw(
                    st.one_of(
                        st.none(), st.tuples(st.sampled_from(TIMES[:3]), st.sampled_from(selections[:3]))
                    )
                ),
                "devices": devices,
            }
        )
    ids = [e["id"] for e in entra]
    groups = [
        ("g1", "Migrate", draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []),
        (
            "g2",
            draw(st.sampled_from(["Other", "Migrate"])),
            draw(st.lists(st.sampled_from(ids), unique=True)) if ids else [],
        ),
    ]
    policy = None
    if draw(st.booleans()):
        policy = {
            c: (
                draw(st.sampled_from(["enabled", "enabled", "disabled"])),
                draw(st.sampled_from([True, False, None])),
            )
            for c in draw(st.lists(st.sampled_from(CONFIGS), unique=True))
        }
    return {"entra": entra, "users": users, "groups": groups, "policy": policy}, s


def build(w: dict[str, Any]) -> Workspace:
    from .builders import sha

    ws = Workspace(None)
    for e in w["entra"]:
        ws.entra(
            e["id"],
            e["upn"],
            on_premises_security_identifier=e["on_premises_security_identifier"],
            mail=e["mail"],
            on_premises_sam_account_name=e["on_premises_sam_account_name"],
            employee_id=e["employee_id"],
            preferred_method=e["preferred_method"],
        )
        mids = [ws.method(e["id"], kind) for kind in e["methods"]]
        mids += [ws.phone(e["id"], t, n) for t, n in e["phones"]]
        for idx, secret, token, upper in e["ledger"]:
            ws.ledger(
                e["id"], mids[idx] if idx < len(mids) else "gone", secret=secret, token=token, upper=upper
            )
    for u in w["users"]:
        f = dict(u["fields"])
        secret = f.pop("oath_secret")
        f["oath_secret_sha256"] = sha(secret) if secret else None
        ws.user(u["user_id"], u["username"], **f)
        for d in u["devices"]:
            ws.device(d["device_id"], u["user_id"], d["name"], d["activated_at"], d["secret"], d["token"])
        if u["mark"] and u["username"] not in {
            m for (m,) in ws.con.execute("SELECT username FROM migration_marks").fetchall()
        }:
            ws.mark(u["username"], *u["mark"])
    for gid, name, members in w["groups"]:
        ws.group(gid, name, members)
    if w["policy"] is not None:
        ws.policy(**w["policy"])
    return ws


COMPARED = ("user_id", "entra_id", "username", "upn", "item", "ref", "action", "value", "writable")


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(world())
def test_sql_simulator_matches_reference(case: tuple[dict[str, Any], Settings]) -> None:
    w, s = case
    ws = build(w)
    sql_rows = [tuple(r[c] for c in COMPARED) for r in ws.run(s)]
    expected = Reference(ws.con, phones="parse").plan(s)
    assert sql_rows == expected


@pytest.mark.slow
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(world(), st.data())
def test_restricted_run_matches_full_run(case: tuple[dict[str, Any], Settings], data: st.DataObject) -> None:
    """simulate_users gives each chosen user exactly the rows a full run gives them."""
    from analysis.simulate import simulate_users

    w, s = case
    ws = build(w)
    full = ws.run(s)
    names = data.draw(st.lists(st.sampled_from(sorted({u["username"] for u in w["users"]})), unique=True))
    simulate_users(ws.con, s, names, "plan_replan")
    part = rows(ws.con, "plan_replan")
    assert part == [r for r in full if r["username"] in names]
