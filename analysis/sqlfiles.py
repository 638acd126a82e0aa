"""SQL lives in ``queries/<area>/<name>.sql`` and is loaded by name, never built by concatenation.

A file may hold several statements separated by ``;``. Files can carry a header of ``-- key: value``
comment lines (used by the readiness checks); :func:`header` reads it.
"""

from functools import cache
from pathlib import Path

QUERIES = Path(__file__).resolve().parent.parent / "queries"


@cache
def sql(name: str) -> str:
    """The text of ``queries/<name>.sql`` (``name`` like ``"simulate/match"``)."""
    path = QUERIES / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query file {path}")
    return path.read_text(encoding="utf-8")


def names(area: str) -> list[str]:
    """The query names under ``queries/<area>/``, sorted."""
    return sorted(f"{area}/{p.stem}" for p in (QUERIES / area).glob("*.sql"))


def header(name: str) -> dict[str, str]:
    """The leading ``-- key: value`` lines of a query file; continuation lines (``--   more``) append."""
    meta: dict[str, str] = {}
    last = None
    for line in sql(name).splitlines():
        if not line.startswith("--"):
            break
        body = line[2:]
        if body.startswith("   ") and last:
            meta[last] += " " + body.strip()
        elif ":" in body:
            key, _, value = body.partition(":")
            last = key.strip()
            meta[last] = value.strip()
    return meta
