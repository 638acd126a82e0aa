"""Phone masking: the documented shape, every input shape the workspace holds, free text and JSON."""

from __future__ import annotations

import re

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.output.masking import DOT, mask_array, mask_json, mask_number, mask_plan_values, mask_texts


def test_the_documented_example() -> None:
    assert mask_number("+49 301234589") == "+49 30•••••89"


def test_each_shape_the_workspace_holds() -> None:
    cases = {
        "+1 2015550119x55": "+1 20••••••19x55",  # Entra, with an extension
        "+44 7400100001": "+44 74••••••01",  # Graph format
        "07400 100001": "07•••••••01",  # MFA Server, as entered
        "(201) 555-0107": "20••••••07",
        "+14255550100": "+14•••••••00",  # E.164 without the space: the country code is not known
        "1234": "••••",  # too short to show any digit
        "no digits": "•••",
    }
    assert {raw: mask_number(raw) for raw in cases} == cases
    assert mask_number(None) is None


def test_arrays_keep_nulls_and_chunks() -> None:
    chunked = pa.chunked_array([["+49 301234589", None], ["+1 2015550119"]])
    out = mask_array(chunked)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 2
    assert out.to_pylist() == ["+49 30•••••89", None, "+1 20••••••19"]


# a shared 2-core machine can be slow: no deadline, no complaint about slow generation
PATIENT = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PATIENT
@given(st.integers(1, 999), st.text(alphabet="0123456789", min_size=5, max_size=14))
def test_a_masked_graph_number_shows_only_the_country_code_and_four_digits(code: int, nsn: str) -> None:
    cc, number = str(code), f"+{code} {nsn}"
    masked = mask_number(number)
    assert masked == f"+{cc} {nsn[:2]}{DOT * (len(nsn) - 4)}{nsn[-2:]}"
    assert nsn not in masked


@PATIENT
@given(st.text(alphabet="0123456789 ()-.+x", min_size=0, max_size=30))
def test_no_input_keeps_more_than_four_digits_after_its_country_code(raw: str) -> None:
    masked = mask_number(raw) or ""
    body = re.sub(r"^\+\d{1,3} ", "", masked)
    body = re.sub(r"\s*x\s*\d+$", "", body)  # an extension reaches a desk, not a person
    assert sum(ch.isdigit() for ch in body) <= 4


def test_free_text_masks_numbers_and_leaves_short_runs() -> None:
    texts = [
        "mobile phone +44 7400100011 in Entra will be replaced by +44 7400100012",
        'primary phone: "07400 1000" (country code "44"): too short',
        'extension "123" dropped; 42 users',
        None,
        7,
    ]
    assert mask_texts(texts) == [
        "mobile phone +44 74••••••11 in Entra will be replaced by +44 74••••••12",
        'primary phone: "07•••••00" (country code "44"): too short',
        'extension "123" dropped; 42 users',
        None,
        7,
    ]


def test_json_bodies_mask_phone_keys_only() -> None:
    body = {
        "phoneNumber": "+44 7400100011",
        "phoneType": "mobile",
        "id": "3179e48a-750b-4051-897c-87b9720928f7",
        "value": [{"phoneNumber": "+1 2015550119"}],
    }
    assert mask_json(body) == {
        "phoneNumber": "+44 74••••••11",
        "phoneType": "mobile",
        "id": "3179e48a-750b-4051-897c-87b9720928f7",
        "value": [{"phoneNumber": "+1 20••••••19"}],
    }


def test_plan_values_are_masked_for_phone_rows_only() -> None:
    items = pa.array(["phone", "backup_phone", "default_method", "device"])
    values = pa.array(["+44 7400100011", "+1 2015550119", "voiceMobile", None])
    assert mask_plan_values(items, values).to_pylist() == [
        "+44 74••••••11",
        "+1 20••••••19",
        "voiceMobile",
        None,
    ]


def test_plan_batches_mask_values_and_quoted_numbers_of_phone_rows() -> None:
    from analysis.output.masking import mask_plan_batch

    batch = pa.record_batch(
        {
            "item": ["phone", "device", "default_method"],
            "value": ["+1 2015144410x80", None, "voiceMobile"],
            "reason": [
                "Entra's office phone is already +1 2015144410x80",
                "activated 20230102 12345678",  # not a phone row: left alone
                "MFA Server method phone_call maps to voiceMobile",
            ],
        }
    )
    out = mask_plan_batch(batch).to_pydict()
    assert out["value"] == ["+1 20••••••10x80", None, "voiceMobile"]
    assert out["reason"] == [
        "Entra's office phone is already +1 20••••••10x80",
        "activated 20230102 12345678",
        "MFA Server method phone_call maps to voiceMobile",
    ]
