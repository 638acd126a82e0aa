"""Realistic phone numbers for the sample, in the many ways people type them into MFA Server.

Each country has a few *templates*: a phonenumbers example number (mobile or fixed line) whose last
``k`` digits are random, ``k`` chosen as large as the country's numbering plan allows while every
trial number stays valid. A template renders those digits in several *styles* (national with trunk
zero, international with ``+cc``, bare digits, dashes, dots, an IDD prefix, ...), each style checked
once against :func:`analysis.sources.phones.parse_phone` so a number meant to be valid is valid. Rendering a
million numbers is a handful of numpy operations per (template, style).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import phonenumbers
from numpy.typing import NDArray
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from analysis.sample.randoms import Strings, fixed
from analysis.sources.phones import parse_phone

# (region, relative weight): where the sample's users live.
COUNTRIES: dict[str, float] = {
    "US": 30,
    "GB": 18,
    "DE": 9,
    "FR": 6,
    "IN": 6,
    "CA": 5,
    "AU": 4,
    "NL": 3,
    "IT": 3,
    "ES": 3,
    "BR": 2,
    "JP": 2,
    "SE": 1.5,
    "CH": 1.5,
    "IE": 1.5,
    "PL": 1,
    "ZA": 1,
    "MX": 1,
    "SG": 1,
    "AR": 0.5,
}

# How an MFA Server phone field is typed (relative weights). All of these are valid numbers.
STYLES: dict[str, float] = {
    "national": 40,  # 020 7946 0018, (201) 555-0123
    "national_digits": 15,  # 02079460018
    "nsn": 10,  # 2079460018 (no trunk prefix)
    "international": 12,  # +44 20 7946 0018 (the country code column is then ignored)
    "e164": 5,  # +442079460018
    "dashes": 6,  # 020-7946-0018
    "dots": 3,  # 020.7946.0018
    "cc_digits": 3,  # 442079460018 (country code typed without '+')
    "idd": 1,  # 00 44 20 7946 0018 (the region's international prefix)
    "intl_trunk": 1,  # +44 (0)20 7946 0018
    "labelled": 0.5,  # tel. 020 7946 0018 (text around the number)
}
MAX_RANDOM_DIGITS = 7


@dataclass(frozen=True)
class Template:
    region: str
    kind: str  # 'mobile' | 'fixed'
    cc: int
    nsn: str  # the example's national significant number
    k: int  # trailing digits that are random
    styles: dict[str, tuple[bytes, tuple[int, ...]]]  # style -> (rendered example, positions of the k digits)

    def render(self, style: str, digits: NDArray[np.uint8]) -> Strings:
        """Render rows of random digits (n, >= k) in ``style``, as an arrow string array."""
        base, positions = self.styles[style]
        n = digits.shape[0]
        out = np.tile(np.frombuffer(base, dtype=np.uint8), (n, 1))
        out[:, list(positions)] = digits[:, : self.k] + ord("0")
        return fixed(out)

    def graph(self, digits: NDArray[np.uint8]) -> Strings:
        """Graph's ``+{cc} {nsn}`` form of the same numbers."""
        return self.render("graph", digits)


def _with_digits(nsn: str, k: int, tail: str) -> str:
    return nsn[: len(nsn) - k] + tail


def _styled(region: str, cc: int, nsn: str) -> dict[str, str]:
    number = phonenumbers.parse(f"+{cc}{nsn}")
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    idd = (meta.preferred_international_prefix or meta.international_prefix or "00") if meta else "00"
    trunk = (meta.national_prefix or "") if meta else ""
    styles = {
        "national": national,
        "national_digits": "".join(ch for ch in national if ch.isdigit()),
        "nsn": nsn,
        "international": international,
        "e164": f"+{cc}{nsn}",
        "graph": f"+{cc} {nsn}",
        "dashes": national.replace(" ", "-"),
        "dots": ".".join(
            part for part in national.replace("(", "").replace(")", "").replace("-", " ").split()
        ),
        "cc_digits": f"{cc}{nsn}",
        "idd": f"{idd} {international[1:]}" if idd.isdigit() else "",
        "intl_trunk": f"+{cc} ({trunk}){international.split(' ', 1)[1]}" if trunk else "",
        "labelled": f"tel. {national}",
    }
    return {k: v for k, v in styles.items() if v}


def _positions(text: str, k: int) -> tuple[int, ...]:
    digit_at = [i for i, ch in enumerate(text) if ch.isdigit()]
    return tuple(digit_at[-k:])


def _k_ok(rng: np.random.Generator, cc: int, nsn: str, k: int) -> bool:
    """Do 30 random tails of k digits all give valid numbers?"""
    tails = rng.integers(0, 10, size=(30, k))
    return all(parse_phone(str(cc), _with_digits(nsn, k, "".join(map(str, row)))).valid for row in tails)


def _valid_k(rng: np.random.Generator, cc: int, nsn: str) -> int:
    """Largest k whose random tails all give valid numbers (0 if even k=2 fails)."""
    for k in range(min(MAX_RANDOM_DIGITS, len(nsn) - 2), 1, -1):
        if _k_ok(rng, cc, nsn, k):
            return k
    return 0


@cache
def build_templates(seed: int) -> tuple[Template, ...]:
    """Templates for every country in :data:`COUNTRIES`, deterministic for ``seed`` (cached: building
    them parses a few thousand trial numbers)."""
    rng = np.random.default_rng([seed, 1])
    templates: list[Template] = []
    for region in COUNTRIES:
        cc = phonenumbers.country_code_for_region(region)
        for kind_name, kind in (("mobile", PhoneNumberType.MOBILE), ("fixed", PhoneNumberType.FIXED_LINE)):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            for nsn, k in _variants(rng, region, cc, phonenumbers.national_significant_number(example)):
                _add_template(rng, templates, region, kind_name, cc, nsn, k)
    return tuple(templates)


def _variants(rng: np.random.Generator, region: str, cc: int, nsn: str) -> list[tuple[str, int]]:
    """The example plus up to three neighbours (the two digits before the random tail changed), so a
    big sample does not reuse the same few hundred thousand numbers."""
    k = _valid_k(rng, cc, nsn)
    if k == 0:
        return []
    found = [(nsn, k)]
    for _ in range(12):
        if len(found) == 4 or len(nsn) - k < 3:
            break
        cut = len(nsn) - k
        head = nsn[: cut - 2] + "".join(map(str, rng.integers(0, 10, 2)))
        variant = head + nsn[cut:]
        if variant not in (f for f, _ in found) and _k_ok(rng, cc, variant, k):
            found.append((variant, k))
    return found


def _add_template(
    rng: np.random.Generator,
    templates: list[Template],
    region: str,
    kind_name: str,
    cc: int,
    nsn: str,
    k: int,
) -> None:
    """A template for ``nsn`` with the styles whose random renders parse back to the intended number."""
    styles: dict[str, tuple[bytes, tuple[int, ...]]] = {}
    for style, text in _styled(region, cc, nsn).items():
        positions = _positions(text, k)
        if len(positions) < k or not text.isascii():
            continue
        # keep a style only if random renders parse back to the intended number
        tails = rng.integers(0, 10, size=(5, k)).astype(np.uint8)
        trial = Template(region, kind_name, cc, nsn, k, {style: (text.encode(), positions)})
        wanted = [f"+{cc}{_with_digits(nsn, k, ''.join(map(str, t)))}" for t in tails]
        rendered = trial.render(style, tails).to_pylist()
        if style in ("graph", "e164") or all(
            parse_phone(str(cc), r).e164 == w for r, w in zip(rendered, wanted, strict=True)
        ):
            styles[style] = (text.encode(), positions)
    templates.append(Template(region, kind_name, cc, nsn, k, styles))
