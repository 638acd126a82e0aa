"""Downloads: the readiness report exactly as the CLI writes it, and safe CSV for any table on screen.

The report files come from :mod:`analysis.readiness.report` (the same writers as ``mfa-migrate report``), so a
download from the dashboard and a file from the CLI are the same document. Every other CSV goes
through :func:`csv_bytes`, which neutralises cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = ("html", "json", "csv")


def render(report: Any, fmt: str) -> bytes:
    """The report as ``html``, ``json`` or ``csv`` bytes (written by the CLI's own writer)."""
    from analysis.readiness.report import write

    if fmt not in FORMATS:
        raise ValueError(fmt)
    with tempfile.TemporaryDirectory(prefix="mfa-migrate-report-") as tmp:
        return write(report, Path(tmp) / f"readiness.{fmt}").read_bytes()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV (UTF-8, header) with every text cell defused against spreadsheet formula injection."""
    import pyarrow as pa

    from analysis.readiness.report.csvfile import defuse

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            # as text first (what to_csv writes anyway): object columns may hold lists or numbers
            text = pa.chunked_array([pa.array(out[col].astype("string"), type=pa.string())])
            out[col] = pd.Series(defuse(text).to_pandas(), index=out.index, dtype="string")
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")
