"""A re-registration campaign from the dashboard in Chromium against the emulator: created with the
campaign option, approved, run; its Temporary Access Passes are offered once as a download (the file
holds one per user, the emulator issued exactly those), then never again, and no page, nor the server's
log, shows a pass."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import ROOT, copy_workspace
from os_identity import four_eyes_off
from playwright.sync_api import Page
from served import CHROMIUM, CHROMIUM_ARGS, dashboard, operator_token

from analysis.dashboard import passfile
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

TENANT = ROOT / "sample_data" / "tenant"
OFFER = re.compile(r"Download the \d+ Temporary Access Pass(es)? \(once\)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("dashboard-browser"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (`make chromium`)"),
]


def _three_users(workspace: Path, tmp_path: Path) -> list[str]:
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    path = copy_workspace(workspace, tmp_path, "ref.duckdb")
    con = duckdb.connect(str(path))
    try:
        simulate(con, Settings.default(), table="plan")
        rows = con.execute(
            "SELECT username FROM plan WHERE item = 'user' AND action = 'migrate' ORDER BY username LIMIT 3"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


@pytest.fixture
def served(sample_workspace: Path, tmp_path: Path) -> Iterator[tuple[str, str, Path, EmulatorInfo, Path]]:
    ws = copy_workspace(sample_workspace, tmp_path)
    four_eyes_off(ws)  # one local identity creates and approves in this rehearsal
    (tmp_path / "roles.toml").write_text('[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n')
    ready, log = tmp_path / "ready.json", tmp_path / "streamlit.log"
    with start_emulator(TENANT) as emu:
        ready.write_text(json.dumps(emu.ready), encoding="utf-8")
        env = {
            "MFA_MIGRATE_WORKSPACE": str(ws),
            "MFA_MIGRATE_ROLES": str(tmp_path / "roles.toml"),
            "MFA_MIGRATE_EMULATOR_READY": str(ready),
        }
        with dashboard(env, log) as url:
            yield url, operator_token(log), ws, emu, log


@pytest.fixture
def page() -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        pg = context.new_page()
        pg.set_default_timeout(90_000)
        yield pg
        context.close()
        browser.close()


def _settle(pg: Page, expect: str) -> None:
    pg.get_by_text(expect, exact=False).first.wait_for()
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    assert pg.locator('[data-testid="stException"]').count() == 0


def test_a_campaign_run_from_the_dashboard_offers_its_passes_once(
    served: tuple[str, str, Path, EmulatorInfo, Path], page: Page, sample_workspace: Path, tmp_path: Path
) -> None:
    url, token, ws, emu, log = served
    users = _three_users(sample_workspace, tmp_path)
    pg = page
    pg.goto(f"{url}/batches?token={token}")
    _settle(pg, "Create a batch")
    pg.get_by_label("Batch name").fill("campaign")
    pg.get_by_text("Named users", exact=True).click()
    names = pg.get_by_label("Usernames or UPNs, one per line")
    names.fill("\n".join(users))
    names.press("Control+Enter")
    pg.get_by_text("Re-registration campaign (").click()
    _settle(pg, "a re-registration campaign")
    pg.get_by_role("button", name="Create draft batch").click()
    _settle(pg, "Created batch")
    pg.get_by_role("button", name="Approve plan").click()
    _settle(pg, "Approved batch")
    pg.get_by_role("button", name="Run batch").click()
    pg.get_by_text("Run of batch").first.wait_for(timeout=300_000)
    _settle(pg, "finished")
    offer = pg.get_by_role("button", name=OFFER)
    try:
        offer.wait_for(timeout=30_000)
    except Exception:
        raise AssertionError(pg.locator('[data-testid="stMain"]').inner_text()[-3000:]) from None
    shown_before = pg.locator('[data-testid="stMain"]').inner_text()
    offer_label = offer.inner_text()
    with pg.expect_download() as got:
        offer.click()
    target = tmp_path / "passes.jsonl"
    got.value.save_as(target)
    passes = [json.loads(line) for line in target.read_text().splitlines()]
    issued = [
        e for e in emu.log() if e["method"] == "POST" and e["path"].endswith("/temporaryAccessPassMethods")
    ]
    # one pass per user without Authenticator or a passkey already (the run read them): what Graph issued
    assert 1 <= len(passes) == len(issued) <= 3 and all(p["temporaryAccessPass"] for p in passes)
    assert f"Download the {len(passes)} Temporary Access Pass" in offer_label
    assert passfile.waiting(str(ws), 1) == 0  # taken: the file is gone
    pg.reload()
    _settle(pg, "All batches")
    assert pg.get_by_role("button", name=OFFER).count() == 0
    shown = shown_before + pg.locator('[data-testid="stMain"]').inner_text() + log.read_text(errors="replace")
    con = duckdb.connect(str(ws), read_only=True)
    journal = " ".join(str(r) for r in con.execute("SELECT * FROM journal").fetchall())
    con.close()
    assert not [p for p in passes if p["temporaryAccessPass"] in shown + journal]
