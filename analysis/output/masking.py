"""Phone numbers masked by default in every output: ``+49 30•••••89``.

A masked number keeps the country code, the first two and the last two digits of the national number
(and an extension, which reaches a desk rather than a person); every other digit becomes ``•``. That is
enough for an administrator to tell two numbers of one user apart and to recognise a wrong country,
and not enough to call anyone. Numbers are shown in full only where an operator asked for it
(``--reveal-phones``; the dashboard's recorded toggle) and in the data handed to execution.

One implementation, vectorised over Arrow arrays (:func:`mask_array`): a million plan rows are masked
in well under a second. Single values, free text and JSON bodies go through the same function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

DOT = "•"
#: Shown in place of a value that has no digits at all (nothing of it is worth showing).
NO_DIGITS = DOT * 3
#: Said wherever full numbers are written, so whoever holds the file knows what it is.
REVEALED_NOTE = "This file holds full phone numbers (--reveal-phones): handle it as personal data."
MASKED_NOTE = "Phone numbers are masked (+49 30•••••89); --reveal-phones writes them in full."
#: Plan items whose ``value`` is a phone number.
PHONE_ITEMS: frozenset[str] = frozenset({"phone", "backup_phone"})
#: Columns of the plan and the what-if differences that hold a phone row's number, or quote one.
PLAN_VALUE_COLUMNS: frozenset[str] = frozenset({"value", "before_value", "after_value"})
PLAN_REASON_COLUMNS: frozenset[str] = frozenset({"reason", "before_reason", "after_reason"})
#: A phone-like run in free text: an optional '+', digits with the separators people type, at least
#: five digits (shorter runs are extensions, counts or country codes), an optional extension.
_TOKEN = re.compile(r"(?<![\w+])\+?\d[\d ().\-/]*\d(?:\s?[xX]\d+)?")
_MIN_DIGITS = 5
#: JSON keys whose string values are phone numbers (Graph's ``phoneNumber``; any key naming a phone).
_PHONE_KEY = re.compile(r"phone", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def mask_array(values: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array | pa.ChunkedArray:
    """Mask every phone number in ``values`` (one number per value; NULL stays NULL)."""
    if isinstance(values, pa.ChunkedArray):
        return pa.chunked_array([_mask(c) for c in values.chunks], type=pa.string())
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), type=pa.string())
    return _mask(arr)


def _mask(arr: pa.Array) -> pa.Array:
    arr = arr.cast(pa.string())
    split = pc.extract_regex(arr, r"(?s)^(?P<body>.*?)(?P<ext>\s*[xX]\s*\d+)?$")
    body, ext = split.field("body"), split.field("ext")
    intl = pc.extract_regex(body, r"(?s)^\s*\+(?P<cc>\d{1,3})\s+(?P<rest>.*)$")
    is_intl = pc.fill_null(pc.is_valid(intl), False)
    rest = pc.if_else(is_intl, intl.field("rest"), body)
    plus = pc.fill_null(pc.starts_with(pc.utf8_trim_whitespace(body), "+"), False)
    prefix = pc.if_else(
        is_intl,
        pc.binary_join_element_wise("+", intl.field("cc"), " ", ""),
        pc.if_else(plus, pa.scalar("+"), pa.scalar("")),
    )
    digits = pc.replace_substring_regex(rest, r"[^0-9]", "")
    n = pc.utf8_length(digits)
    long = pc.greater(n, 4)
    head = pc.if_else(long, pc.utf8_slice_codeunits(digits, 0, 2), pa.scalar(""))
    tail = pc.if_else(long, pc.utf8_slice_codeunits(digits, -2), pa.scalar(""))
    hidden = pc.binary_repeat(pa.scalar(DOT), pc.if_else(long, pc.subtract(n, 4), n))
    masked = pc.binary_join_element_wise(prefix, head, hidden, tail, pc.utf8_trim_whitespace(ext), "")
    masked = pc.if_else(pc.equal(n, 0), pa.scalar(NO_DIGITS), masked)
    return pc.if_else(pc.is_null(arr), pa.scalar(None, pa.string()), masked)


def mask_number(value: str | None) -> str | None:
    """One number masked (``None`` stays ``None``)."""
    if value is None:
        return None
    return str(mask_array([value])[0].as_py())


def mask_texts(texts: Iterable[Any]) -> list[Any]:
    """Free text with every phone-like run masked (values that are not text pass through unchanged).

    The runs of all texts are masked in one vectorised call, so a long column costs one regex scan.
    """
    items = list(texts)
    spans: list[list[tuple[int, int]]] = []
    tokens: list[str] = []
    for text in items:
        found = []
        if isinstance(text, str):
            for m in _TOKEN.finditer(text):
                if sum(ch.isdigit() for ch in m.group()) >= _MIN_DIGITS:
                    found.append(m.span())
                    tokens.append(m.group())
        spans.append(found)
    if not tokens:
        return items
    masked = iter(mask_array(tokens).to_pylist())
    out: list[Any] = []
    for text, found in zip(items, spans, strict=True):
        if not found:
            out.append(text)
            continue
        parts, last = [], 0
        for start, end in found:
            parts += [text[last:start], next(masked)]
            last = end
        parts.append(text[last:])
        out.append("".join(parts))
    return out


def _is_number_under_phone_key(key: str, value: Any) -> bool:
    return bool(_PHONE_KEY.search(key)) and isinstance(value, str) and bool(_DIGIT.search(value))


def mask_json(doc: Any) -> Any:
    """A parsed JSON document with every phone number masked: string values with digits under a key that
    names a phone (Graph's ``phoneNumber``); ``phoneType: "mobile"`` and ids elsewhere stay readable."""
    if isinstance(doc, dict):
        return {
            k: mask_number(v)
            if _PHONE_KEY.search(k) and isinstance(v, str) and _DIGIT.search(v)
            else mask_json(v)
            for k, v in doc.items()
        }
    if isinstance(doc, list):
        return [mask_json(v) for v in doc]
    return doc


def mask_text_array(texts: pa.Array | pa.ChunkedArray, where: Any = None) -> Any:
    """:func:`mask_texts` over an Arrow column, only where ``where`` (a boolean array) holds; rows
    without a long digit run are not even looked at, so a column of millions costs one regex scan."""
    texts = texts.cast(pa.string())
    candidate = pc.fill_null(pc.match_substring_regex(texts, r"\d[\d ().\-/]{3,}\d"), False)
    if where is not None:
        candidate = pc.and_(candidate, where)
    if not pc.any(candidate).as_py():
        return texts
    values = texts.to_pylist()
    flags = candidate.to_pylist()
    picked = [v for v, f in zip(values, flags, strict=True) if f]
    masked = iter(mask_texts(picked))
    return pa.array([next(masked) if f else v for v, f in zip(values, flags, strict=True)], pa.string())


def phone_rows(items: pa.Array | pa.ChunkedArray) -> Any:
    """Which plan rows are about a phone (their value is a number, their reason may quote one)."""
    return pc.fill_null(pc.is_in(items, value_set=pa.array(sorted(PHONE_ITEMS))), False)


def mask_plan_values(items: pa.Array | pa.ChunkedArray, values: pa.Array | pa.ChunkedArray) -> Any:
    """A plan's ``value`` column with the numbers of phone rows masked (other values kept)."""
    return pc.if_else(phone_rows(items), mask_array(values), values)


def mask_plan_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Plan (or plan-diff) rows with the numbers of phone rows masked in every value and reason column."""
    if "item" not in batch.schema.names:
        return batch
    phones = phone_rows(batch.column("item"))
    for i, name in enumerate(batch.schema.names):
        if name in PLAN_VALUE_COLUMNS:
            batch = batch.set_column(
                i, name, pc.if_else(phones, mask_array(batch.column(i)), batch.column(i))
            )
        elif name in PLAN_REASON_COLUMNS:
            batch = batch.set_column(i, name, mask_text_array(batch.column(i), phones))
    return batch
