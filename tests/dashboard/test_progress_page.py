"""The Progress page in a real browser (headless Chromium against ``streamlit run app.py``) and in
AppTest: its deep link, the same figures as ``mfa-migrate progress``, the chart over time, days left,
the still-P1 download, and the baseline choice. Expected figures come from the CLI on another copy."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from campaign.campaign_tenant import two_snapshots
from playwright.sync_api import Page
from served import CHROMIUM, CHROMIUM_ARGS, dashboard
from test_browser import keep_on_this_machine, settle, shot
from test_pages import metrics, run

from analysis.cli import build_parser
from analysis.console import CaptureConsole

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("dashboard-progress"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (`make chromium` installs it)"
    ),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], int]:
    """The dashboard's workspace, and what the CLI says on a copy of it (figures, rows of the CSV)."""
    ws, _ = two_snapshots(tmp_path_factory.mktemp("progress-ws"))
    ref = tmp_path_factory.mktemp("progress-ref") / "ref.duckdb"
    shutil.copyfile(ws, ref)
    still = ref.parent / "still.csv"
    args = build_parser().parse_args(["progress", "--workspace", str(ref), "--json", "--out", str(still)])
    console = CaptureConsole()
    assert args.handler(args, console) == 0
    text = console.out.getvalue()  # type: ignore[attr-defined]
    with still.open(encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    return ws, json.loads(text[text.index("{") :]), rows


@pytest.fixture(scope="module")
def url(world: tuple[Path, dict[str, Any], int], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("progress-app")
    (work / "roles.toml").write_text('[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n')
    env = {"MFA_MIGRATE_WORKSPACE": str(world[0]), "MFA_MIGRATE_ROLES": str(work / "roles.toml")}
    with dashboard(env, work / "streamlit.log") as served_url:
        yield served_url


@pytest.fixture(scope="module")
def page(url: str) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        context.route("**/*", keep_on_this_machine)
        pg = context.new_page()
        pg.set_default_timeout(90_000)
        yield pg
        context.close()
        browser.close()


def _tile(pg: Page, label: str) -> str:
    metric = pg.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_the_progress_page_shows_the_cli_figures_and_a_chart(
    page: Page, url: str, world: tuple[Path, dict[str, Any], int], tmp_path: Path
) -> None:
    _, doc, rows = world
    pg = page
    pg.goto(f"{url}/progress")  # a deep link
    settle(pg, "Registered since the baseline, per tier")
    assert pg.url.split("?")[0] == f"{url}/progress"
    assert _tile(pg, "Still P1") == f"{doc['still_p1']:,}"
    assert _tile(pg, "Registered since baseline") == "3"
    assert _tile(pg, f"Days to {doc['retirement']['date']}") == f"{doc['retirement']['days_left']:,}"
    assert _tile(pg, "Observations") == "2"
    chart = pg.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    chart.locator("canvas, svg").first.wait_for()  # drawn, with the bundled Vega (no internet)
    assert pg.get_by_role("link", name="Progress").count() >= 1  # in the navigation
    with pg.expect_download() as download:
        pg.get_by_text(f"Download the {doc['still_p1']:,} users still P1 (CSV)").click()
    saved = tmp_path / "still.csv"
    download.value.save_as(saved)
    got = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert len(got) == rows == doc["still_p1"] and "tier_at_baseline" in got[0]
    settle(pg, "Still P1")
    shot(pg, "progress")  # tests/artifacts/dashboard-progress.png, for a human to look at


def test_a_later_baseline_shows_no_registrations_yet(
    world: tuple[Path, dict[str, Any], int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ws, doc, _ = world
    copy = tmp_path / "ws.duckdb"
    shutil.copyfile(ws, copy)
    (tmp_path / "roles.toml").write_text('[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n')
    monkeypatch.setenv("MFA_MIGRATE_WORKSPACE", str(copy))
    monkeypatch.setenv("MFA_MIGRATE_ROLES", str(tmp_path / "roles.toml"))
    for name in ("MFA_MIGRATE_SETTINGS", "MFA_MIGRATE_EMULATOR_READY", "MFA_MIGRATE_GRAPH"):
        monkeypatch.delenv(name, raising=False)
    at = run("progress")
    assert metrics(at)["Registered since baseline"] == "3"
    at.selectbox(key="pg_baseline").select_index(1).run()  # the second snapshot
    shown = metrics(at)
    assert shown["Registered since baseline"] == "0" and shown["Observations"] == "1"
    assert shown["Still P1"] == f"{doc['still_p1']:,}"
