"""fill_phone_tables: the bulk path must give exactly what parse_phone (phonenumbers) gives.

The SQL fast path re-implements phonenumbers' parsing and validation on its metadata, so these tests
compare the two on many inputs: every region's example numbers typed in every common way and
mutated, and hypothesis-generated numbers. They also check that the fast path really carries the
common shapes (otherwise agreement would be trivial).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import duckdb
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from analysis.sources.phones import fill_phone_tables, graph_number_e164, parse_phone, split_graph_number
from analysis.sqlfiles import sql

Row = tuple[str | None, str | None]  # (country code cell, number cell)
_PHONE_COLUMNS = ("country_code", "phone", "extension", "backup_country_code", "backup_phone")


def _workspace(
    phones: list[Row], backups: list[Row] | None = None, extensions: list[str | None] | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory workspace whose users have these phones (user_id = position in the list)."""
    con = duckdb.connect()
    con.execute(sql("sources/schema"))
    backups = backups or [(None, None)] * len(phones)
    users = pa.table(
        {
            "user_id": list(range(len(phones))),
            "country_code": [cc for cc, _ in phones],
            "phone": [number for _, number in phones],
            "extension": extensions or [None] * len(phones),
            "backup_country_code": [cc for cc, _ in backups],
            "backup_phone": [number for _, number in backups],
        },
        schema=pa.schema([("user_id", pa.int64())] + [(c, pa.string()) for c in _PHONE_COLUMNS]),
    )
    con.register("test_users", users)
    con.execute(
        "INSERT INTO mfa_users (user_id, username, enabled, country_code, phone, extension,"
        " backup_country_code, backup_phone, method, has_pin, details_known)"
        " SELECT user_id, 'user' || user_id, true, country_code, phone, extension, backup_country_code,"
        " backup_phone, 'phone_call', false, true FROM test_users"
    )
    con.unregister("test_users")
    return con


def _compare(rows: list[Row], min_fast_rows: int = 1) -> dict[str, int]:
    """Fill the phone table for ``rows`` and assert every row equals parse_phone's answer. By default
    the SQL path takes every country code, however few rows it has."""
    con = _workspace(rows)
    counts = fill_phone_tables(con, min_fast_rows=min_fast_rows)
    got = {
        uid: (e164, graph, valid, error)
        for uid, e164, graph, valid, error in con.execute(
            "SELECT user_id, e164, graph_number, valid, error FROM mfa_phones WHERE slot = 'phone'"
        ).fetchall()
    }
    mismatches = []
    for i, (cc, number) in enumerate(rows):
        if number is None or not number.strip(" "):
            assert i not in got
            continue
        p = parse_phone(cc, number)
        expected = (p.e164, p.graph_number, p.valid, p.error)
        if got.get(i) != expected:
            mismatches.append((cc, number, got.get(i), expected))
    assert not mismatches, mismatches[:20]
    return counts


def _examples() -> Iterator[tuple[int, str, str]]:
    """(country code, region, national significant number) of every example number phonenumbers has."""
    types = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE,
             PhoneNumberType.VOIP, PhoneNumberType.PREMIUM_RATE)  # fmt: skip
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in types:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                yield example.country_code, region, phonenumbers.national_significant_number(example)
    for cc in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(cc)
        if example is not None:
            yield cc, "001", phonenumbers.national_significant_number(example)


def _typed(cc: int, nsn: str) -> Iterable[Row]:
    number = phonenumbers.parse(f"+{cc}{nsn}")
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    yield str(cc), national
    yield str(cc), "".join(ch for ch in national if ch.isdigit())
    yield str(cc), nsn
    yield f"+{cc}", nsn[:-1]  # one digit short
    yield str(cc), nsn + "5"  # one digit long
    yield str(cc), nsn[:-3] + str((int(nsn[-3]) + 3) % 10) + nsn[-2:]  # one digit changed
    yield str(cc), f"{cc}{nsn}"  # country code typed without '+'
    yield None, international
    yield "1", f"+{cc}{nsn}"
    yield str(cc), national.replace(" ", "-")
    yield str(cc), f"0{nsn}"  # an extra trunk zero


@pytest.mark.slow
def test_every_region_agrees_and_mostly_takes_the_fast_path() -> None:
    rows = [row for cc, _, nsn in _examples() for row in _typed(cc, nsn)]
    counts = _compare(rows)
    assert len(rows) > 5000
    assert counts["fast"] >= 0.9 * len(rows)


def test_common_shapes_never_need_phonenumbers() -> None:
    rows: list[Row] = [
        ("44", "020 7946 0018"), ("+1", "(201) 555-0123"), ("1", "201.555.0123"), (None, "+49 30 123456"),
        ("33", "06-12-34-56-78"), ("91", "98765 43210"), ("54", "011 15 2345-6789"),
        ("55", "(11) 91234-5678"), ("81", "090-1234-5678"),
    ]  # fmt: skip
    assert _compare(rows) == {"fast": len(rows), "slow": 0}


def test_unusual_shapes_go_to_phonenumbers() -> None:
    rows: list[Row] = [
        ("44", "0044 20 7946 0018"), ("1", "1-800-FLOWERS"), ("44", "020 7946 0018 ext. 5"),
        ("44", "tel: 020 7946 0018"), ("44", "٠٢٠٧٩٤٦٠٠١٨"), ("1", "201\t555 0123"),
    ]  # fmt: skip
    counts = _compare(rows)
    assert counts["slow"] == len(rows)


def test_small_country_codes_go_to_phonenumbers_by_default() -> None:
    rows: list[Row] = [("44", "020 7946 0018")] * 3 + [("1", "(201) 555-0123")] * 2
    assert _compare(rows, min_fast_rows=3) == {"fast": 3, "slow": 1}


def test_rows_only_for_present_numbers_and_extensions_trimmed() -> None:
    con = _workspace(
        phones=[("44", "020 7946 0018"), ("44", "   "), ("44", None), ("1", "201 555 0123")],
        backups=[("44", "07911 123456"), ("44", ""), (None, None), ("1", "garbage")],
        extensions=[" 123 ", "5", None, "  "],
    )
    fill_phone_tables(con, min_fast_rows=1)
    rows = con.execute(
        "SELECT user_id, slot, e164, extension, valid FROM mfa_phones ORDER BY user_id, slot DESC"
    ).fetchall()
    assert rows == [
        (0, "phone", "+442079460018", "123", True),
        (0, "backup_phone", "+447911123456", None, True),
        (3, "phone", "+12015550123", None, True),
        (3, "backup_phone", None, None, False),
    ]


def test_entra_phone_methods_get_e164_and_extension() -> None:
    con = _workspace([("44", "020 7946 0018")])
    numbers = ["+44 2079460018x123", "+1 2015550123", "+44 07911123456", "+1 5555551234", "garbage"]
    con.executemany(
        "INSERT INTO entra_methods (user_id, method_id, odata_type, kind, phone_type, phone_number)"
        " VALUES (?, ?, '#microsoft.graph.phoneAuthenticationMethod', 'phone', 'mobile', ?)",
        [(f"e{i}", "3179e48a-750b-4051-897c-87b9720928f7", n) for i, n in enumerate(numbers)],
    )
    con.execute(
        "INSERT INTO entra_methods (user_id, method_id, odata_type, kind) "
        "VALUES ('e0', 'x', '#microsoft.graph.passwordAuthenticationMethod', 'password')"
    )
    fill_phone_tables(con, min_fast_rows=1)
    got = dict(
        con.execute(
            "SELECT phone_number, [phone_e164, phone_extension] FROM entra_methods WHERE kind = 'phone'"
        ).fetchall()
    )
    for number in numbers:
        assert got[number] == [graph_number_e164(number), split_graph_number(number)[1]]
    assert con.execute("SELECT phone_e164 FROM entra_methods WHERE kind = 'password'").fetchone() == (None,)


def test_leaves_no_work_tables_behind() -> None:
    con = _workspace([("44", "020 7946 0018"), ("44", "0044 20 7946 0018")])
    before = set(con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
    fill_phone_tables(con, min_fast_rows=1)
    assert set(con.execute("SELECT table_name FROM duckdb_tables()").fetchall()) == before


# ------------------------------------------------------------------ property test

_SEPARATORS = st.sampled_from(["", " ", "-", ".", " - ", "(", ")", ") "])
_EXAMPLES = list(_examples())


@st.composite
def _numbers(draw: st.DrawFn) -> list[Row]:
    """Numbers of the shapes people type, from up to three country codes per list (each country code
    costs the SQL path a few statements): an example number (or random digits) with a trunk prefix,
    country code or international prefix in front, digits changed, separators anywhere."""
    pool = draw(st.lists(st.sampled_from(_EXAMPLES), min_size=1, max_size=3))
    rows = []
    for _ in range(draw(st.integers(1, 60))):
        cc, _, nsn = draw(st.sampled_from(pool))
        if draw(st.booleans()):
            digits = list(nsn)
            for _ in range(draw(st.integers(0, 2))):
                at = draw(st.integers(0, len(digits) - 1))
                digits[at] = str(draw(st.integers(0, 9)))
            digits = digits[: draw(st.integers(max(1, len(digits) - 2), len(digits)))]
            digits += draw(st.lists(st.sampled_from("0123456789"), max_size=2))
        else:
            digits = draw(st.lists(st.sampled_from("0123456789"), min_size=1, max_size=18))
        prefix = draw(
            st.sampled_from(["", "0", "1", "8", "00", "011", "+", "+0", "15", str(cc), f"+{cc}", f"00{cc}"])
        )
        body = prefix + "".join(d + draw(_SEPARATORS) for d in digits)
        cell = draw(st.sampled_from([str(cc), f"+{cc}", f" {cc}", None, "", "x", "999", "1", "44", "7"]))
        rows.append((cell, body))
    return rows


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_numbers())
def test_fast_path_agrees_with_phonenumbers(rows: list[Row]) -> None:
    _compare(rows)


@pytest.mark.parametrize("cc", ["1", "44", "7", "39", "61", "590", "599", "212", "47", "358", "290", "262"])
def test_shared_country_codes_pick_the_region_phonenumbers_picks(cc: str) -> None:
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[int(cc)]
    rows: list[Row] = []
    for region in regions:
        for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                nsn = phonenumbers.national_significant_number(example)
                rows += [(cc, nsn), (cc, nsn[:-1] + "0"), (None, f"+{cc} {nsn}")]
    counts = _compare(rows)
    assert counts["fast"] == len(rows)
