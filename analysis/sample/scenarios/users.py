"""Scenarios about users: matching, scope, change detection and odd Entra accounts."""

from __future__ import annotations

from analysis.sample.scenarios.builder import Builder
from analysis.sample.scenarios.model import WAVE1, WAVE2
from analysis.sample.vocabulary import DEFAULT_SELECTION


def grace_hopper(b: Builder) -> None:
    u = b.user("Grace", "Hopper", "baseline: UPN match, GB mobile, text message default")
    b.expect(u, "user", "migrate")
    b.expect(u, "phone", "write_mobile", value="+44 7400100001")
    b.expect(u, "default_method", "set_default", value="sms")
    b.users[-1].groups.add(WAVE1)


def alan_turing(b: Builder) -> None:
    u = b.user("Alan", "Turing", "left the company: no Entra user at all", entra=False)
    b.expect(u, "user", "unmatched")


def ken_thompson(b: Builder) -> None:
    u = b.user(
        "Ken",
        "Thompson",
        "DOMAIN\\sam whose SID Entra does not know, no email",
        style="sam",
        entra=False,
        email=None,
    )
    b.expect(u, "user", "unmatched")


def shared_helpdesk(b: Builder) -> None:
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
    b.expect(u, "user", "ambiguous")
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


def ada_lovelace(b: Builder) -> None:
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
    b.expect(ada, "user", "ambiguous")
    b.expect(twin, "user", "ambiguous")


def edsger_dijkstra(b: Builder) -> None:
    u = b.user(
        "Edsger",
        "Dijkstra",
        "DOMAIN\\sam matched by SID; US phone call default",
        style="sam",
        country_code="1",
        phone="(201) 555-0107",
        method="phone_call",
    )
    b.expect(u, "user", "migrate")
    b.expect(u, "phone", "write_mobile", value="+1 2015550107")
    b.expect(u, "default_method", "set_default", value="voiceMobile")
    u.groups.add(WAVE1)


def barbara_liskov(b: Builder) -> None:
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
    b.expect(u, "user", "migrate")


def donald_knuth(b: Builder) -> None:
    u = b.user("Donald", "Knuth", "UPN typed in another case", username="Donald.Knuth@Contoso.com")
    b.expect(u, "user", "migrate")
    u.groups.add(WAVE1)


def margaret_hamilton(b: Builder) -> None:
    u = b.user("Margaret", "Hamilton", "disabled in MFA Server", enabled=0)
    b.expect(u, "user", "user_disabled")


def katherine_johnson(b: Builder) -> None:
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
    b.expect(u, "user", "unchanged")


def claude_shannon(b: Builder) -> None:
    u = b.user(
        "Claude",
        "Shannon",
        "migrated at the very second of the last change",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at="2024-03-01T10:00:00Z",
        migrated_selection=DEFAULT_SELECTION,
    )
    b.phone_method(u, "mobile", "+44 7400100012")
    b.expect(u, "user", "unchanged")


def john_mccarthy(b: Builder) -> None:
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
    b.expect(u, "user", "migrate")
    b.expect(u, "phone", "noop", value="+44 7400100013")
    b.expect(u, "default_method", "noop", value="sms")


def frances_allen(b: Builder) -> None:
    u = b.user(
        "Frances",
        "Allen",
        "migrated with a different selection",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at="2024-01-10T10:00:00Z",
        migrated_selection="phone,backup_phone,default_method;always",
    )
    b.expect(u, "user", "migrate")


def tim_berners_lee(b: Builder) -> None:
    u = b.user(
        "Tim",
        "Berners-Lee",
        "migrated, but no modified time",
        last_migrated_at="2024-03-01T10:00:00Z",
        modified_at=None,
        migrated_selection=DEFAULT_SELECTION,
    )
    b.expect(u, "user", "migrate")


def lynn_conway(b: Builder) -> None:
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
    b.expect(u, "user", "migrate")


def karen_jones(b: Builder) -> None:
    u = b.user("Karen", "Jones", "Entra account disabled")
    assert u.entra is not None
    u.entra["accountEnabled"] = False
    b.expect(u, "user", "migrate")
    u.groups.add(WAVE2)
