"""Phone numbers: parse and validate them exactly as the ``phonenumbers`` library does (docs/workspace.md).

:func:`parse_phone` is the reference: ``phonenumbers.parse`` in the region of the stored country code
(a number written with ``+`` ignores the country code) and ``is_valid_number``. Everyone who needs a
single number (simulator tests, the Graph emulator, the executor) calls it.

:func:`fill_phone_tables` does the same for a whole load. phonenumbers costs ~40-90 µs a number in
Python and a 1,000,000-user datafile holds ~1.5M numbers, so the common shapes (digits with spaces,
dashes, dots, parentheses and an optional leading ``+``) are parsed in DuckDB SQL that mirrors
phonenumbers' algorithm step by step, driven by phonenumbers' own metadata (national prefix rules,
international prefix, general and per-type patterns, possible lengths) passed as constant
parameters, one country calling code at a time. Every other shape (letters, extensions written into
the number, international dialling prefixes such as ``00``, unusual characters) goes to
:func:`parse_phone`. A property test checks that both paths agree on generated inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
import pyarrow as pa
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException, PhoneMetadata
from phonenumbers.phonemetadata import PhoneMetadata as NumberMetadata
from phonenumbers.phonemetadata import PhoneNumberDesc

from analysis.sqlfiles import sql

# Region code phonenumbers uses for non-geographic country codes (+800, +882, ...).
NON_GEO = "001"
_WS = " \t\r\n"
# phonenumbers' "a character that can start a phone number": '+', fullwidth '+', any decimal digit.
_START_CHAR = re.compile(r"[+\uFF0B\d]")
_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
# Number types checked by phonenumbers' _number_type_helper, in its order (fixed line and mobile last).
_TYPE_DESCS = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


@dataclass(frozen=True)
class ParsedPhone:
    """One parsed number. ``country_code``/``national_number`` are set whenever phonenumbers could parse
    the input (even when the number is not valid); ``e164``/``graph_number`` only when it is valid."""

    valid: bool
    country_code: int | None = None
    national_number: str | None = None  # national significant number, leading zeros kept
    error: str | None = None  # why it is not valid, for reports

    @property
    def e164(self) -> str | None:
        return f"+{self.country_code}{self.national_number}" if self.valid else None

    @property
    def graph_number(self) -> str | None:
        """Graph's format, ``+{country code} {national significant number}`` (no extension)."""
        return f"+{self.country_code} {self.national_number}" if self.valid else None


def _invalid(error: str) -> ParsedPhone:
    return ParsedPhone(valid=False, error=error)


def starts_with_plus(number: str) -> bool:
    """True when the first character that can start a number is a plus sign (phonenumbers' rule)."""
    m = _START_CHAR.search(number)
    return m is not None and m.group() in "+\uff0b"


def country_region(country_code: str | None) -> tuple[str | None, str | None]:
    """(region, error) for a stored country code such as ``'44'``, ``'+44'`` or ``None``."""
    text = (country_code or "").strip(_WS)
    if text.startswith("+"):
        text = text[1:].strip(_WS)
    if not text:
        return None, "no country code"
    if not re.fullmatch("[0-9]+", text):
        return None, "country code is not a number"
    regions = COUNTRY_CODE_TO_REGION_CODE.get(int(text)) if len(text) <= 9 else None
    if not regions or regions[0] == NON_GEO:
        return None, "unknown country code"
    return regions[0], None


def parse_phone(country_code: str | None, number: str | None) -> ParsedPhone:
    """Parse ``number`` as docs/workspace.md says: in the region of ``country_code`` unless the number is
    written with ``+``; invalid when the country code is missing, not numeric or unknown, when
    phonenumbers cannot parse it, when ``is_valid_number`` rejects it, or when the number itself
    carries an extension (the MFA Server keeps extensions in their own field; one typed into the
    number would otherwise be dropped silently)."""
    if number is None or not number.strip():
        return _invalid("no number")
    region: str | None = None
    if not starts_with_plus(number):
        region, error = country_region(country_code)
        if error:
            return _invalid(error)
    try:
        parsed = phonenumbers.parse(number, region)
    except NumberParseException as exc:
        return _invalid(_PARSE_ERRORS.get(exc.error_type, "not a phone number"))
    cc = parsed.country_code
    nsn = phonenumbers.national_significant_number(parsed)
    if parsed.extension:
        return ParsedPhone(False, cc, nsn, "the number contains an extension; keep it in the extension field")
    if not phonenumbers.is_valid_number(parsed):
        return ParsedPhone(False, cc, nsn, f"not a valid number for country code +{cc}")
    return ParsedPhone(True, cc, nsn)


def split_graph_number(phone_number: str) -> tuple[str, str | None]:
    """Graph's ``phoneNumber`` split at the first 'x' into (number, extension or None)."""
    at = phone_number.lower().find("x")
    if at < 0:
        return phone_number, None
    return phone_number[:at], phone_number[at + 1 :].strip() or None


def graph_number_e164(phone_number: str) -> str | None:
    """E.164 form of the number part of a Graph ``phoneNumber`` (None when it cannot be parsed)."""
    parsed = parse_phone(None, split_graph_number(phone_number)[0])
    if parsed.country_code is None:
        return None
    return f"+{parsed.country_code}{parsed.national_number}"


# ---------------------------------------------------------------------------------------- bulk path


#: Type groups per region the SQL takes (queries/sources/phones/setup.sql phone_region_ok); phonenumbers'
#: metadata has at most 8 (checked when a region is used).
TYPE_GROUP_SLOTS = 8
_NEVER = "x"  # a pattern no digit string matches: an unused type group slot


def _metadata(cc: int, region: str) -> NumberMetadata:
    meta = PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
    if meta is None:  # pragma: no cover - phonenumbers lists only regions it has metadata for
        raise RuntimeError(f"phonenumbers has no metadata for +{cc} ({region})")
    return meta


def _desc_pattern(desc: PhoneNumberDesc | None) -> str | None:
    if desc is None or not desc.national_number_pattern:
        return None
    return str(desc.national_number_pattern)


@cache
def _region_params(cc: int, region: str) -> dict[str, Any]:
    """What is_valid_number checks for ``region``: the general description and the number types,
    grouped by their possible lengths (so a group is one regular expression), in slots 1..8."""
    meta = _metadata(cc, region)
    general = meta.general_desc
    gen = _desc_pattern(general)
    if general is None or gen is None or not general.possible_length:
        raise RuntimeError(f"unexpected phonenumbers metadata for +{cc} ({region})")  # pragma: no cover
    by_len: dict[tuple[int, ...], list[str]] = {}
    for name in _TYPE_DESCS:
        if name == "mobile" and meta.same_mobile_and_fixed_line_pattern:
            continue  # phonenumbers does not look at mobile then
        desc = getattr(meta, name)
        pattern = _desc_pattern(desc)
        if pattern is not None:
            by_len.setdefault(tuple(desc.possible_length), []).append(pattern)
    if len(by_len) > TYPE_GROUP_SLOTS:  # pragma: no cover - true of every phonenumbers release so far
        raise RuntimeError(f"+{cc} ({region}) has {len(by_len)} number type groups; the SQL takes 8")
    params: dict[str, Any] = {"gen": gen, "gen_len": list(general.possible_length)}
    groups = [(list(lengths), "|".join(f"(?:{p})" for p in patterns)) for lengths, patterns in by_len.items()]
    groups += [([], _NEVER)] * (TYPE_GROUP_SLOTS - len(groups))
    for i, (lengths, pattern) in enumerate(groups, 1):
        params[f"l{i}"], params[f"p{i}"] = lengths, pattern
    shared = len(COUNTRY_CODE_TO_REGION_CODE[cc]) > 1
    leading = meta.leading_digits if shared else None
    params.update(has_ld=bool(leading), ld=f"^(?:{leading})" if leading else "^")
    return params


@cache
def _parse_params(cc: int) -> dict[str, Any]:
    """Constants for queries/sources/phones/parse_cc.sql: the metadata phonenumbers.parse and is_valid_number
    use for ``cc`` (parsing with its main region's rules)."""
    regions = COUNTRY_CODE_TO_REGION_CODE[cc]
    meta = _metadata(cc, regions[0])
    general = meta.general_desc
    assert general is not None
    gen_len = list(general.possible_length)
    if gen_len != sorted(gen_len):
        raise RuntimeError(f"unexpected phonenumbers metadata for +{cc}")  # pragma: no cover
    np_pattern = meta.national_prefix_for_parsing or ""
    rule = meta.national_prefix_transform_rule or ""
    ngroups = re.compile(np_pattern).groups if np_pattern else 0
    return {
        "cc": cc,
        "cc_str": str(cc),
        "idd": f"^(?:{meta.international_prefix or 'NonMatch'})",
        "has_np": bool(np_pattern),
        "np": f"^(?:{np_pattern})" if np_pattern else "^",
        "ngroups": ngroups,
        "has_rule": bool(rule) and ngroups > 0,
        "rule": rule,
        "local_len": list(general.possible_length_local_only),
        "shared": len(regions) > 1,
        **_region_params(cc, regions[0]),
    }


def _fast_path_safe(cc: int) -> bool:
    """Metadata the SQL mirrors exactly. An international prefix that can match nothing at all would
    be stripped by phonenumbers even then; no release has one, but such a code would go to
    phonenumbers rather than be parsed wrongly."""
    meta = _metadata(cc, COUNTRY_CODE_TO_REGION_CODE[cc][0])
    return not (meta.international_prefix and re.match(meta.international_prefix, ""))


def _cc_table() -> pa.Table:
    ccs = sorted(COUNTRY_CODE_TO_REGION_CODE)
    mains = [COUNTRY_CODE_TO_REGION_CODE[c][0] for c in ccs]
    return pa.table(
        {
            "cc": pa.array(ccs, pa.int32()),
            "main_region": pa.array(mains, pa.string()),
            "geographic": pa.array([m != NON_GEO for m in mains], pa.bool_()),
        }
    )


def _parse_fast(con: Any, cc: int) -> int:
    """Parse and validate the fast rows of ``cc`` in SQL; returns how many rows it parsed."""
    inserted = con.execute(sql("sources/phones/parse_cc"), _parse_params(cc)).fetchone()
    others = COUNTRY_CODE_TO_REGION_CODE[cc][1:]
    left = con.execute(sql("sources/phones/rest_count"), {"cc": cc}).fetchone() if others else None
    remaining = int(left[0]) if left else 0
    for region in others:  # numbers the main region did not take, region by region until none is left
        if remaining == 0:
            break
        taken = con.execute(
            sql("sources/phones/region_rest"), {"cc": cc, **_region_params(cc, region)}
        ).fetchone()
        remaining -= int(taken[0]) if taken else 0
    return int(inserted[0]) if inserted else 0


def _slow_results(rows: list[tuple[str | None, str]]) -> pa.Table:
    parsed = [parse_phone(cc_raw, num) for cc_raw, num in rows]
    return pa.table(
        {
            "cc_raw": pa.array([r[0] for r in rows], pa.string()),
            "num": pa.array([r[1] for r in rows], pa.string()),
            "cc": pa.array([p.country_code for p in parsed], pa.int32()),
            "nsn": pa.array([p.national_number for p in parsed], pa.string()),
            "valid": pa.array([p.valid for p in parsed], pa.bool_()),
            "perr": pa.array([p.error for p in parsed], pa.string()),
        }
    )


#: A country code with fewer fast rows than this is parsed by phonenumbers: the SQL statements for one
#: country code cost tens of milliseconds however few rows they touch, phonenumbers ~50 µs a number.
MIN_FAST_ROWS = 1000


def fill_phone_tables(con: Any, min_fast_rows: int = MIN_FAST_ROWS) -> dict[str, int]:
    """Fill ``mfa_phones`` and set ``entra_methods.phone_e164``/``phone_extension``.

    Called by the loader inside its load transaction, after ``mfa_users`` and ``entra_methods`` are
    filled and ``mfa_phones`` is empty. Returns counts for diagnostics: ``fast`` rows parsed in SQL,
    ``slow`` distinct inputs parsed by phonenumbers.
    """
    con.register("phone_cc_source", _cc_table())
    try:
        con.execute(sql("sources/phones/setup")).fetchall()
    finally:
        con.unregister("phone_cc_source")
    con.execute(sql("sources/phones/collect")).fetchall()
    fast = 0
    for (cc,) in con.execute(sql("sources/phones/fast_ccs"), {"min_rows": min_fast_rows}).fetchall():
        if _fast_path_safe(cc):
            fast += _parse_fast(con, cc)
    slow_inputs = con.execute(sql("sources/phones/slow_rows")).fetchall()
    con.register("phone_slow_source", _slow_results(slow_inputs))
    try:
        con.execute(sql("sources/phones/fill")).fetchall()
    finally:
        con.unregister("phone_slow_source")
    return {"fast": fast, "slow": len(slow_inputs)}
