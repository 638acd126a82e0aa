"""Phone numbers on the dashboard: masked by default, revealed only by the recorded toggle."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
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


def test_a_batch_s_frozen_plan_and_verification_mask_numbers(
    dashboard_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    from analysis.dashboard import privacy
    from analysis.execute.options import ExecOptions
    from analysis.execute.selection import Selection, create_batch
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    username, number = _user_with_phone(reference)
    nsn = number.split(" ")[1]
    con = duckdb.connect(str(dashboard_env))
    try:
        plan = simulate(con, Settings.default(), table="plan_batch")
        create_batch(
            con,
            name="masked",
            plan=plan,
            selection=Selection(where=f"username = '{username}'"),
            options=ExecOptions(),
            actor="alice",
        )
        con.execute("DROP TABLE plan_batch")
    finally:
        con.close()
    at = run("batches")
    shown = texts(at)
    assert username in shown and nsn not in shown and f"{nsn[-2:]}" in shown

    rows = pd.DataFrame(
        {"item": ["phone", "default_method"], "predicted": [number, "voiceMobile"], "actual": [number, None]}
    )
    masked = privacy.verification(rows)
    assert nsn not in masked.to_string() and masked["predicted"][1] == "voiceMobile"
    assert masked["actual"][0] == masked["predicted"][0] != number and pd.isna(masked["actual"][1])
    # the batch's problem details and the Users grid's Entra phones: a column of texts, several numbers each
    details = pd.Series([f"drifted: {number}; {number}", None, "no phone here"])
    lists = privacy.phone_lists(details)
    assert nsn not in str(lists[0]) and lists[0].count(nsn[-2:]) == 2 and lists[0].startswith("drifted: +")
    assert pd.isna(lists[1]) and lists[2] == "no phone here"
