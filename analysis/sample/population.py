"""The random part of the sample: MFA Server users and their Entra counterparts, built column-wise.

Every decision is a vectorised draw over all users at once (numpy for numbers and masks, arrow for
strings), so a million users take seconds. The proportions are chosen to look like a real MFA Server
estate: mostly valid numbers typed in many ways, some extensions and backup phones, one or two
Authenticator devices per app user, a few hardware tokens, a tenth already migrated, a few percent
disabled, unmatched or without a phone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from analysis.graph import constants as g
from analysis.sample import randoms
from analysis.sample.numbers import COUNTRIES, STYLES, Template
from analysis.sample.randoms import Strings, at, choose, join, strings, where
from analysis.sample.scenarios import MIGRATION, PILOT, WAVE1, WAVE2
from analysis.sample.tables import Table
from analysis.sample.vocabulary import (
    ANDROID_APP_VERSIONS,
    ANDROID_DEVICES,
    BAD_EXTENSIONS,
    BAD_NUMBERS,
    DEFAULT_SELECTION,
    FIRST_NAMES,
    FORESTS,
    INITIAL_DOMAIN,
    IOS_APP_VERSIONS,
    IOS_DEVICES,
    LANGUAGES,
    LAST_NAMES,
    MFA_USER_GROUPS,
    OATH_MANUFACTURERS,
    OTHER_SELECTIONS,
)
from analysis.sources.fingerprint import device_token_fingerprint, secret_fingerprint

Mask = NDArray[np.bool_]

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
ENTRA_USER_COLUMNS = (
    "id",
    "userPrincipalName",
    "displayName",
    "accountEnabled",
    "userType",
    "mail",
    "onPremisesSyncEnabled",
    "onPremisesSecurityIdentifier",
    "onPremisesSamAccountName",
    "onPremisesImmutableId",
    "employeeId",
    "preferred",
    "systemPreferred",
)
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

FIDO2_AAGUIDS = ("cb69481e-8ff7-4039-93ec-0a2729a154a8", "ee882879-721c-4913-9775-3dfcce97072a")
PLUS_STYLES = ("international", "e164", "intl_trunk")


@dataclass
class Population:
    users: Table = field(default_factory=lambda: Table(MFA_USER_COLUMNS, MFA_USER_TYPES))
    devices: Table = field(default_factory=lambda: Table(DEVICE_COLUMNS, DEVICE_TYPES))
    entra_users: Table = field(default_factory=lambda: Table(ENTRA_USER_COLUMNS, ENTRA_USER_TYPES))
    methods: Table = field(default_factory=lambda: Table(METHOD_COLUMNS))
    ledger: Table = field(default_factory=lambda: Table(LEDGER_COLUMNS))
    members: dict[str, list[str]] = field(default_factory=dict)  # group key -> Entra user ids


def slug(name: str) -> str:
    """A name as it appears in a username: ASCII, lower case, letters, digits and '-' only."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum() or ch == "-")


def _ranks(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """0 for the first occurrence of each key (in order), 1 for the second, ..."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]] if len(keys) else np.zeros(0, bool)
    idx = np.arange(len(keys))
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = idx - np.maximum.accumulate(np.where(starts, idx, 0))
    return ranks


def _text_keys(values: Strings) -> NDArray[np.int64]:
    """An integer per distinct string (equal strings, equal keys)."""
    return np.asarray(pc.index_in(values, pc.unique(values)).to_numpy(), dtype=np.int64)


def _suffix(ranks: NDArray[np.int64]) -> Strings:
    """'' for the first holder of a name, '2', '3', ... for the next ones."""
    return where(ranks == 0, "", strings(ranks + 1))


def _cc_ok(cc: Strings) -> Mask:
    """Country code cells that parse_phone accepts for the sample's countries ('44', '+44', ' 44 ')."""
    text = pc.utf8_trim_whitespace(pc.utf8_ltrim(pc.utf8_trim_whitespace(cc), "+"))
    ok = pc.and_(pc.match_substring_regex(text, "^[0-9]+$"), pc.not_equal(text, "999"))
    return np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool)


class _Draw:
    """The population's random draws, kept together so each step reads like its description."""

    def __init__(
        self,
        seed: int,
        n: int,
        templates: Sequence[Template],
        first_user_id: int,
        first_device_id: int,
        domain_sid: dict[str, str],
    ) -> None:
        self.rng = np.random.default_rng([seed, 3])
        self.n = n
        self.templates = templates
        self.user_ids = np.arange(first_user_id, first_user_id + n)
        self.first_device_id = first_device_id
        self.domain_sid = domain_sid
        self.pop = Population()

    def u(self, n: int | None = None) -> NDArray[np.float64]:
        return self.rng.random(self.n if n is None else n)

    # ------------------------------------------------------------------ people
    def people(self) -> None:
        rng, n = self.rng, self.n
        fi = rng.integers(0, len(FIRST_NAMES), n)
        li = rng.integers(0, len(LAST_NAMES), n)
        first_slug = pa.array([slug(x) for x in FIRST_NAMES]).take(fi)
        last_slug = pa.array([slug(x) for x in LAST_NAMES]).take(li)
        base = join(first_slug, ".", last_slug)  # 'Sofia' and 'Sofía' share one: rank on the text
        self.slug = join(base, _suffix(_ranks(_text_keys(base))))
        initial = pc.utf8_slice_codeunits(first_slug, 0, 1)
        sam_base = pc.utf8_slice_codeunits(join(initial, last_slug), 0, 17)
        self.sam = join(sam_base, _suffix(_ranks(_text_keys(sam_base))))
        forest = self.u() < 0.25  # False: contoso, True: fabrikam
        domain = where(forest, FORESTS[1][0], FORESTS[0][0])
        netbios = where(forest, FORESTS[1][1], FORESTS[0][1])
        self.upn = join(self.slug, "@", domain)
        typed = where(self.u() < 0.08, join(pc.utf8_title(self.slug), "@", domain), self.upn)
        self.username = where(self.u() < 0.30, join(netbios, "\\", self.sam), typed)
        sid_prefix = where(forest, self.domain_sid[FORESTS[1][1]], self.domain_sid[FORESTS[0][1]])
        self.sid = join(sid_prefix, "-", 1_100_000 + self.user_ids)
        r = self.u()
        email = where(r < 0.02, join(" ", pc.utf8_upper(self.upn), " "), self.upn)
        self.email = where(r > 0.95, None, email)
        self.first = pa.array(list(FIRST_NAMES)).take(fi)
        self.last = pa.array(list(LAST_NAMES)).take(li)
        self.mfa_sid = where(self.u() < 0.04, None, self.sid)
        self.enabled = (self.u() >= 0.03).astype(np.int64)
        self.group = randoms.pick(rng, n, MFA_USER_GROUPS)

    # ------------------------------------------------------------------ phones
    def _numbers(
        self, region_of: NDArray[np.str_], fixed_share: float
    ) -> tuple[Strings, Strings, NDArray[np.int64], NDArray[np.uint8], NDArray[np.str_]]:
        """(typed number, country code cell, template index, digits, style) for each user."""
        rng, n = self.rng, len(region_of)
        tmpl = np.zeros(n, dtype=np.int64)
        fixed = rng.random(n) < fixed_share
        pick = rng.random(n)
        for region in COUNTRIES:
            for kind, want in (("mobile", ~fixed), ("fixed", fixed)):
                choices = [i for i, t in enumerate(self.templates) if t.region == region and t.kind == kind]
                if not choices:
                    choices = [i for i, t in enumerate(self.templates) if t.region == region]
                rows = (region_of == region) & want
                tmpl[rows] = np.array(choices)[(pick[rows] * len(choices)).astype(int)]
        digits = rng.integers(0, 10, size=(n, 7), dtype=np.uint8)
        style = randoms.pick(rng, n, STYLES)
        # render each (template, style) group in one go, then put rows back in order
        style_names, style_idx = np.unique(style, return_inverse=True)
        key = tmpl * len(style_names) + style_idx
        order = np.argsort(key, kind="stable")
        chunks = []
        for rows in np.split(order, np.flatnonzero(np.diff(key[order])) + 1):
            if len(rows):
                template = self.templates[int(tmpl[rows[0]])]
                s = str(style_names[style_idx[rows[0]]])
                if s not in template.styles:  # this template's renders in that style did not parse back
                    s = "national" if "national" in template.styles else "e164"  # e164 is always kept
                    style[rows] = s  # what was typed decides whether the number is valid
                chunks.append(template.render(s, digits[rows]))
        typed = pa.concat_arrays(chunks).take(np.argsort(order)) if chunks else pa.array([], pa.string())
        cc = strings(np.array([t.cc for t in self.templates])[tmpl])
        region_code = strings(np.array([t.region for t in self.templates])[tmpl])
        r = rng.random(n)
        cc_cell = pc.case_when(
            pc.make_struct(*[pa.array(c) for c in (r < 0.86, r < 0.94, r < 0.955, r < 0.975, r < 0.99)]),
            cc,
            join("+", cc),
            join(" ", cc, " "),
            randoms.NULL,
            region_code,
            pa.scalar("999"),
        )
        return typed, cc_cell, tmpl, digits, style

    def phones(self) -> None:
        rng, n = self.rng, self.n
        region = randoms.pick(rng, n, COUNTRIES)
        typed, cc, tmpl, digits, style = self._numbers(region, 0.30)
        has = self.u() < 0.93
        bad = has & (self.u() < 0.015)
        broken = where(self.u() < 0.5, choose(rng, n, BAD_NUMBERS), pc.utf8_slice_codeunits(typed, 0, -3))
        self.phone = where(has, where(bad, broken, typed), None)
        self.phone_valid = has & ~bad & (np.isin(style, PLUS_STYLES) | _cc_ok(cc))
        self.cc = where(~has & (self.u() < 0.7), None, cc)
        ext_len = rng.integers(2, 6, n)
        ext_digits = randoms.digit_strings(rng, n, 5)
        ext = pc.utf8_slice_codeunits(ext_digits, 0, 5)
        ext = where(
            ext_len == 2,
            pc.utf8_slice_codeunits(ext_digits, 0, 2),
            where(
                ext_len == 3,
                pc.utf8_slice_codeunits(ext_digits, 0, 3),
                where(ext_len == 4, pc.utf8_slice_codeunits(ext_digits, 0, 4), ext),
            ),
        )
        has_ext = has & (self.u() < 0.12)
        bad_ext = has & (self.u() < 0.008)
        self.ext = where(bad_ext, choose(rng, n, BAD_EXTENSIONS), where(has_ext, ext, None))
        self.has_ext, self.good_ext = has_ext | bad_ext, has_ext & ~bad_ext
        self.tmpl, self.digits = tmpl, digits
        # backup phone: about a quarter of users, mostly a landline in the same country
        has_b = self.u() < 0.28
        b_typed, b_cc, b_tmpl, b_digits, b_style = self._numbers(region, 0.75)
        b_bad = has_b & (self.u() < 0.01)
        self.backup = where(has_b, where(b_bad, choose(rng, n, BAD_NUMBERS), b_typed), None)
        self.backup_cc = where(has_b, b_cc, None)
        self.backup_valid = has_b & ~b_bad & (np.isin(b_style, PLUS_STYLES) | _cc_ok(b_cc))
        self.b_has_ext = has_b & (self.u() < 0.15)
        self.backup_ext = where(self.b_has_ext, pc.utf8_slice_codeunits(ext_digits, 2, 5), None)
        self.b_tmpl, self.b_digits = b_tmpl, b_digits

    # ------------------------------------------------------------------ methods, modes, tokens, times
    def settings(self) -> None:
        rng, n = self.rng, self.n
        app_user = self.u() < 0.40
        weights = np.array([0.0, 0.45, 0.25, 0.12, 0.07, 0.04, 0.03, 0.02, 0.02])
        count = np.where(app_user, rng.choice(9, n, p=weights), 0)
        others = ~app_user & (self.u() < 0.12)
        count[others] = rng.integers(1, 3, int(others.sum()))
        self.device_count = count
        token = self.u() < 0.05
        r = self.u()
        method = np.where(self.u() < 0.55, "phone_call", "text_message").astype("<U12")
        method[token & (r < 0.6)] = "oath_token"
        method[app_user & (count > 0) & (r < 0.85)] = "mobile_app"
        method[self.u() < 0.005] = "mobile_app"  # the app as default but no device left
        self.method = method
        pin_phone, pin_app, pin_text = self.u() < 0.10, self.u() < 0.08, self.u() < 0.05
        self.phone_mode = np.where(pin_phone, "pin", "standard")
        self.text_mode = np.where(pin_text, "otp_pin", "otp")
        self.text_direction = np.where(self.u() < 0.3, "two_way", "one_way")
        self.app_mode = np.where(pin_app, "pin", "standard")
        has_pin = pin_phone | pin_app | pin_text
        self.pin_hash = where(has_pin, randoms.hex_strings(rng, n, 40))
        self.pin_salt = where(has_pin, randoms.hex_strings(rng, n, 8))
        self.language = randoms.pick(rng, n, LANGUAGES)
        # hardware tokens: Base32 secrets typed in different ways; some HOTP, some without a secret
        secret = randoms.base32_strings(rng, n, 32)
        r = self.u()
        grouped = join(
            *[x for i in range(0, 32, 4) for x in (pc.utf8_slice_codeunits(secret, i, i + 4), " ")][:-1]
        )
        typed_secret = where(r < 0.1, pc.utf8_lower(secret), where(r < 0.2, grouped, secret))
        no_secret = self.u() < 0.06
        hotp = self.u() < 0.1
        self.token_secret = typed_secret
        self.oath_serial = where(token, join("FT2", randoms.digit_strings(rng, n, 7)))
        self.oath_secret = where(token & ~no_secret, typed_secret)
        self.oath_kind = where(token, where(hotp, "hotp", "totp"))
        self.oath_time_step = np.where(token, np.where(self.u() < 0.15, 60, 30), 0)
        self.has_token = token
        self.token_migratable = token & ~no_secret & ~hotp
        created = randoms.timestamps(rng, n, "2014-01-01", "2023-06-01")
        span = (np.datetime64("2024-06-01") - created).astype(np.int64)
        modified = created + (rng.random(n) * span).astype("timedelta64[s]")
        migrated = self.u() < 0.10
        last_migrated = randoms.timestamps(rng, n, "2024-01-15", "2024-06-15")
        changed = self.u() < 0.3
        before = last_migrated - rng.integers(60, 86400 * 90, n).astype("timedelta64[s]")
        after = last_migrated + rng.integers(60, 86400 * 10, n).astype("timedelta64[s]")
        modified = np.where(migrated, np.where(changed, after, np.maximum(before, created)), modified)
        self.created_at = randoms.iso(created)
        self.modified_at = where(self.u() < 0.01, None, randoms.iso(modified))
        self.migrated = migrated
        self.last_migrated = last_migrated
        self.last_migrated_at = where(migrated, randoms.iso(last_migrated))
        selection = where(self.u() < 0.88, DEFAULT_SELECTION, choose(rng, n, OTHER_SELECTIONS))
        self.migrated_selection = where(migrated, selection)

    def write_users(self) -> None:
        self.pop.users.add_columns(
            self.n,
            user_id=self.user_ids,
            username=self.username,
            object_sid=self.mfa_sid,
            first_name=self.first,
            last_name=self.last,
            email=self.email,
            user_group=self.group,
            enabled=self.enabled,
            country_code=self.cc,
            phone=self.phone,
            extension=self.ext,
            backup_country_code=self.backup_cc,
            backup_phone=self.backup,
            backup_extension=self.backup_ext,
            method=self.method,
            phone_mode=self.phone_mode,
            text_mode=self.text_mode,
            text_direction=self.text_direction,
            app_mode=self.app_mode,
            pin_hash=self.pin_hash,
            pin_salt=self.pin_salt,
            language=self.language,
            oath_serial=self.oath_serial,
            oath_secret=self.oath_secret,
            oath_kind=self.oath_kind,
            oath_time_step=pa.array(self.oath_time_step, mask=~self.has_token),
            created_at=self.created_at,
            modified_at=self.modified_at,
            last_migrated_at=self.last_migrated_at,
            migrated_selection=self.migrated_selection,
        )

    # ------------------------------------------------------------------ devices
    def devices(self) -> None:
        rng = self.rng
        owner = np.repeat(np.arange(self.n), self.device_count)
        d = len(owner)
        ios = rng.random(d) < 0.55
        name = where(ios, choose(rng, d, IOS_DEVICES), choose(rng, d, ANDROID_DEVICES))
        r = rng.random(d)
        name = where(r < 0.10, join(self.first.take(owner), "'s ", name), name)
        name = where((r >= 0.10) & (r < 0.13), join(" ", pc.utf8_lower(name), " "), name)
        name = where((r >= 0.13) & (r < 0.15), None, name)
        token = where(
            ios,
            randoms.hex_strings(rng, d, 64),
            join(randoms.b64url_strings(rng, d, 22), ":APA91b", randoms.b64url_strings(rng, d, 112)),
        )
        secret = where(rng.random(d) < 0.03, None, randoms.base32_strings(rng, d, 32))
        activated = randoms.iso(randoms.timestamps(rng, d, "2018-01-01", "2024-06-01"))
        tie = np.flatnonzero(np.r_[False, owner[1:] == owner[:-1]] & (rng.random(d) < 0.02))
        if len(tie):  # two devices of a user activated at the same second
            activated = activated.to_numpy(zero_copy_only=False).astype(object)
            activated[tie] = activated[tie - 1]
            activated = strings(activated)
        activated = where(rng.random(d) < 0.04, None, activated)
        notification = np.where(ios, "apns", np.where(rng.random(d) < 0.8, "fcm", "gcm"))
        version = where(ios, choose(rng, d, IOS_APP_VERSIONS), choose(rng, d, ANDROID_APP_VERSIONS))
        account = where(rng.random(d) < 0.5, "Contoso", join("Contoso: ", self.upn.take(owner)))
        self.pop.devices.add_columns(
            d,
            device_id=np.arange(self.first_device_id, self.first_device_id + d),
            user_id=self.user_ids[owner],
            device_name=name,
            device_token=token,
            oath_secret=secret,
            notification_type=notification,
            app_version=version,
            account_name=account,
            activated_at=activated,
        )
        self.dev_owner, self.dev_name, self.dev_token, self.dev_secret = owner, name, token, secret
        self.dev_activated = activated

    # ------------------------------------------------------------------ Entra users
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
        rank[order] = _ranks(owner[order].astype(np.int64))
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


def extra_entra_users(draw: _Draw, k: int) -> None:
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


def build(
    seed: int,
    n: int,
    templates: Sequence[Template],
    first_user_id: int,
    first_device_id: int,
    domain_sid: dict[str, str],
) -> Population:
    """``n`` random MFA Server users (ids from ``first_user_id``) and their Entra side."""
    draw = _Draw(seed, n, templates, first_user_id, first_device_id, domain_sid)
    if n == 0:  # only the scenario users: just the tenant's own extra users
        extra_entra_users(draw, 12)
        return draw.pop
    draw.people()
    draw.phones()
    draw.settings()
    draw.write_users()
    draw.devices()
    draw.entra()
    draw.entra_methods()
    extra_entra_users(draw, max(12, n // 25))
    return draw.pop
