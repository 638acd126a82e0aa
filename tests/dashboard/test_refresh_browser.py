"""The workspace's age, and reading a batch's users again, in Debian's Chromium: the Overview warns that
the sample's snapshot (taken 2024-06-30) is older than ``[freshness] warn_after_days``; the Batches page's
"Refresh from Entra" reads the batch's users from the local Graph emulator (a writer job, like a run);
after it the Users page says those users' state is as of that read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import ROOT, copy_workspace
from os_identity import OTHER_ADMIN
from playwright.sync_api import Page
from served import CHROMIUM, CHROMIUM_ARGS, dashboard, operator_token

from analysis.graph.emulator.launcher import start_emulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("dashboard-browser"),
]

USERS = 4


def _approved_batch(ws: Path) -> None:
    """A batch of a few users the plan migrates, created and approved by two OS accounts (core API)."""
    from analysis.execute.batches import approve
    from analysis.execute.options import ExecOptions
    from analysis.execute.selection import Selection, create_batch
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    con = duckdb.connect(str(ws))
    try:
        plan = simulate(con, Settings.default(), table="plan_batch")
        names = [
            r[0]
            for r in con.execute(
                "SELECT username FROM plan_batch WHERE item = 'user' AND action = 'migrate' "
                "ORDER BY username LIMIT ?",
                [USERS],
            ).fetchall()
        ]
        where = "username IN (" + ", ".join(f"'{n}'" for n in names) + ")"
        created = create_batch(
            con,
            name="refresh-me",
            plan=plan,
            selection=Selection(where=where),
            options=ExecOptions(),
            actor="alice",
        )
        con.execute("DROP TABLE plan_batch")
        approve(con, created.batch.batch_id, OTHER_ADMIN)
    finally:
        con.close()


def settle(pg: Page, expect: str) -> None:
    pg.get_by_text(expect, exact=False).first.wait_for()
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    assert pg.locator('[data-testid="stException"]').count() == 0


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        yield pg
        context.close()
        browser.close()


def test_snapshot_age_warning_and_refresh_from_entra(
    page: Page, sample_workspace: Path, tmp_path: Path
) -> None:
    ws = copy_workspace(sample_workspace, tmp_path)
    _approved_batch(ws)
    (tmp_path / "roles.toml").write_text('[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n')
    (tmp_path / "settings.toml").write_text("[freshness]\nwarn_after_days = 30\n")
    with start_emulator(ROOT / "sample_data" / "tenant") as emu:
        ready = tmp_path / "ready.json"
        ready.write_text(json.dumps(emu.ready), encoding="utf-8")
        env = {
            "MFA_MIGRATE_WORKSPACE": str(ws),
            "MFA_MIGRATE_ROLES": str(tmp_path / "roles.toml"),
            "MFA_MIGRATE_SETTINGS": str(tmp_path / "settings.toml"),
            "MFA_MIGRATE_EMULATOR_READY": str(ready),
        }
        log = tmp_path / "streamlit.log"
        with dashboard(env, log) as url:
            token = operator_token(log)
            pg = page
            pg.goto(f"{url}/?token={token}")
            settle(pg, "Readiness score")
            caption = pg.get_by_text("Tenant snapshot taken 2024-06-30 18:30 UTC").first.inner_text()
            assert "No user read from Entra since" in caption, caption
            warning = pg.get_by_text("The tenant snapshot is").first.inner_text()
            assert "days old (more than 30)" in warning, warning

            pg.goto(f"{url}/batches?token={token}")
            settle(pg, "Create a batch")
            button = pg.get_by_role("button", name="Refresh from Entra")
            button.click()
            pg.get_by_text("Refreshed batch 1's users from Entra").first.wait_for(timeout=300_000)
            settle(pg, "Refreshed batch")
            outcome = pg.get_by_text("Refreshed batch 1's users from Entra").first.inner_text()
            assert f"{USERS} of {USERS} read" in outcome and "0 not read" in outcome, outcome

            pg.goto(f"{url}/users?token={token}")
            settle(pg, "users match")
            caption = pg.get_by_text("Tenant snapshot taken").first.inner_text()
            assert f"{USERS} user(s) read from Entra since" in caption, caption
    con = duckdb.connect(str(ws), read_only=True)
    try:
        kept = con.execute("SELECT count(*), min(source) FROM entra_latest").fetchone()
    finally:
        con.close()
    assert kept == (USERS, "refresh")
