"""Vectorised random values and string helpers for the sample generator.

Everything is drawn from seeded ``numpy.random.Generator`` objects, so a seed always gives the same
files, and strings are built as whole arrow arrays: a fixed-width string column is a numpy byte matrix
handed to arrow without copying, and joins, case changes and choices run in arrow's C++ kernels. A
million GUIDs or timestamps cost milliseconds, not a million Python calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

Rng = np.random.Generator
Strings = Any  # a pyarrow string array (pyarrow has no type stubs)

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_BASE32 = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", dtype=np.uint8)
_B64 = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", dtype=np.uint8)
_B64URL = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
NULL = pa.scalar(None, pa.string())


def fixed(chars: NDArray[np.uint8]) -> Strings:
    """An (n, width) matrix of ASCII bytes as an arrow string array (no per-row work)."""
    chars = np.ascontiguousarray(chars, dtype=np.uint8)
    n, width = chars.shape
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()))


def text(rng: Rng, n: int, width: int, alphabet: NDArray[np.uint8]) -> Strings:
    return fixed(alphabet[rng.integers(0, len(alphabet), size=(n, width), dtype=np.uint8)])


def hex_strings(rng: Rng, n: int, width: int) -> Strings:
    return text(rng, n, width, _HEX)


def base32_strings(rng: Rng, n: int, width: int) -> Strings:
    return text(rng, n, width, _BASE32)


def b64url_strings(rng: Rng, n: int, width: int) -> Strings:
    return text(rng, n, width, _B64URL)


def base64_ids(rng: Rng, n: int) -> Strings:
    """Base64 of 16 random bytes (22 characters and '=='), the shape of onPremisesImmutableId."""
    chars = np.full((n, 24), ord("="), dtype=np.uint8)
    chars[:, :21] = _B64[rng.integers(0, 64, size=(n, 21), dtype=np.uint8)]
    chars[:, 21] = _B64[rng.integers(0, 4, size=n, dtype=np.uint8) * 16]  # last 2 bits of 128 are zero
    return fixed(chars)


def digit_strings(rng: Rng, n: int, width: int) -> Strings:
    return text(rng, n, width, _DIGITS)


def guids(rng: Rng, n: int) -> Strings:
    """Version-4-shaped GUIDs (lower-case, dashed), deterministic for the generator's seed."""
    nibbles = rng.integers(0, 16, size=(n, 32), dtype=np.uint8)
    nibbles[:, 12] = 4  # version 4
    nibbles[:, 16] = 8 + (nibbles[:, 16] % 4)  # RFC 4122 variant
    hexed = _HEX[nibbles]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    for dst, src, width in ((0, 0, 8), (9, 8, 4), (14, 12, 4), (19, 16, 4), (24, 20, 12)):
        out[:, dst : dst + width] = hexed[:, src : src + width]
    return fixed(out)


def guid_list(rng: Rng, n: int) -> list[str]:
    return list(guids(rng, n).to_pylist())


def timestamps(rng: Rng, n: int, start: str, end: str) -> NDArray[np.datetime64]:
    """Uniform random instants (second precision) in [start, end)."""
    lo = np.datetime64(start, "s").astype(np.int64)
    hi = np.datetime64(end, "s").astype(np.int64)
    return (lo + rng.integers(0, hi - lo, size=n)).astype("datetime64[s]")


def _put(chars: NDArray[np.uint8], col: int, values: NDArray[np.int64], width: int) -> None:
    for i in range(width):
        chars[:, col + width - 1 - i] = ord("0") + (values // 10**i) % 10


def iso(values: NDArray[np.datetime64]) -> Strings:
    """ISO 8601 UTC strings such as ``2024-03-01T10:00:00Z`` (the simulator compares these as strings)."""
    seconds = values.astype("datetime64[s]")
    days = seconds.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months).astype(np.int64) + 1
    second_of_day = (seconds - days).astype(np.int64)
    chars = np.frombuffer(b"0000-00-00T00:00:00Z", dtype=np.uint8)[None, :].repeat(len(values), axis=0)
    for col, part, width in (
        (0, year, 4),
        (5, month, 2),
        (8, day, 2),
        (11, second_of_day // 3600, 2),
        (14, second_of_day // 60 % 60, 2),
        (17, second_of_day % 60, 2),
    ):
        _put(chars, col, part, width)
    return fixed(chars)


def pick(rng: Rng, n: int, weights: Mapping[str, float]) -> NDArray[np.str_]:
    """``n`` values drawn from ``weights`` (value -> relative weight), as a numpy array."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys)[rng.choice(len(keys), size=n, p=p / p.sum())]


def choose(rng: Rng, n: int, values: tuple[str | None, ...] | list[str | None]) -> Strings:
    """``n`` uniform draws from ``values`` as an arrow string array."""
    return pa.array(list(values), pa.string()).take(rng.integers(0, len(values), n))


def strings(values: Any) -> Strings:
    """An arrow string array from a numpy array / list / arrow array."""
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else values.cast(pa.string())
    if isinstance(values, np.ndarray) and values.dtype.kind in "iub":
        values = values.astype(str)
    return pa.array(values, pa.string())


def join(*parts: Any) -> Strings:
    """Element-wise concatenation of arrow arrays and Python strings (null if any part is null)."""
    return pc.binary_join_element_wise(*[p if isinstance(p, str) else strings(p) for p in parts], "")


def where(mask: NDArray[np.bool_], yes: Any, no: Any = None) -> Strings:
    """``yes`` where ``mask`` else ``no`` (arrays or scalars; None is null)."""
    yes_v = yes if isinstance(yes, str) or yes is None else strings(yes)
    no_v = no if isinstance(no, str) or no is None else strings(no)
    return pc.if_else(
        pa.array(mask, pa.bool_()), NULL if yes_v is None else yes_v, NULL if no_v is None else no_v
    )


def at(values: Strings, mask: NDArray[np.bool_]) -> Strings:
    return values.filter(pa.array(mask, pa.bool_()))
