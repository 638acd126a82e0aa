"""Downloads: the readiness report exactly as the CLI writes it, and safe CSV for any table on screen.

The report files come from :mod:`analysis.readiness.report` (the same writers as ``mfa-migrate report``), so a
download from the dashboard and a file from the CLI are the same document. Every other CSV goes
through :func:`csv_bytes`, i.e. the product's one CSV writer (:mod:`analysis.output.csvfile`), which
neutralises cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = ("html", "json", "csv")


def render(report: Any, fmt: str, reveal_phones: bool = False) -> bytes:
    """The report as ``html``, ``json`` or ``csv`` bytes (written by the CLI's own writer)."""
    from analysis.readiness.report import write

    if fmt not in FORMATS:
        raise ValueError(fmt)
    with tempfile.TemporaryDirectory(prefix="mfa-migrate-report-") as tmp:
        return write(report, Path(tmp) / f"readiness.{fmt}", reveal_phones).read_bytes()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table on screen as CSV, through the product's one CSV writer (formula cells defused)."""
    from analysis.output import csvfile

    return csvfile.to_bytes(df)
