"""Property test: the SQL simulator and the plain Python reference (reference.py, written from DESIGN §4)
agree on random small tenants under random settings.

Values are drawn from small pools on purpose, so collisions happen often: two MFA users on one Entra
user, duplicate device names, equal activation times, ledger lines that point at deleted methods,
numbers already in Entra, upper-case hex, blank strings, and so on.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.simulate.settings import (
    DEFAULT_MODES,
    ENTRA_PROPERTIES,
    MATCH_STEPS,
    METHODS,
    MFA_FIELDS,
    Settings,
)

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
    (None, "+49 1512 3456788"),
    ("49", "15123456789"),
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
    "+49 15123456788",
    "+44 7400123458x45",
    "+44 7400123457",
    "+49 15123456789x7",
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
def settings_strategy(draw: st.DrawFn, methods_only: bool = False) -> Settings:
    """Random settings; ``methods_only`` fixes the user-level ones so that every user is migrated."""
    methods = list(METHODS) if draw(st.booleans()) else draw(st.lists(st.sampled_from(METHODS), unique=True))
    order = draw(st.lists(st.sampled_from(MATCH_STEPS), unique=True, max_size=3))
    if draw(st.integers(0, 3)):
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
                "group": ""
                if methods_only
                # a group that matches nothing is an error (tests/simulate/test_users.py), not a plan
                else draw(st.sampled_from(["", "", "", "Migrate", "g2"])),
                "only_changed": False if methods_only else draw(st.booleans()),
                "skip_disabled": False if methods_only else draw(st.booleans()),
            },
            "limits": {"device_limit": draw(st.sampled_from([0, 1, 2, 3, 4, 5, 5, 6]))},
        }
    )


def pick(draw: st.DrawFn, pool: list[Any]) -> Any:
    return draw(st.sampled_from(pool))


def entra_user(
    draw: st.DrawFn, entra_id: str, upn: str | None, like: dict[str, Any] | None
) -> dict[str, Any]:
    """An Entra user; ``like`` (the MFA user it twins) makes the other match keys agree more often."""
    sid = (like or {}).get("object_sid") if like and draw(st.booleans()) else pick(draw, SIDS)
    mail = (like or {}).get("email") if like and draw(st.booleans()) else pick(draw, EMAILS)
    return {
        "id": entra_id,
        "upn": upn,
        "on_premises_security_identifier": sid,
        "mail": mail,
        "on_premises_sam_account_name": pick(draw, SAMS),
        "employee_id": pick(draw, ["1001", None, " 1001"]),
        "preferred_method": pick(draw, PREFERRED),
        "methods": draw(
            st.lists(
                st.sampled_from(["authenticator", "software_oath", "hardware_oath", "fido2", "email"]),
                max_size=6,
            )
        ),
        "phones": draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["mobile", "alternateMobile", "office"]), st.sampled_from(ENTRA_PHONES)
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
                    st.booleans(),  # hex upper-cased
                ),
                max_size=4,
            )
        ),
    }


@st.composite
def world(draw: st.DrawFn, methods_only: bool = False) -> tuple[dict[str, Any], Settings]:
    """MFA users mostly with an Entra twin (so most reach the method rules), plus noise Entra users
    drawn from small pools that collide with them (ambiguity, other match steps). ``methods_only``:
    every user has a unique twin matched by UPN and is migrated, so every example exercises the
    method rules."""
    s = draw(settings_strategy(methods_only))
    selections = [s.signature(), s.signature(), *OTHER_SELECTIONS]
    n_users = draw(st.integers(1, 5))
    users = []
    entra = []
    device_id = 100
    for uid in range(1, n_users + 1):
        username = (
            f"user{uid}@contoso.com" if methods_only or draw(st.integers(0, 3)) else pick(draw, USERNAMES)
        )
        cc, phone = pick(draw, PHONES[:5] * 2 + PHONES)
        bcc, bphone = pick(draw, PHONES[:5] * 2 + PHONES)
        devices = []
        for _ in range(draw(st.integers(0, 7))):
            device_id += 1
            devices.append(
                {
                    "device_id": device_id,
                    "name": pick(draw, DEVICE_NAMES + [f"Phone {device_id}"] * 3),
                    "activated_at": pick(draw, TIMES),
                    "secret": pick(draw, SECRETS),
                    "token": pick(draw, TOKENS),
                }
            )
        fields = {
            "object_sid": pick(draw, SIDS),
            "email": pick(draw, EMAILS),
            "enabled": pick(draw, [True, True, True, False]),
            "country_code": cc,
            "phone": phone,
            "extension": pick(draw, EXTENSIONS),
            "backup_country_code": bcc,
            "backup_phone": bphone,
            "backup_extension": pick(draw, EXTENSIONS),
            "method": pick(draw, METHOD_NAMES),
            "oath_serial": pick(draw, [None, "SN1", " ", "SN2"]),
            "oath_kind": pick(draw, ["totp", "totp", "hotp", "HOTP", None]),
            "oath_secret": pick(draw, SECRETS),
            "modified_at": pick(draw, TIMES),
            "last_migrated_at": pick(draw, [None, None, *TIMES]),
            "migrated_selection": pick(draw, selections),
            "details_known": pick(draw, [True, True, True, False]),
        }
        users.append(
            {
                "user_id": uid,
                "username": username,
                "fields": fields,
                "mark": draw(
                    st.one_of(
                        st.none(), st.tuples(st.sampled_from(TIMES[:3]), st.sampled_from(selections[:3]))
                    )
                ),
                "devices": devices,
            }
        )
        if methods_only or draw(st.integers(0, 5)):
            upn = username.upper() if draw(st.integers(0, 4)) == 0 else username
            entra.append(entra_user(draw, f"t{uid}", upn, fields))
    for i in range(0 if methods_only else draw(st.integers(0, 2))):
        entra.append(entra_user(draw, f"n{i}", pick(draw, UPNS), None))
    ids = [e["id"] for e in entra]
    members = st.lists(st.sampled_from(ids), unique=True) if ids else st.just([])
    groups = [("g1", "Migrate", draw(members)), ("g2", pick(draw, ["Other", "Migrate"]), draw(members))]
    policy = None
    if draw(st.booleans()):
        policy = {
            c: (pick(draw, ["enabled", "enabled", "disabled"]), pick(draw, [True, False, None]))
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


def check(case: tuple[dict[str, Any], Settings]) -> None:
    w, s = case
    ws = build(w)
    sql_rows = [tuple(r[c] for c in COMPARED) for r in ws.run(s)]
    expected = Reference(ws.con, phones="parse").plan(s)
    for row in expected:
        event(f"{row[4]}:{row[6]}")
    assert sorted(sql_rows, key=repr) == sorted(expected, key=repr)


SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@settings(SLOW, max_examples=40)
@given(world())
def test_sql_simulator_matches_reference(case: tuple[dict[str, Any], Settings]) -> None:
    check(case)


@pytest.mark.slow
@settings(SLOW, max_examples=50)
@given(world(methods_only=True))
def test_method_rules_match_reference(case: tuple[dict[str, Any], Settings]) -> None:
    """Every user matched and migrated: all examples exercise phones, devices, tokens and defaults."""
    check(case)


@pytest.mark.slow
@settings(SLOW, max_examples=15)
@given(world(), st.data())
def test_restricted_run_matches_full_run(case: tuple[dict[str, Any], Settings], data: st.DataObject) -> None:
    """simulate_users gives each chosen user exactly the rows a full run gives them."""
    from analysis.simulate.runner import simulate_users

    w, s = case
    ws = build(w)
    full = ws.run(s)
    names = data.draw(st.lists(st.sampled_from(sorted({u["username"] for u in w["users"]})), unique=True))
    simulate_users(ws.con, s, names, "plan_replan")
    part = rows(ws.con, "plan_replan")
    assert part == [r for r in full if r["username"] in names]
