"""The Users grid (AppTest): every user, filters and sorting done in SQL, pages, exports of what is shown,
and a user opened with their findings and every candidate account of an ambiguous match.

Expected numbers come from a separate copy of the workspace (core API and plain SQL), never from the
grid's own queries.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import pytest
from test_pages import one, run

from analysis.readiness import checks as readiness
from analysis.simulate.plan import current
from analysis.simulate.settings import Settings

pytestmark = pytest.mark.slow


def shown_total(at: object) -> int:
    caption = next(c.value for c in at.caption if "users match" in c.value)  # type: ignore[attr-defined]
    match = re.match(r"\*\*([\d,]+)\*\* of", caption)
    assert match, caption
    return int(match.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def report(reference: duckdb.DuckDBPyConnection) -> readiness.Report:
    return readiness.run(reference, current(reference, Settings.default()))


def test_the_grid_holds_every_user_and_filters_in_sql(
    shared_env: Path, reference: duckdb.DuckDBPyConnection, report: readiness.Report
) -> None:
    at = run("users")
    assert shown_total(at) == one(reference, "SELECT count(*) FROM mfa_users")
    unmatched = one(reference, "SELECT count(*) FROM plan WHERE item = 'user' AND action = 'unmatched'")
    at.multiselect(key="u_outcome").set_value(["unmatched"]).run()
    assert shown_total(at) == unmatched > 0
    labels = [b.label for b in at.get("download_button")]
    everyone = one(reference, "SELECT count(*) FROM mfa_users")
    for label in ("CSV", "Parquet"):  # what is shown, in both formats, and everyone as CSV
        assert f"Download these {unmatched:,} users ({label})" in labels
    assert f"Download all {everyone:,} users (CSV)" in labels
    at.multiselect(key="u_outcome").set_value([]).run()

    at.multiselect(key="u_status").set_value(["blocked"]).run()
    assert shown_total(at) == report.score.tenant["blocked"]
    at.multiselect(key="u_status").set_value([]).run()

    check = next(r for r in report.results if r.check.severity == "warning" and r.users)
    at.selectbox(key="u_check").set_value(check.check.id).run()
    assert shown_total(at) == check.users
    at.selectbox(key="u_check").set_value("").run()

    group = one(reference, "SELECT user_group FROM mfa_users GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    at.multiselect(key="u_group").set_value([group]).run()
    assert shown_total(at) == one(reference, "SELECT count(*) FROM mfa_users WHERE user_group = ?", group)
    at.multiselect(key="u_group").set_value([]).run()

    at.multiselect(key="u_method").set_value(["mobile_app"]).run()
    assert shown_total(at) == one(reference, "SELECT count(*) FROM mfa_users WHERE method = 'mobile_app'")
    at.multiselect(key="u_method").set_value([]).run()

    for tier in ("P1", "P2", "P3"):  # the priority tier after the phone retirement date
        expected = int((report.tiers["tier"] == tier).sum())
        if not expected:
            continue
        at.multiselect(key="u_tier").set_value([tier]).run()
        assert shown_total(at) == expected == report.retirement["tiers"][tier]
    at.multiselect(key="u_tier").set_value([]).run()

    gid, members = reference.execute(
        "SELECT t.group_id, count(*) FROM entra_group_transitive_users t "
        "JOIN plan p ON p.entra_id = t.user_id AND p.item = 'user' GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).fetchone()  # type: ignore[misc]
    at.selectbox(key="u_entra").set_value(gid).run()
    assert shown_total(at) == members > 0
    at.selectbox(key="u_entra").set_value("").run()

    blockers = one(
        reference,
        "SELECT count(*) FROM mfa_users WHERE user_id IN (SELECT unnest(?))",
        [
            int(u)
            for r in report.results
            if r.check.severity == "blocker"
            for u in r.findings["user_id"].dropna()
        ],
    )
    at.multiselect(key="u_sev").set_value(["blocker"]).run()
    assert shown_total(at) == blockers
    at.text_input(key="user_search").input("contoso").run()
    assert 0 < shown_total(at) < blockers
    assert not at.exception


def test_the_grid_sorts_by_any_column_and_pages(
    shared_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    order = [
        r[0]
        for r in reference.execute(
            "SELECT username FROM mfa_users ORDER BY lower(username) DESC NULLS LAST, user_id"
        ).fetchall()
    ]
    at = run("users")
    at.selectbox(key="u_sort").set_value("username").run()
    at.toggle(key="u_desc").set_value(True).run()
    at.selectbox(key="u_size").set_value(25).run()
    grid = at.dataframe[0].value
    assert list(grid["User"]) == order[:25]
    next(b for b in at.button if b.label == "Next").click().run()
    assert list(at.dataframe[0].value["User"]) == order[25:50]
    most = one(reference, "SELECT max(c) FROM (SELECT count(*) AS c FROM mfa_devices GROUP BY user_id)")
    at.selectbox(key="u_sort").set_value("mfa_devices").run()
    assert f"· {most} devices" in at.dataframe[0].value["MFA Server"].iloc[0]


def test_a_user_opens_with_findings_and_every_candidate_account(
    shared_env: Path, reference: duckdb.DuckDBPyConnection, report: readiness.Report
) -> None:
    user_id, username = reference.execute(
        "SELECT user_id, username FROM plan WHERE item = 'user' AND action = 'ambiguous' "
        "AND reason LIKE '%attribute step found%' ORDER BY user_id LIMIT 1"
    ).fetchone()  # type: ignore[misc]
    email = one(reference, "SELECT lower(email) FROM mfa_users WHERE user_id = ?", user_id)
    candidates = {
        r[0]
        for r in reference.execute(
            "SELECT user_principal_name FROM entra_users WHERE lower(trim(mail)) = ?", [email]
        ).fetchall()
    }
    assert len(candidates) >= 2
    at = run("users")
    at.query_params["user"] = str(user_id)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.subheader[0].value == f"`{username}`"
    tables = [t.value for t in at.table]
    shown = next(t for t in tables if "Entra UPN" in t.columns)
    assert set(shown["Entra UPN"]) == candidates
    mine = [r for r in report.results for u in r.findings["user_id"].dropna() if int(u) == user_id]
    assert mine and all(any(r.check.title in m.value for m in at.markdown) for r in mine)


def test_exports_hold_the_filtered_view_with_numbers_masked(
    shared_env: Path, reference: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    from analysis.dashboard import grid

    at = run("users")
    at.multiselect(key="u_method").set_value(["phone_call"]).run()
    assert not at.exception
    table = grid.Grid(str(shared_env), grid.STORED, "")
    filters = grid.Filters(methods=("phone_call",))
    expected = one(reference, "SELECT count(*) FROM mfa_users WHERE method = 'phone_call'")
    rows = list(
        csv.DictReader(io.StringIO(grid.export(table, filters, "username", False, "csv", False).decode()))
    )
    assert len(rows) == expected and {r["mfa_method"] for r in rows} == {"phone_call"}
    phones = [r["mfa_phone"] for r in rows if r["mfa_phone"]]
    assert phones and all("•" in p for p in phones)
    full = grid.export(table, filters, "username", False, "csv", True).decode()
    number = one(
        reference,
        "SELECT graph_number FROM mfa_phones WHERE valid AND slot = 'phone' AND user_id IN "
        "(SELECT user_id FROM mfa_users WHERE method = 'phone_call') LIMIT 1",
    )
    assert number in full and number not in "".join(phones)
    out = tmp_path / "users.parquet"
    out.write_bytes(grid.export(table, filters, "username", False, "parquet", False))
    assert one(duckdb.connect(), "SELECT count(*) FROM read_parquet(?)", str(out)) == expected


def test_search_looks_in_name_username_email_upn_and_sid_without_regard_to_case(
    shared_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    sid, email = reference.execute(
        "SELECT object_sid, email FROM mfa_users WHERE object_sid IS NOT NULL AND email LIKE '%@%' "
        "ORDER BY user_id LIMIT 1"
    ).fetchone() or ("", "")
    texts = [sid[-9:].lower(), email.split("@")[1].upper(), "100%", "CONTOSO\\"]
    at = run("users")
    for text in texts:
        expected = one(
            reference,
            "SELECT count(*) FROM mfa_users m LEFT JOIN plan p ON p.user_id = m.user_id AND p.item = 'user' "
            "WHERE contains(lower(concat_ws(' ', m.username, m.first_name, m.last_name, m.email, p.upn, "
            "m.object_sid)), lower(?))",
            text,
        )
        at.text_input(key="user_search").input(text).run()
        assert not at.exception
        assert shown_total(at) == expected, text  # "100%" is text, not a pattern: it matches no one
