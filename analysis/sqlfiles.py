"""SQL lives in ``queries/<area>/...`` and is loaded by a name you can grep for, never built at run time.

Two kinds of file:

* **one query per file** (a simulate stage, a readiness check, a schema): ``sql("simulate/match")`` is
  the whole of ``queries/simulate/match.sql``, which may hold several statements separated by ``;``;
* **named blocks** (a module's small create/read/update queries gathered in one file, as aiosql does):
  each block starts with a ``-- name: <block>`` line and runs to the next one; ``sql("sources/tenant.
  users_read")`` is block ``users_read`` of ``queries/sources/tenant.sql``. Comment lines before the first
  block describe the file.

Every name is one literal string in the Python that uses it, so ``grep -rn '"sources/tenant.users_read"'``
finds each use, and ``tests/test_sqlfiles.py`` checks that every query used exists and every query that
exists is used. Values are always named parameters (``$name``); the only thing ever substituted into SQL
text is a table name (``__plan__``), through :func:`sql`'s ``tables`` argument, which accepts plain
identifiers only. Files can carry a header of ``-- key: value`` comment lines (the readiness checks);
:func:`header` reads it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
#: Where the SQL is: inside the package when installed from a wheel (``analysis/queries``), else the
#: repository's top-level ``queries/`` (a checkout or an editable install).
QUERIES = _HERE / "queries" if (_HERE / "queries").is_dir() else _HERE.parent / "queries"

_BLOCK = re.compile(r"^--\s*name:\s*(\S+)\s*$")
_BLOCK_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
#: A table name, optionally in an attached database (``dashboard_mem.grid``).
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$")
_TOKEN = re.compile(r"__([a-z][a-z0-9_]*?)__")


def sql(name: str, **tables: str) -> str:
    """The text of query ``name``: ``"area/file"`` (a whole file) or ``"area/file.block"`` (one block).

    ``tables`` fills the file's table-name tokens: ``sql("simulate/runner.summary", plan="plan_b")`` replaces
    ``__plan__``. Each value must be a plain lower-case identifier, and every token in the text must be
    given (nothing else is ever put into SQL text); a name the text does not use is ignored, so one call
    can serve a family of queries (the readiness checks) of which only some read the plan.
    """
    text = _text(name)
    if not tables and "__" not in text:
        return text
    for key, table in tables.items():
        if not _IDENTIFIER.match(table):
            raise ValueError(f"{name}: {table!r} is not a table name")
        text = text.replace(f"__{key}__", table)
    left = sorted({m.group(0) for m in _TOKEN.finditer(_code(text))})
    if left:
        raise ValueError(f"{name}: table name(s) {', '.join(left)} not given")
    return text


@cache
def _text(name: str) -> str:
    file, dot, block = name.partition(".")
    blocks = _blocks(file)
    if dot:
        if not blocks:
            raise LookupError(f"queries/{file}.sql has no named blocks; load it as {file!r}")
        if block not in blocks:
            raise LookupError(f"queries/{file}.sql has no block '-- name: {block}'")
        return blocks[block]
    if blocks:
        first = f"{file}.{next(iter(blocks))}"
        raise LookupError(f"queries/{file}.sql is a file of named blocks; ask for one, e.g. {first!r}")
    return _read(file)


def _read(file: str) -> str:
    path = QUERIES / f"{file}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query file {path}")
    return path.read_text(encoding="utf-8")


def _blocks(file: str) -> dict[str, str]:
    """The named blocks of one file, in file order (empty for a one-query file)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    preamble_sql = 0  # line number of the first SQL line before any block
    for number, line in enumerate(_read(file).splitlines(), start=1):
        match = _BLOCK.match(line)
        if match:
            block = match.group(1)
            if not _BLOCK_NAME.match(block) or block in out:
                raise ValueError(f"queries/{file}.sql line {number}: bad or repeated block name {block!r}")
            current = out[block] = []
        elif current is not None:
            current.append(line)
        elif not preamble_sql and line.strip() and not line.lstrip().startswith("--"):
            preamble_sql = number
    if out and preamble_sql:  # it would be silently unreachable
        raise ValueError(f"queries/{file}.sql line {preamble_sql}: SQL before the first '-- name:' block")
    return {block: "\n".join(lines).strip() + "\n" for block, lines in out.items()}


def _code(text: str) -> str:
    """The text without ``--`` comments (so a comment may mention ``__plan__``)."""
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def clear_cache() -> None:
    """Forget loaded text (tests that point :data:`QUERIES` elsewhere call this)."""
    _text.cache_clear()


def names(area: str) -> list[str]:
    """The one-query files directly under ``queries/<area>/``, as names, sorted."""
    return sorted(f"{area}/{p.stem}" for p in (QUERIES / area).glob("*.sql"))


def every_query() -> list[str]:
    """Every loadable name under ``queries/``: one-query files, and ``file.block`` for block files."""
    out: list[str] = []
    for path in sorted(QUERIES.rglob("*.sql")):
        file = path.relative_to(QUERIES).with_suffix("").as_posix()
        blocks = _blocks(file)
        out += [f"{file}.{b}" for b in blocks] if blocks else [file]
    return out


def header(name: str) -> dict[str, str]:
    """The leading ``-- key: value`` lines of a query; continuation lines (``--   more``) append."""
    meta: dict[str, str] = {}
    last = None
    for line in _text(name).splitlines():
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
