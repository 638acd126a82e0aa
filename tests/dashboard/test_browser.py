"""The dashboard in a real browser: Debian's Chromium (headless) against ``streamlit run app.py``.

One Streamlit server (on a free 127.0.0.1 port) over a private copy of the sample workspace and one
local Graph emulator serve the whole module. The tests visit every page, run a what-if, take a batch
through create → approve → run (against the emulator) → verify → roll back, and download the readiness report.
Screenshots of every page land in ``tests/artifacts/`` (git-ignored) for a human to look at.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import ROOT, copy_workspace
from os_identity import four_eyes_off
from playwright.sync_api import Page, Route
from served import CHROMIUM, CHROMIUM_ARGS, dashboard, operator_token

from analysis.graph.emulator.launcher import EmulatorInfo

ARTIFACTS = ROOT / "tests" / "artifacts"
TENANT = ROOT / "sample_data" / "tenant"
PAGES = {  # url path -> text that proves the page rendered its content (every page is a deep link)
    "overview": "Readiness score",
    "readiness": "Download the report",
    "not-ready": "What to do",
    "users": "users match",
    "what-if": "Compare with the current settings",
    "batches": "Create a batch",
    "rollout": "Federation per domain",
    "journal": "Journal",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("dashboard-browser"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (`make chromium` installs it)"
    ),
]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, EmulatorInfo]]:
    from analysis.graph.emulator.launcher import start_emulator

    if not (TENANT / "snapshot.json").exists():
        pytest.skip("sample_data/tenant does not exist")
    ready = tmp_path_factory.mktemp("emu") / "ready.json"
    with start_emulator(TENANT) as emu:
        ready.write_text(json.dumps(emu.ready), encoding="utf-8")
        yield ready, emu


@pytest.fixture(scope="module")
def workspace_copy(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_workspace(sample_workspace, tmp_path_factory.mktemp("browser-ws"))


@pytest.fixture(scope="module")
def chosen_users(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Three users the plan migrates with a Graph write each (computed on a separate copy)."""
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    path = copy_workspace(sample_workspace, tmp_path_factory.mktemp("browser-ref"))
    con = duckdb.connect(str(path))
    try:
        simulate(con, Settings.default(), table="plan")
        rows = con.execute(
            "SELECT username FROM plan WHERE writable = 'graph' AND item IN ('phone', 'backup_phone') "
            "AND username IN (SELECT username FROM plan WHERE item = 'user' AND action = 'migrate') "
            "GROUP BY username ORDER BY username LIMIT 3"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 3, "the sample has too few users with a phone to write"
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def server(
    workspace_copy: Path, emulator: tuple[Path, EmulatorInfo], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The dashboard's URL and the operator token its launch line printed."""
    work = tmp_path_factory.mktemp("browser-app")
    (work / "roles.toml").write_text(
        '[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n', encoding="utf-8"
    )
    # a single local identity creates and approves here, so the four-eyes rule is off for this rehearsal
    four_eyes_off(workspace_copy)
    (work / "settings.toml").write_text("[execute]\n", encoding="utf-8")
    env = {
        "MFA_MIGRATE_WORKSPACE": str(workspace_copy),
        "MFA_MIGRATE_ROLES": str(work / "roles.toml"),
        "MFA_MIGRATE_SETTINGS": str(work / "settings.toml"),
        "MFA_MIGRATE_EMULATOR_READY": str(emulator[0]),
    }
    with dashboard(env, work / "streamlit.log") as url:
        yield url, operator_token(work / "streamlit.log")


@pytest.fixture(scope="module")
def app_url(server: tuple[str, str]) -> str:
    return server[0]


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        context.route("**/*", keep_on_this_machine)
        pg = context.new_page()
        pg.set_default_timeout(90_000)
        yield pg
        context.close()
        browser.close()


#: Requests the dashboard tried to send anywhere but this machine (blocked, and a test failure).
OUTSIDE: list[str] = []
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")


def keep_on_this_machine(route: Route) -> None:
    """Every request of the browser passes here: loopback goes through, anything else is refused and
    recorded (the dashboard must work offline: fonts, scripts and icons are served locally)."""
    url = route.request.url
    if LOCAL.match(url) or url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        OUTSIDE.append(url)
        route.abort()


def settle(pg: Page, expect: str) -> None:
    """Wait until the page shows ``expect`` and Streamlit has finished running; fail on an exception box
    or on any request that tried to leave the machine."""
    pg.get_by_text(expect, exact=False).first.wait_for()
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert pg.get_by_text("Page not found").count() == 0
    assert OUTSIDE == [], f"requests that left the machine: {OUTSIDE}"


def shot(pg: Page, name: str) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main section, so grow the viewport first."""
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')")
    height = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    size = pg.viewport_size or {"width": 1440, "height": 1000}
    pg.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 40, 6000))})
    pg.wait_for_timeout(800)  # let the charts redraw at the new size
    pg.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"))
    pg.set_viewport_size(size)


def click_row(pg: Page, row: int) -> None:
    """Click a row of the first data grid (drawn on a canvas: by position, below its header)."""
    grid = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    pg.mouse.click(box["x"] + 15, box["y"] + 35 + 35 * row + 17)


def test_every_page_renders(page: Page, app_url: str, chosen_users: list[str]) -> None:
    pg = page
    pg.goto(f"{app_url}/")  # the root shows the Overview too
    settle(pg, PAGES["overview"])
    assert pg.locator('[data-testid="stMain"] h1').first.inner_text() == "Overview"
    for path, expect in PAGES.items():
        pg.goto(f"{app_url}/{path}")
        settle(pg, expect)
        assert pg.url.split("?")[0] == f"{app_url}/{path}", f"/{path} did not stay at its address"
        if path == "users":
            box = pg.get_by_label("Search by name, username, UPN, email or SID")
            box.fill(chosen_users[0])
            box.press("Enter")
            pg.get_by_text(re.compile(r"^1 of [\d,]+ users match")).first.wait_for()
            settle(pg, "users match")
            click_row(pg, 0)  # a click on the grid opens the user
            settle(pg, "This user's plan rows")
            pg.locator("h3", has_text=chosen_users[0]).first.wait_for()
        shot(pg, path)


def opens_read_write(path: Path, within: float = 10.0) -> bool:
    """Whether another process can open the workspace read-write within ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            duckdb.connect(str(path)).close()
            return True
        except duckdb.IOException:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def test_grid_clicks_give_the_workspace_back(
    page: Page, app_url: str, workspace_copy: Path, chosen_users: list[str]
) -> None:
    """*Next*, a search and a click on a row rerun only the Users page's filters and grid (fragments,
    outside the frame's script run that gives the workspace back at its end): each must still let go of
    the file, and show what it should."""
    pg = page
    pg.goto(f"{app_url}/users")
    settle(pg, "users match")
    pg.get_by_role("button", name="Next").first.click()
    pg.get_by_text(re.compile(r"users match · page 2 of")).first.wait_for()
    settle(pg, "users match")
    assert opens_read_write(workspace_copy), "the dashboard kept the workspace after a page of the grid"
    box = pg.get_by_label("Search by name, username, UPN, email or SID")
    box.fill(chosen_users[0])
    box.press("Enter")
    pg.get_by_text(re.compile(r"^1 of [\d,]+ users match")).first.wait_for()
    settle(pg, "users match")
    assert opens_read_write(workspace_copy), "the dashboard kept the workspace after a search"
    click_row(pg, 0)
    settle(pg, "This user's plan rows")
    pg.locator("h3", has_text=chosen_users[0]).first.wait_for()
    assert opens_read_write(workspace_copy), "the dashboard kept the workspace after opening a user"


def test_what_if_compares_and_draws_the_flow(page: Page, app_url: str) -> None:
    pg = page
    pg.goto(f"{app_url}/what-if")
    settle(pg, "Compare with the current settings")
    limit = pg.get_by_label("Device limit", exact=True).and_(pg.get_by_test_id("stNumberInputField"))
    limit.fill("1")
    pg.get_by_role("button", name="Compare with the current settings").click()
    settle(pg, "Users changed")
    pg.get_by_role("tab", name="Flow of outcomes").click()
    pg.locator(".js-plotly-plot .sankey").first.wait_for()
    shot(pg, "what-if-result")


def test_batch_create_approve_run_verify_roll_back_against_the_emulator(
    page: Page, server: tuple[str, str], chosen_users: list[str], emulator: tuple[Path, EmulatorInfo]
) -> None:
    pg = page
    app_url, token = server
    emu = emulator[1]
    writes_before = sum(1 for e in emu.log() if e.get("method") in ("POST", "PATCH"))
    pg.goto(f"{app_url}/batches?token={token}")  # acting needs the operator link's token
    settle(pg, "Create a batch")
    pg.get_by_label("Batch name").fill("browser-wave")
    pg.get_by_text("Named users", exact=True).click()
    names = pg.get_by_label("Usernames or UPNs, one per line")
    names.fill("\n".join(chosen_users))
    names.press("Control+Enter")
    pg.get_by_role("button", name="Create draft batch").click()
    settle(pg, "Created batch")
    shot(pg, "batch-draft")

    pg.get_by_role("button", name="Approve plan").click()
    settle(pg, "Approved batch")

    run = pg.get_by_role("button", name="Run batch")
    assert "Local emulator" in run.inner_text()
    run.click()
    outcome = pg.get_by_text("Run of batch").or_(pg.locator('[data-testid="stAlertContentError"]'))
    outcome.first.wait_for(timeout=300_000)
    if pg.get_by_text("Run of batch").count() == 0:
        shot(pg, "batch-run-failed")
        raise AssertionError(f"the run did not finish: {outcome.first.inner_text()}")
    settle(pg, "finished")
    shot(pg, "batch-run")
    assert pg.get_by_text("internal error").count() == 0
    # Verify is right there under the outcome (no OK first), on the connection the run used
    picker = pg.locator('[data-testid="stSelectbox"]', has_text="run, verify and roll back use it")
    chosen = picker.evaluate("e => e.innerText + [...e.querySelectorAll('input')].map(i => i.value).join()")
    assert "Local emulator" in chosen, chosen
    other = pg.context.new_page()  # and in a new browser tab (a new session) too
    other.set_default_timeout(90_000)
    other.goto(f"{app_url}/batches?token={token}")
    settle(other, "Run of batch")
    assert other.get_by_role("button", name="Verify batch").is_enabled()
    other.close()
    pg.get_by_role("button", name="Verify batch").click()
    pg.get_by_text("Verification of batch").first.wait_for(timeout=300_000)
    settle(pg, "Verification of batch")
    text = pg.get_by_text("Verification of batch").first.inner_text()
    assert "agreement 100.0%" in text, text
    shot(pg, "batch-verified")
    ok = pg.get_by_role("button", name="OK")
    ok.click()
    # "All batches" and "Verify again" were on the page before the click: wait for the rerun OK starts
    # to take the outcome away, or the expander below is opened on a page about to be redrawn.
    ok.wait_for(state="detached")
    settle(pg, "All batches")
    assert pg.get_by_text("verified").count() > 0

    writes = [e for e in emu.log() if e.get("method") in ("POST", "PATCH")]
    assert len(writes) > writes_before, "the run sent no write to the emulator"

    # roll back: confirmed, by the operator, like `batch rollback N --confirm`
    pg.get_by_role("button", name="Verify again").wait_for()  # the page after OK has been drawn
    settle(pg, "Verify again")
    summary = pg.locator('[data-testid="stExpander"] summary', has_text=re.compile(r"Roll back batch \d+"))
    sure = pg.get_by_text(re.compile(r"^I understand this changes .*writes are undone"))
    for _ in range(3):  # a rerun still drawing may close the expander again: open it until it stays
        summary.last.click()
        try:
            sure.wait_for(state="visible", timeout=10_000)
            break
        except Exception:
            continue
    rollback = pg.get_by_role("button", name=re.compile(r"^Roll back batch \d+$"))
    assert rollback.is_disabled(), "rollback must wait for the confirmation"
    sure.click()
    rollback.click()
    pg.get_by_text("Rollback of batch").first.wait_for(timeout=300_000)
    settle(pg, "Rollback of batch")
    text = pg.get_by_text("Rollback of batch").first.inner_text()
    assert "the batch is rolled_back" in text and " 0 write(s) undone" not in text, text
    shot(pg, "batch-rolled-back")
    deletes = [e for e in emu.log() if e.get("method") == "DELETE"]
    assert deletes, "the rollback sent no DELETE to the emulator"

    pg.goto(f"{app_url}/journal")
    settle(pg, "entries match")
    every = pg.get_by_text(re.compile(r"entries match")).first.inner_text()
    pg.get_by_label("Entry", exact=True).click()  # answers only: each opens with the request it answers
    pg.get_by_role("option", name="response", exact=True).click()
    pg.wait_for_function(  # the list of answers only is drawn (fewer entries match)
        "(before) => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(e => e.innerText.includes('entries match') && e.innerText !== before)",
        arg=every,
    )
    settle(pg, "entries match")
    click_row(pg, 0)  # the newest answer (a rollback's DELETE) opens into its request and response
    try:
        settle(pg, "Idempotency key")
        pg.get_by_text(re.compile(r"^response: HTTP \d{3}")).first.wait_for()
    except Exception:
        shot(pg, "journal-click-failed")
        raise
    detail = pg.locator('[data-testid="stMain"]').inner_text()
    shot(pg, "journal-after-run")
    assert re.search(r"Request\s+DELETE /v1\.0/users/", detail), detail[-1500:]
    assert "The intent for this key is not in the journal" not in detail


def test_readiness_report_downloads(page: Page, app_url: str, tmp_path: Path) -> None:
    pg = page
    pg.goto(f"{app_url}/readiness")
    settle(pg, "Download the report")
    with pg.expect_download() as html:
        pg.get_by_role("button", name="HTML report").click()
    target = ARTIFACTS / "dashboard-readiness.html"
    html.value.save_as(target)
    body = target.read_text(encoding="utf-8")
    assert "<html" in body.lower() and len(body) > 10_000
    with pg.expect_download() as js:
        pg.get_by_role("button", name="JSON report").click()
    out = tmp_path / "readiness.json"
    js.value.save_as(out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 2 and "score" in doc  # docs/report-schema.md
