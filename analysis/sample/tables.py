"""Column-wise tables the generator fills before writing them out.

Rows from the hand-made scenarios and whole columns from the vectorised population go into the same
:class:`Table`, as arrow chunks, so both reach the files through one writer and a million users stay
compact in memory (arrow strings, not Python objects).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa


class Table:
    """Named columns with fixed arrow types; a column missing from an addition is null."""

    def __init__(self, columns: Sequence[str], types: Mapping[str, pa.DataType] | None = None) -> None:
        self.types = {c: (types or {}).get(c, pa.string()) for c in columns}
        self.chunks: list[pa.Table] = []
        self.length = 0

    def __len__(self) -> int:
        return self.length

    @property
    def names(self) -> list[str]:
        return list(self.types)

    def _array(self, name: str, values: Any, n: int) -> pa.Array:
        kind = self.types[name]
        if values is None:
            return pa.nulls(n, kind)
        if isinstance(values, pa.Array | pa.ChunkedArray):
            return values.cast(kind)
        if isinstance(values, np.ndarray):
            if len(values) != n:
                raise ValueError(f"column {name}: {len(values)} values for {n} rows")
            if values.dtype == object:
                return pa.array(values, type=kind, from_pandas=True)
            if pa.types.is_string(kind) and values.dtype.kind != "U":
                values = values.astype(str)
            return pa.array(values, type=kind)
        if isinstance(values, list | tuple):
            if len(values) != n:
                raise ValueError(f"column {name}: {len(values)} values for {n} rows")
            return pa.array(values, type=kind)
        return pa.array([values] * n, type=kind)  # a scalar repeated

    def add_columns(self, n: int, **columns: Any) -> None:
        """Append ``n`` rows given column-wise (arrays, lists, or repeated scalars); absent ones are null."""
        unknown = set(columns) - set(self.types)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        if n == 0:
            return
        arrays = [self._array(name, columns.get(name), n) for name in self.types]
        self.chunks.append(pa.Table.from_arrays(arrays, names=self.names))
        self.length += n

    def add_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        rows = list(rows)
        for row in rows:
            unknown = set(row) - set(self.types)
            if unknown:
                raise KeyError(f"unknown columns {sorted(unknown)}")
        self.add_columns(len(rows), **{name: [r.get(name) for r in rows] for name in self.types})

    def extend(self, other: Table) -> None:
        for chunk in other.chunks:
            self.chunks.append(chunk.cast(pa.schema([(n, t) for n, t in self.types.items()])))
        self.length += other.length

    def to_arrow(self) -> pa.Table:
        if not self.chunks:
            return pa.Table.from_arrays([pa.array([], t) for t in self.types.values()], names=self.names)
        return pa.concat_tables(self.chunks)

    def records(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """Rows as dicts keyed by column, ``size`` at a time (for sqlite3.executemany with $names)."""
        for batch in self.to_arrow().to_batches(max_chunksize=size):
            yield batch.to_pylist()

    def column(self, name: str) -> list[Any]:
        return self.to_arrow().column(name).to_pylist()
