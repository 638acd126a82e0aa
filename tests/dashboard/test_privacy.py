"""Phone numbers on the dashboard: masked by default, revealed only by the recorded toggle."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import local_user
from test_pages import run, texts

pytestmark = pytest.mark.slow


def _user_with_phone(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    row = con.execute(
        "SELECT username, value FROM plan WHERE item = 'phone' AND action = 'write_mobile' "
        "ORDER BY username LIMIT 1"
    ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def test_numbers_are_masked_until_the_viewer_reveals_them_and_that_is_recorded(
    dashboard_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    username, number = _user_with_phone(reference)
    cc, nsn = number[1:].split(" ")
    masked = f"+{cc} {nsn[:2]}{'•' * (len(nsn) - 4)}{nsn[-2:]}"
    at = run("users")
    at.text_input(key="user_search").input(username).run()
    shown = texts(at)
    assert masked in shown and nsn not in shown

    at.sidebar.toggle(key="reveal_phones_toggle").set_value(True).run()
    assert not at.exception
    assert number in texts(at)
    assert any("recorded" in c.value for c in at.sidebar.caption)
    con = duckdb.connect(str(dashboard_env))  # same process as the dashboard: shares its instance
    try:
        rows = con.execute('SELECT actor, revealed FROM dashboard_reveals ORDER BY "at"').fetchall()
    finally:
        con.close()
    assert rows == [(local_user(), True)]

    at.sidebar.toggle(key="reveal_phones_toggle").set_value(False).run()
    assert masked in texts(at) and number not in texts(at)
