"""parse_phone: the reference reading of one number (DESIGN 4.3 and 4.9)."""

from __future__ import annotations

import pytest

from analysis.sources.phones import graph_number_e164, parse_phone, split_graph_number


@pytest.mark.parametrize(
    ("country_code", "number", "e164"),
    [
        ("44", "020 7946 0018", "+442079460018"),  # national form with trunk zero
        ("44", "02079460018", "+442079460018"),
        ("44", "2079460018", "+442079460018"),  # without the trunk zero
        ("+44", "07911 123456", "+447911123456"),  # country code stored with '+'
        (" 44 ", "07911-123456", "+447911123456"),
        ("1", "(201) 555-0123", "+12015550123"),
        ("1", "201.555.0123", "+12015550123"),
        ("1", "1 (201) 555-0123", "+12015550123"),  # NANP trunk 1
        ("49", "030 123456", "+4930123456"),
        ("33", "06 12 34 56 78", "+33612345678"),
        ("39", "06 6988 1234", "+390669881234"),  # Italian leading zero is kept
        ("54", "011 15-2345-6789", "+5491123456789"),  # Argentina: national prefix transform rule
        ("81", "090-1234-5678", "+819012345678"),
        ("44", "447911123456", "+447911123456"),  # country code typed without '+'
        ("44", "0044 7911 123456", "+447911123456"),  # international dialling prefix
        ("44", "+44 (0)20 7946 0018", "+442079460018"),
        (None, "+61 2 9876 5432", "+61298765432"),  # '+' ignores the (missing) country code
        ("UK", "+44 7911 123456", "+447911123456"),  # ... and a non-numeric one
        ("1", "+44 7911 123456", "+447911123456"),  # ... and a different one
        ("44", "tel. 020 7946 0018", "+442079460018"),  # text around the number
    ],
)
def test_valid_numbers(country_code: str | None, number: str, e164: str) -> None:
    parsed = parse_phone(country_code, number)
    assert parsed.valid, parsed.error
    assert parsed.e164 == e164
    cc = e164[1 : 1 + len(str(parsed.country_code))]
    assert parsed.graph_number == f"+{cc} {e164[1 + len(cc) :]}"
    assert parsed.error is None


def test_graph_format_keeps_leading_zero_and_separates_country_code() -> None:
    assert parse_phone("39", "06 6988 1234").graph_number == "+39 0669881234"
    assert parse_phone("1", "(201) 555-0123").graph_number == "+1 2015550123"


@pytest.mark.parametrize(
    ("country_code", "number", "error"),
    [
        (None, "2015550123", "no country code"),
        ("", "2015550123", "no country code"),
        ("+", "2015550123", "no country code"),
        ("UK", "020 7946 0018", "country code is not a number"),
        ("4 4", "020 7946 0018", "country code is not a number"),
        ("999", "1234567", "unknown country code"),
        ("800", "12345678", "unknown country code"),  # non-geographic: only valid written with '+'
        ("1", "+0 123 4567", "unknown country code"),
        ("44", "07400 12", "not a valid number for country code +44"),
        ("1", "555-1234", "not a valid number for country code +1"),
        ("44", "n/a", "not a phone number"),
        ("44", "   ", "no number"),
        ("44", "1" * 40, "too long"),
        ("44", "020 7946 0018 ext 12", "the number contains an extension; keep it in the extension field"),
    ],
)
def test_invalid_numbers(country_code: str | None, number: str, error: str) -> None:
    parsed = parse_phone(country_code, number)
    assert not parsed.valid
    assert parsed.e164 is None and parsed.graph_number is None
    assert parsed.error == error


def test_invalid_number_keeps_what_was_parsed() -> None:
    parsed = parse_phone("44", "07400 12")
    # phonenumbers keeps the trunk zero when the rest would be too short to be a number
    assert (parsed.country_code, parsed.national_number) == (44, "0740012")


def test_non_geographic_number_with_plus_is_valid() -> None:
    assert parse_phone(None, "+800 1234 5678").e164 == "+80012345678"


@pytest.mark.parametrize(
    ("graph", "number", "extension", "e164"),
    [
        ("+44 2079460018x123", "+44 2079460018", "123", "+442079460018"),
        ("+1 2015550123", "+1 2015550123", None, "+12015550123"),
        ("+1 2015550123X 77 ", "+1 2015550123", "77", "+12015550123"),
        ("+44 07911123456", "+44 07911123456", None, "+447911123456"),  # trunk zero typed into Graph
        ("+1 5555551234", "+1 5555551234", None, "+15555551234"),  # parses although not a valid number
        ("2015550123", "2015550123", None, None),  # no '+': nothing to compare with
    ],
)
def test_graph_numbers(graph: str, number: str, extension: str | None, e164: str | None) -> None:
    assert split_graph_number(graph) == (number, extension)
    assert graph_number_e164(graph) == e164
