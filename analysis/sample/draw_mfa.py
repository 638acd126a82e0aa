"""The MFA Server side of the random population: people, phone numbers, settings, tokens and devices,
each a vectorised draw over every user at once."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from analysis.sample import randoms
from analysis.sample.columns import Population
from analysis.sample.numbers import COUNTRIES, STYLES, Template
from analysis.sample.randoms import Strings, choose, join, strings, where
from analysis.sample.vocabulary import (
    ANDROID_APP_VERSIONS,
    ANDROID_DEVICES,
    BAD_EXTENSIONS,
    BAD_NUMBERS,
    DEFAULT_SELECTION,
    FIRST_NAMES,
    FORESTS,
    IOS_APP_VERSIONS,
    IOS_DEVICES,
    LANGUAGES,
    LAST_NAMES,
    MFA_USER_GROUPS,
    OTHER_SELECTIONS,
)

Mask = NDArray[np.bool_]
#: Styles typed with a "+": valid whatever the country code cell says.
PLUS_STYLES = ("international", "e164", "intl_trunk")


def slug(name: str) -> str:
    """A name as it appears in a username: ASCII, lower case, letters, digits and '-' only."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum() or ch == "-")


def occurrence_ranks(keys: NDArray[np.int64]) -> NDArray[np.int64]:
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


class MfaDraw:
    """The MFA Server side's random draws, kept together so each step reads like its description."""

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
        self.slug = join(base, _suffix(occurrence_ranks(_text_keys(base))))
        initial = pc.utf8_slice_codeunits(first_slug, 0, 1)
        sam_base = pc.utf8_slice_codeunits(join(initial, last_slug), 0, 17)
        self.sam = join(sam_base, _suffix(occurrence_ranks(_text_keys(sam_base))))
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
