"""The dashboard only its operator can drive (issue #14, item 2), in Debian's Chromium and on the wire.

One ``streamlit run app.py`` over a private copy of the sample workspace in local mode, with roles that
list ``local:*``: exactly the set-up in which, before the guard, any visitor of the port could create,
approve and run batches. Chromium resolves ``evil.example`` to 127.0.0.1 (``--host-resolver-rules``),
which is what a DNS-rebinding page achieves.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import httpx
import pytest
from dashboard_helpers import copy_workspace
from os_identity import four_eyes_off
from playwright.sync_api import Browser, Page
from served import CHROMIUM, CHROMIUM_ARGS, dashboard, operator_token

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("dashboard-browser"),
]

EVIL = "evil.example"
PROBE = """async (url) => await new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { ws.close(); resolve("open"); };
  ws.onerror = () => resolve("refused");
  setTimeout(() => resolve("no answer"), 15000);
})"""


@dataclass(frozen=True)
class Served:
    url: str
    port: int
    token: str
    log: Path


@pytest.fixture(scope="module")
def served(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("guarded")
    ws = copy_workspace(sample_workspace, work)
    (work / "roles.toml").write_text('[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n')
    four_eyes_off(ws)  # one local identity creates and approves here
    (work / "settings.toml").write_text("[execute]\n")
    env = {
        "MFA_MIGRATE_WORKSPACE": str(ws),
        "MFA_MIGRATE_ROLES": str(work / "roles.toml"),
        "MFA_MIGRATE_SETTINGS": str(work / "settings.toml"),
    }
    log = work / "streamlit.log"
    with dashboard(env, log) as url:
        yield Served(url, int(url.rsplit(":", 1)[1]), operator_token(log), log)


class _OtherSite(BaseHTTPRequestHandler):
    """Another web site on this machine (the attacker's page, once its name points at 127.0.0.1)."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>other site</title><p>hello</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def other_site() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OtherSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {EVIL} 127.0.0.1"]
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test: no session, no state shared with another test."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    context.close()


def settle(pg: Page, expect: str) -> None:
    pg.get_by_text(expect, exact=False).first.wait_for()
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    assert pg.locator('[data-testid="stException"]').count() == 0


def migrating_users(sample_workspace: Path, tmp: Path, k: int) -> list[str]:
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    con = duckdb.connect(str(copy_workspace(sample_workspace, tmp)))
    try:
        simulate(con, Settings.default(), table="plan")
        rows = con.execute(
            "SELECT username FROM plan WHERE item = 'user' AND action = 'migrate' ORDER BY username LIMIT ?",
            [k],
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def test_only_the_operator_link_can_act(
    served: Served, browser: Browser, page: Page, sample_workspace: Path, tmp_path: Path
) -> None:
    pg = page
    # a visitor without the token reads everything ...
    pg.goto(served.url)
    settle(pg, "Readiness score")
    assert pg.get_by_text("Read-only: may not approve or run").count() == 1
    pg.goto(f"{served.url}/batches")
    settle(pg, "Create a batch")
    assert pg.get_by_text("open the operator link").count() >= 1
    assert pg.get_by_role("button", name="Create draft batch").count() == 0
    # ... and cannot load other files either
    pg.get_by_text("Open or load other files").click()
    assert pg.get_by_role("button", name="Load into this workspace").is_disabled()

    # the operator opens the launch link: the token leaves the address bar, the session keeps the rights
    op = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    op.set_default_timeout(90_000)
    op.goto(f"{served.url}/?token={served.token}")
    settle(op, "Readiness score")
    assert "token" not in op.url
    assert op.get_by_text("May approve and run batches.").count() == 1
    op.get_by_role("link", name="Batches").click()  # a deep page of the same session, no token in its URL
    settle(op, "Create a batch")
    op.get_by_label("Batch name").fill("operator-wave")
    op.get_by_text("Named users", exact=True).click()
    names = op.get_by_label("Usernames or UPNs, one per line")
    names.fill("\n".join(migrating_users(sample_workspace, tmp_path, 2)))
    names.press("Control+Enter")
    op.get_by_role("button", name="Create draft batch").click()
    settle(op, "Created batch")
    op.get_by_role("button", name="Approve plan").click()
    settle(op, "Approved batch")
    run = op.get_by_role("button", name="Run batch")
    run.wait_for()  # the approval reruns the page: the panel below it may draw a moment later
    assert run.count() == 1
    op.context.close()

    # the visitor sees the approved batch, but is offered neither approval nor a run
    pg.goto(f"{served.url}/batches")
    settle(pg, "operator-wave")
    assert pg.get_by_text("Only operators may run, verify and roll back batches").count() == 1
    assert pg.get_by_role("button", name="Run batch").count() == 0
    assert pg.get_by_role("button", name="Approve plan").count() == 0


def test_a_foreign_host_is_refused_in_the_browser(served: Served, page: Page, other_site: int) -> None:
    pg = page
    before = served.log.read_text(errors="replace").count("refused a websocket request")
    # a rebinding page: the browser reaches 127.0.0.1, but under the attacker's name
    answer = pg.goto(f"http://{EVIL}:{served.port}/")
    assert answer is not None and answer.status == 403
    assert "Refused" in pg.content() and "Readiness" not in pg.content()

    # a page of another site, trying this dashboard's websocket under both names
    pg.goto(f"http://{EVIL}:{other_site}/")
    assert pg.evaluate(PROBE, f"ws://{EVIL}:{served.port}/_stcore/stream") == "refused"
    assert pg.evaluate(PROBE, f"ws://127.0.0.1:{served.port}/_stcore/stream") == "refused"
    after = served.log.read_text(errors="replace").count("refused a websocket request")
    assert after - before == 2  # refused by the dashboard, not by the browser

    # the same probe from the dashboard's own page opens: the refusals above are the guard's doing
    pg.goto(served.url)
    settle(pg, "Readiness score")
    assert pg.evaluate(PROBE, f"ws://127.0.0.1:{served.port}/_stcore/stream") == "open"


def _handshake(port: int, host: str, origin: str | None) -> str:
    """A websocket upgrade request as raw bytes (any Host a script may send); the server's status line."""
    lines = [
        "GET /_stcore/stream HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_a_foreign_host_is_refused_on_the_wire(served: Served) -> None:
    good = f"127.0.0.1:{served.port}"
    for host in (f"{EVIL}:{served.port}", f"127.0.0.1:{served.port + 1}", "localhost"):
        r = httpx.get(f"{served.url}/", headers={"Host": host}, trust_env=False, timeout=20)
        assert r.status_code == 403, host
    for path in ("/_stcore/health", "/_stcore/host-config"):
        r = httpx.get(f"{served.url}{path}", headers={"Host": f"{EVIL}:{served.port}"}, trust_env=False)
        assert r.status_code == 403, path
    assert httpx.get(f"{served.url}/_stcore/health", trust_env=False).status_code == 200
    assert " 403 " in _handshake(served.port, f"{EVIL}:{served.port}", f"http://{EVIL}:{served.port}")
    assert " 403 " in _handshake(served.port, good, f"http://{EVIL}")
    assert " 403 " in _handshake(served.port, good, None)
    assert " 101 " in _handshake(served.port, good, f"http://{good}")


def test_the_token_appears_only_in_the_launch_line(served: Served, page: Page) -> None:
    # present it everywhere a log line could pick it up: a refused request, a page, a wrong page
    httpx.get(f"{served.url}/?token={served.token}", headers={"Host": EVIL}, trust_env=False)
    page.goto(f"{served.url}/?token={served.token}")
    settle(page, "Readiness score")
    page.goto(f"{served.url}/no-such-page?token={served.token}")
    page.wait_for_timeout(1500)
    text = served.log.read_text(errors="replace")
    assert text.count(served.token) == 1
    (line,) = [ln for ln in text.splitlines() if served.token in ln]
    assert "operator link" in line
