"""The one CSV writer: every CSV the product writes (reports, plans, exports, downloads) goes through here.

Two things every CSV gets, whoever writes it:

* **Formula cells defused.** A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is what a spreadsheet runs as a formula (CSV injection); it gets a leading apostrophe. Cells
  that are only a signed number or a phone number in the product's own ``+cc nnn`` form (masked or not)
  cannot run anything and stay as they are, so ``+49 30•••••89`` is not turned into ``'+49 30•••••89``.
* **One dialect.** UTF-8, a header row, ``,`` separated, quoted where needed, ``\\n`` line ends.

Rows are written through Arrow's CSV writer in record batches, so a million rows stream to disk in
seconds without a second copy in memory.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

#: What a spreadsheet would evaluate: the first character of a formula or a DDE payload.
RISKY_START = r"^[=+\-@\t\r]"
#: Text that begins like a formula but is only a signed number or a phone number (+cc nnn[ xEXT]).
HARMLESS = r"^(?:[+-]?[0-9]+(?:\.[0-9]+)?|\+[0-9]{1,3} [0-9•]+(?:\s?x[0-9]+)?)$"

Batch = pa.RecordBatch | pa.Table
#: A transformation applied to every batch before it is written (e.g. masking phone numbers).
Transform = Callable[[pa.RecordBatch], pa.RecordBatch]


def defuse(values: pa.Array | pa.ChunkedArray) -> Any:
    """Text values with formula-like cells prefixed by an apostrophe (NULL stays NULL)."""
    text = values.cast(pa.string())
    risky = pc.and_(
        pc.fill_null(pc.match_substring_regex(text, RISKY_START), False),
        pc.invert(pc.fill_null(pc.match_substring_regex(text, HARMLESS), False)),
    )
    return pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)


def _safe_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Defuse every text column; columns Arrow's CSV writer cannot write (lists, structs) as text."""
    columns = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        t = field.type
        if pa.types.is_nested(t) or pa.types.is_dictionary(t):
            column = pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())
            t = pa.string()
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            column = defuse(column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _batches(data: Any) -> tuple[pa.Schema | None, Iterable[pa.RecordBatch]]:
    if isinstance(data, pd.DataFrame):
        data = _from_pandas(data)
    if isinstance(data, pa.Table):
        return data.schema, data.to_batches()
    if isinstance(data, pa.RecordBatchReader):
        return data.schema, data
    if isinstance(data, pa.RecordBatch):
        return data.schema, [data]
    raise TypeError(f"cannot write {type(data).__name__} as CSV")


def _from_pandas(df: pd.DataFrame) -> pa.Table:
    """A frame as Arrow; object columns (lists, mixed values) become their text, as ``to_csv`` would."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = (
                out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v)).astype("string")
            )
    return pa.Table.from_pandas(out, preserve_index=False)


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def write(data: Any, sink: str | Path | BinaryIO, transform: Transform | None = None) -> int:
    """Write ``data`` (DataFrame, Arrow table, batch or record-batch reader) as CSV; returns the rows.

    ``transform`` runs on every batch first (the masking of phone numbers, for instance).
    """
    schema, batches = _batches(data)
    rows = 0
    writer: pcsv.CSVWriter | None = None
    target = str(sink) if isinstance(sink, Path) else sink
    options = pcsv.WriteOptions(quoting_style="needed")
    try:
        for batch in batches:
            if transform is not None:
                batch = transform(batch)
            batch = _safe_batch(batch)
            if writer is None:
                writer = pcsv.CSVWriter(target, batch.schema, write_options=options)
            writer.write_batch(batch)
            rows += batch.num_rows
        if writer is None and schema is not None:  # no rows: the header alone
            header = [pa.array([], pa.string()) for _ in schema.names]
            empty = pa.RecordBatch.from_arrays(header, names=schema.names)
            writer = pcsv.CSVWriter(target, empty.schema, write_options=options)
    finally:
        if writer is not None:
            writer.close()
    return rows


def to_bytes(data: Any, transform: Transform | None = None) -> bytes:
    """The CSV as bytes (for a download button)."""
    buffer = io.BytesIO()
    write(data, buffer, transform)
    return buffer.getvalue()
