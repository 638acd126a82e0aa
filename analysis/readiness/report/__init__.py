"""Export a readiness :class:`~analysis.readiness.checks.Report` as HTML, JSON or CSV (chosen by file suffix).

- ``.html``: one self-contained page for the change board (charts, who is not ready and why, checks by
  severity with drill-downs).
- ``.json``: the stable, documented shape (``docs/report-schema.md``) that ``--baseline`` reads back.
- ``.csv``: one row per finding.

Phone numbers are masked in every format unless ``reveal_phones`` is set (``--reveal-phones``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis.errors import UserError
from analysis.readiness.checks import Report
from analysis.readiness.report import csvfile, htmlfile, jsonfile

WRITERS: dict[str, Callable[[Report, Path, bool], None]] = {
    ".html": htmlfile.write,
    ".json": jsonfile.write,
    ".csv": csvfile.write,
}


def check_path(path: str | Path) -> Path:
    """The output path if its suffix names a format and its folder exists, else a UserError."""
    p = Path(path)
    if p.suffix.lower() not in WRITERS:
        raise UserError(
            f"cannot tell the report format of {p}: end the file name with {', '.join(WRITERS)} "
            "(e.g. --out readiness.html)"
        )
    if not p.parent.is_dir():
        raise UserError(
            f"folder {p.parent} for report {p.name} does not exist; create it or choose another path"
        )
    return p


def write(report: Report, path: str | Path, reveal_phones: bool = False) -> Path:
    """Write the report in the format its suffix names; returns the path written."""
    p = check_path(path)
    try:
        WRITERS[p.suffix.lower()](report, p, reveal_phones)
    except OSError as exc:
        raise UserError(
            f"cannot write report {p}: {exc.strerror or exc}; check the path and permissions"
        ) from None
    return p
