"""The Entra side of the random population: the matched accounts, their methods (some already migrated,
with ledger lines), group memberships, and Entra users MFA Server does not know."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from analysis.graph import constants as g
from analysis.sample import randoms
from analysis.sample.draw_mfa import MfaDraw, occurrence_ranks, slug
from analysis.sample.randoms import Strings, at, choose, join, strings, where
from analysis.sample.scenarios import MIGRATION, PILOT, WAVE1, WAVE2
from analysis.sample.vocabulary import (
    ANDROID_DEVICES,
    FIRST_NAMES,
    INITIAL_DOMAIN,
    IOS_APP_VERSIONS,
    IOS_DEVICES,
    LAST_NAMES,
    OATH_MANUFACTURERS,
)
from analysis.sources.fingerprint import device_token_fingerprint, secret_fingerprint

Mask = NDArray[np.bool_]
FIDO2_AAGUIDS = ("cb69481e-8ff7-4039-93ec-0a2729a154a8", "ee882879-721c-4913-9775-3dfcce97072a")


class EntraDraw(MfaDraw):
    """The Entra side's draws, made after (and from) the MFA Server side's."""

    def entra(self) -> None:
        rng, n = self.rng, self.n
        self.has_entra = self.u() < 0.94
        self.entra_id = randoms.guids(rng, n)
        recreated = self.u() < 0.005  # account deleted and recreated in AD: a new SID
        self.entra_sid = where(recreated, join(self.sid, "9"), self.sid)
        self.entra_mail = where(self.u() < 0.03, None, self.upn)
        self.entra_enabled = self.u() >= 0.025
        self.immutable = randoms.base64_ids(rng, n)
        self.employee = strings(rng.integers(100000, 999999, n))
        self.system_preferred = self.u() < 0.6

    def _graph_numbers(self, tmpl: NDArray[np.int64], digits: NDArray[np.uint8]) -> Strings:
        order = np.argsort(tmpl, kind="stable")
        chunks = [
            self.templates[int(tmpl[rows[0]])].graph(digits[rows])
            for rows in np.split(order, np.flatnonzero(np.diff(tmpl[order])) + 1)
            if len(rows)
        ]
        return pa.concat_arrays(chunks).take(np.argsort(order))

    def entra_methods(self) -> None:
        rng, n, m = self.rng, self.n, self.pop.methods
        ex = self.has_entra
        created = randoms.iso(randoms.timestamps(rng, n, "2019-01-01", "2024-06-01"))
        m.add_columns(
            int(ex.sum()),
            user_id=at(self.entra_id, ex),
            odata_type=g.PASSWORD_METHOD,
            id=g.PASSWORD_METHOD_ID,
            createdDateTime=at(created, ex),
        )
        graph = self._graph_numbers(self.tmpl, self.digits)
        other = self._graph_numbers(self.tmpl, rng.integers(0, 10, size=(n, 7), dtype=np.uint8))
        b_graph = self._graph_numbers(self.b_tmpl, self.b_digits)
        mig = self.migrated & ex
        mobile_equal = ex & self.phone_valid & ~self.has_ext & ((self.u() < 0.30) | mig)
        mobile_other = ex & ~mobile_equal & (self.u() < 0.08)
        office_equal = ex & self.phone_valid & self.good_ext & ((self.u() < 0.25) | mig)
        alt_equal = ex & self.backup_valid & ~self.b_has_ext & ((self.u() < 0.15) | mig)
        mobile_other |= alt_equal & ~mobile_equal & ~mobile_other  # Graph needs a mobile before an alternate
        office = join(graph, "x", self.ext)
        for mask, number, kind in (
            (mobile_equal, graph, "mobile"),
            (mobile_other, other, "mobile"),
            (alt_equal, b_graph, "alternateMobile"),
            (office_equal, office, "office"),
        ):
            m.add_columns(
                int(mask.sum()),
                user_id=at(self.entra_id, mask),
                odata_type=g.PHONE_METHOD,
                id=g.PHONE_METHOD_IDS[kind],
                phoneNumber=at(number, mask),
                phoneType=kind,
                smsSignInState="notAllowedByPolicy" if kind == "mobile" else "notSupported",
            )
        has_mobile = mobile_equal | mobile_other
        has_auth = self._migrated_devices(mig, created) | self._own_authenticators(ex & ~mig, created)
        self._migrated_tokens(mig)
        for mask, odata, extra in (
            (ex & (self.u() < 0.02), g.SOFTWARE_OATH_METHOD, {}),
            (
                ex & (self.u() < 0.03),
                g.FIDO2_METHOD,
                {"displayName": "YubiKey 5 NFC", "model": "YubiKey 5 NFC"},
            ),
            (
                ex & (self.u() < 0.05),
                g.WINDOWS_HELLO_METHOD,
                {"displayName": "LAPTOP-CONTOSO", "keyStrength": "normal"},
            ),
        ):
            k = int(mask.sum())
            aaguid = {"aaGuid": choose(rng, k, FIDO2_AAGUIDS)} if odata == g.FIDO2_METHOD else {}
            m.add_columns(
                k,
                user_id=at(self.entra_id, mask),
                odata_type=odata,
                id=randoms.guids(rng, k),
                createdDateTime=at(created, mask),
                **extra,
                **aaguid,
            )
        email = ex & (self.u() < 0.08)
        m.add_columns(
            int(email.sum()),
            user_id=at(self.entra_id, email),
            odata_type=g.EMAIL_METHOD,
            id=g.EMAIL_METHOD_ID,
            emailAddress=at(join(self.sam, "@outlook.com"), email),
        )
        # preferred methods: what the user's methods allow, or what an earlier migration set
        r = self.u()
        pref = np.full(n, None, dtype=object)
        pref[has_mobile & (r < 0.25)] = "sms"
        pref[has_mobile & (r >= 0.25) & (r < 0.35)] = "voiceMobile"
        pref[has_auth & (r < 0.7)] = "push"
        mapped = np.select(
            [self.method == "text_message", self.method == "mobile_app", self.method == "oath_token"],
            ["sms", "push", "oath"],
            "voiceMobile",
        )
        reset = mig & (self.u() < 0.8)
        pref[reset] = mapped[reset]
        self.pop.entra_users.add_columns(
            int(ex.sum()),
            id=at(self.entra_id, ex),
            userPrincipalName=at(self.upn, ex),
            displayName=at(join(self.first, " ", self.last), ex),
            accountEnabled=self.entra_enabled[ex],
            userType="Member",
            mail=at(self.entra_mail, ex),
            onPremisesSyncEnabled=True,
            onPremisesSecurityIdentifier=at(self.entra_sid, ex),
            onPremisesSamAccountName=at(self.sam, ex),
            onPremisesImmutableId=at(self.immutable, ex),
            employeeId=at(self.employee, ex),
            preferred=pref[ex],
            systemPreferred=self.system_preferred[ex],
        )
        self._groups(ex, mig)

    def _migrated_devices(self, mig: Mask, created: Strings) -> Mask:
        """Devices an earlier migration created: Authenticator methods plus ledger lines (some stale,
        some known by device token only)."""
        rng, owner = self.rng, self.dev_owner
        activated = self.dev_activated.fill_null("").to_numpy(zero_copy_only=False).astype(str)
        order = np.lexsort((activated, owner))
        rank = np.empty(len(owner), dtype=np.int64)
        rank[order] = occurrence_ranks(owner[order].astype(np.int64))
        moved = mig[owner] & (rank < 4) & (rng.random(len(owner)) < 0.9)
        k = int(moved.sum())
        moved_owner = owner[moved]
        method_ids = randoms.guids(rng, k)
        kept = rng.random(k) >= 0.05  # 5%: removed from Entra since, the ledger line is stale
        names = at(self.dev_name, moved).fill_null("Authenticator")
        self.pop.methods.add_columns(
            int(kept.sum()),
            user_id=at(self.entra_id.take(moved_owner), kept),
            odata_type=g.AUTHENTICATOR_METHOD,
            id=at(method_ids, kept),
            displayName=at(names, kept),
            deviceTag="SoftwareTokenActivated",
            phoneAppVersion="6.8.4",
            createdDateTime=at(created.take(moved_owner), kept),
        )
        token_only = rng.random(k) < 0.1
        secrets = at(self.dev_secret, moved).to_pylist()
        tokens = at(self.dev_token, moved).to_pylist()
        self.pop.ledger.add_columns(
            k,
            userId=self.entra_id.take(moved_owner),
            entraMethodId=method_ids,
            kind="device",
            secretSha256=[
                None if s is None or t else secret_fingerprint(s)
                for s, t in zip(secrets, token_only, strict=True)
            ],
            deviceTokenSha256=[device_token_fingerprint(t) for t in tokens],
        )
        has = np.zeros(self.n, dtype=bool)
        has[moved_owner[kept]] = True
        return has

    def _own_authenticators(self, candidates: Mask, created: Strings) -> Mask:
        """Authenticator registrations users made themselves (no ledger line)."""
        rng = self.rng
        own = candidates & (self.u() < 0.10)
        owner = np.repeat(np.arange(self.n), np.where(own, rng.integers(1, 3, self.n), 0))
        j = len(owner)
        self.pop.methods.add_columns(
            j,
            user_id=self.entra_id.take(owner),
            odata_type=g.AUTHENTICATOR_METHOD,
            id=randoms.guids(rng, j),
            displayName=choose(rng, j, IOS_DEVICES + ANDROID_DEVICES),
            deviceTag="SoftwareTokenActivated",
            phoneAppVersion=choose(rng, j, IOS_APP_VERSIONS),
            createdDateTime=created.take(owner),
        )
        return own

    def _migrated_tokens(self, mig: Mask) -> None:
        rng = self.rng
        hw = mig & self.token_migratable & (self.u() < 0.9)
        k = int(hw.sum())
        method_ids = randoms.guids(rng, k)
        serial = at(self.oath_serial, hw)
        self.pop.methods.add_columns(
            k,
            user_id=at(self.entra_id, hw),
            odata_type=g.HARDWARE_OATH_METHOD,
            id=method_ids,
            serialNumber=serial,
            manufacturer=choose(rng, k, OATH_MANUFACTURERS),
            model="C200",
            displayName=join("Token ", serial),
            createdDateTime=at(self.last_migrated_at, hw),
        )
        self.pop.ledger.add_columns(
            k,
            userId=at(self.entra_id, hw),
            entraMethodId=method_ids,
            kind="oath_token",
            secretSha256=[secret_fingerprint(s) for s in at(self.oath_secret, hw).to_pylist()],
        )

    def _groups(self, ex: Mask, mig: Mask) -> None:
        """Direct members of the migration waves, rollout rings and other groups."""
        ids = self.entra_id
        active = ex & (self.enabled == 1)
        r = self.u()

        def members(mask: Mask, cap: int | None = None) -> list[str]:
            chosen = at(ids, mask)
            return list((chosen.slice(0, cap) if cap else chosen).to_pylist())

        self.pop.members = {
            WAVE1: members(active & (r < 0.20)),
            WAVE2: members(active & (r >= 0.20) & (r < 0.35)),
            PILOT: members(active & (r >= 0.35) & (r < 0.37)),
            MIGRATION: members(active & (r >= 0.37) & (r < 0.375)),
            "sales": members(ex & (self.group == "Sales")),
            "ring1": members(mig, 50_000),  # Staged Rollout caps a group at 50,000 users
            "ring2": members(ex & ~mig & (r >= 0.375) & (r < 0.40), 50_000),
            "company": members(ex & (r >= 0.5), 50_000),
            "phs": members(ex & (r >= 0.9), 20_000),
            "helpdesk": members(ex & (self.group == "IT") & (r < 0.1)),
        }


def extra_entra_users(draw: MfaDraw, k: int) -> None:
    """Entra users MFA Server does not know: cloud-only admins, guests, new hires, leavers."""
    rng, pop = draw.rng, draw.pop
    kind = randoms.pick(rng, k, {"cloud": 40, "guest": 30, "new_hire": 20, "leaver": 10})
    ids = randoms.guids(rng, k)
    fi = rng.integers(0, len(FIRST_NAMES), k)
    li = rng.integers(0, len(LAST_NAMES), k)
    base = join(
        pa.array([slug(x) for x in FIRST_NAMES]).take(fi),
        ".",
        pa.array([slug(x) for x in LAST_NAMES]).take(li),
        "-x",
        np.arange(k),
    )
    guest = kind == "guest"
    upn = where(
        kind == "cloud",
        join(base, "@" + INITIAL_DOMAIN),
        where(guest, join(base, "_gmail.com#EXT#@" + INITIAL_DOMAIN), join(base, "@contoso.com")),
    )
    synced = np.isin(kind, ["new_hire", "leaver"])
    sid = join(draw.domain_sid["CONTOSO"] + "-", 3_000_000 + np.arange(k))
    pop.entra_users.add_columns(
        k,
        id=ids,
        userPrincipalName=upn,
        displayName=join(pa.array(list(FIRST_NAMES)).take(fi), " ", pa.array(list(LAST_NAMES)).take(li)),
        accountEnabled=kind != "leaver",
        userType=np.where(guest, "Guest", "Member"),
        mail=where(guest, join(base, "@gmail.com"), upn),
        onPremisesSyncEnabled=pa.array(np.ones(k, dtype=bool), mask=~synced),
        onPremisesSecurityIdentifier=where(synced, sid),
        onPremisesSamAccountName=where(synced, base),
        employeeId=where(~guest, strings(rng.integers(100000, 999999, k))),
        systemPreferred=rng.random(k) < 0.6,
    )
    pop.methods.add_columns(k, user_id=ids, odata_type=g.PASSWORD_METHOD, id=g.PASSWORD_METHOD_ID)
