"""SQL you can find: every query the code names exists, every query that exists is used, and values are
named parameters.

Query names are literal strings (``sql("sources/tenant.users_read")``), so this test finds every use by
reading the source: a name built at run time would show up here as an unused query.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import sqlfiles
from analysis.readiness.checks import catalogue

ROOT = Path(__file__).resolve().parents[1]
AREAS = ("sources", "simulate", "readiness", "execute", "dashboard", "sample", "notices")
_NAME = re.compile(r"""["']((?:""" + "|".join(AREAS) + r""")/[a-z0-9_/]+(?:\.[a-z0-9_]+)?)["']""")
#: Areas whose every query file must be used.
CHECKED_FOR_UNUSED = ("sources", "simulate", "readiness", "execute", "dashboard", "sample", "notices")
#: Areas whose files must not use positional ``?`` parameters.
CHECKED_FOR_POSITIONAL = CHECKED_FOR_UNUSED


def _named_in(folder: str) -> dict[str, list[str]]:
    """Every literal query name in the Python under ``folder``, with where it appears."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _NAME.finditer(line):
                found.setdefault(match.group(1), []).append(f"{path.relative_to(ROOT)}:{number}")
    return found


def _exists(name: str) -> bool:
    try:
        sqlfiles.sql(name)
    except (FileNotFoundError, LookupError):
        return False
    except ValueError:  # a table-name token left unfilled: it exists
        return True
    return True


def test_every_query_named_in_the_code_exists() -> None:
    named = {**_named_in("tests"), **_named_in("benchmarks"), **_named_in("analysis")}
    missing = {n: where for n, where in named.items() if not _exists(n)}
    assert missing == {}, f"queries named in the code that do not exist: {missing}"


def test_every_query_is_used() -> None:
    used = set(_named_in("analysis")) | {c.query for c in catalogue()}
    unused = [q for q in sqlfiles.every_query() if q.split("/")[0] in CHECKED_FOR_UNUSED and q not in used]
    assert unused == [], f"queries nothing in analysis/ loads (delete them, or name them literally): {unused}"


def _code(text: str) -> str:
    """SQL without comments, string literals and quoted identifiers."""
    text = re.sub(r"--[^\n]*", "", text)
    text = re.sub(r"'(?:[^']|'')*'", "''", text)
    return re.sub(r'"(?:[^"]|"")*"', '""', text)


def test_parameters_are_named() -> None:
    positional = [
        q
        for q in sqlfiles.every_query()
        if q.split("/")[0] in CHECKED_FOR_POSITIONAL and "?" in _code(_raw(q))
    ]
    assert positional == [], f"queries with positional '?' parameters (use $name): {positional}"


def _raw(name: str) -> str:
    try:
        return sqlfiles.sql(name)
    except ValueError:  # table-name tokens: the raw text is what matters here
        return sqlfiles._text(name)


# ---------------------------------------------------------------------------------------- the loader
@pytest.fixture
def queries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sqlfiles, "QUERIES", tmp_path)
    sqlfiles.clear_cache()
    yield tmp_path
    sqlfiles.clear_cache()


def test_blocks_are_addressed_by_file_and_name(queries: Path) -> None:
    (queries / "area").mkdir()
    (queries / "area" / "things.sql").write_text(
        "-- The things of one module.\n"
        "-- name: insert\n-- Add a thing.\nINSERT INTO t VALUES ($id);\n\n"
        "-- name: read\nSELECT * FROM t WHERE id = $id\n"
    )
    (queries / "area" / "whole.sql").write_text("SELECT 1;\nSELECT 2;\n")
    assert sqlfiles.sql("area/things.insert") == "-- Add a thing.\nINSERT INTO t VALUES ($id);\n"
    assert sqlfiles.sql("area/things.read") == "SELECT * FROM t WHERE id = $id\n"
    assert sqlfiles.sql("area/whole") == "SELECT 1;\nSELECT 2;\n"
    assert sqlfiles.every_query() == ["area/things.insert", "area/things.read", "area/whole"]
    with pytest.raises(LookupError, match="no block '-- name: update'"):
        sqlfiles.sql("area/things.update")
    with pytest.raises(LookupError, match="file of named blocks"):
        sqlfiles.sql("area/things")
    with pytest.raises(LookupError, match="has no named blocks"):
        sqlfiles.sql("area/whole.first")
    with pytest.raises(FileNotFoundError):
        sqlfiles.sql("area/nothing")


def test_a_malformed_block_file_is_refused(queries: Path) -> None:
    (queries / "a.sql").write_text("SELECT 0;\n-- name: one\nSELECT 1\n")
    (queries / "b.sql").write_text("-- name: one\nSELECT 1\n-- name: one\nSELECT 2\n")
    with pytest.raises(ValueError, match="SQL before the first"):
        sqlfiles.sql("a.one")
    with pytest.raises(ValueError, match="repeated block name 'one'"):
        sqlfiles.sql("b.one")


def test_only_table_names_are_put_into_sql(queries: Path) -> None:
    (queries / "plan.sql").write_text("-- reads __plan__\nSELECT count(*) FROM __plan__\n")
    assert sqlfiles.sql("plan", plan="plan_b") == "-- reads plan_b\nSELECT count(*) FROM plan_b\n"
    with pytest.raises(ValueError, match="__plan__ not given"):
        sqlfiles.sql("plan")
    with pytest.raises(ValueError, match="not a table name"):
        sqlfiles.sql("plan", plan="plan; DROP TABLE x")
    assert sqlfiles.sql("plan", plan="plan", other="x").endswith("FROM plan\n")  # unused names are fine
