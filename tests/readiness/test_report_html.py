"""The HTML report as a browser draws it: every chart label, legend and title complete, small, offline,
masked numbers, and who is not ready and why (Debian's Chromium, headless)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from analysis.readiness import checks as readiness
from analysis.readiness import report
from analysis.readiness.report import charts, notready
from analysis.simulate.runner import simulate
from analysis.simulate.settings import Settings

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (make chromium)"),
]
#: Every <text> of every chart: its content and its box against the chart's own viewBox.
MEASURE = """() => Array.from(document.querySelectorAll('svg')).flatMap(svg => {
  const vb = svg.viewBox.baseVal;
  const shown = svg.getBoundingClientRect();
  const room = svg.parentElement.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).map(t => {
    const b = t.getBBox();
    return {text: t.textContent, x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height,
            width: vb.width, height: vb.height, overflow: shown.right - room.right};
  });
})"""


def render(path: Path) -> tuple[list[dict], list[str]]:
    """Open the file in Chromium: (every chart text with its box, every request the page made)."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        boxes = page.evaluate(MEASURE)
        browser.close()
    return boxes, requests


def clipped(boxes: list[dict]) -> list[dict]:
    return [
        b
        for b in boxes
        if b["x"] < -0.5
        or b["y"] < -0.5
        or b["right"] > b["width"] + 0.5
        or b["bottom"] > b["height"] + 0.5
        or b["overflow"] > 0.5
        or "…" in b["text"]
        or b["text"].endswith("...")
    ]


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def sample_report(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> readiness.Report:
    path = tmp_path_factory.mktemp("report") / "ws.duckdb"
    shutil.copyfile(sample_workspace, path)
    con = duckdb.connect(str(path))
    try:
        return readiness.run(con, simulate(con, Settings.default()))
    finally:
        con.close()


def test_every_label_legend_and_title_is_drawn_whole(sample_report: readiness.Report, tmp_path: Path) -> None:
    path = report.write(sample_report, tmp_path / "r.html")
    boxes, requests = render(path)
    assert boxes and clipped(boxes) == []
    drawn = squeeze(" ".join(b["text"] for b in boxes))
    fired = sorted((r for r in sample_report.results if r.count), key=lambda r: (-r.count, r.check.id))[:20]
    for r in fired:
        assert squeeze(r.check.title) in drawn, r.check.title
    for word in (
        "blocker",
        "warning",
        "info",
        "Findingspercheck",
        "Usersbyreadiness",
        "ScoreperMFAServeruser",
    ):
        assert squeeze(word) in drawn
    for group in sample_report.score.groups["group"]:
        assert squeeze(str(group)) in drawn
    assert [u for u in requests if not u.startswith("file:")] == []


def test_labels_longer_than_the_chart_wrap_instead_of_being_cut(tmp_path: Path) -> None:
    long = "A group name far longer than any chart is wide, " * 4 + "X" * 120
    svg = charts.hbars(
        "A title that is itself long enough to need more than one line " * 2,
        [
            charts.Bar(long, 5, "#229954", "5 (100.0%)"),
            charts.Bar("short", 1, "#c0392b", "1"),
        ],
    )
    page = tmp_path / "c.html"
    page.write_text(f"<!DOCTYPE html><html><body style='width:420px'>{svg}</body></html>", encoding="utf-8")
    boxes, _ = render(page)
    assert clipped(boxes) == []
    assert squeeze(long) in squeeze(" ".join(b["text"] for b in boxes))


def test_the_report_is_small_scriptless_and_masks_numbers(
    sample_report: readiness.Report, tmp_path: Path
) -> None:
    html = report.write(sample_report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) <= 1_500_000
    assert "<script" not in html.lower()
    assert "+49 30•••••89" in html and "•" in html.split("Who is not ready")[1]
    revealed = report.write(sample_report, tmp_path / "full.html", reveal_phones=True).read_text(
        encoding="utf-8"
    )
    assert "in full (--reveal-phones)" in revealed


def test_the_report_lists_who_is_not_ready_and_why(sample_report: readiness.Report, tmp_path: Path) -> None:
    html = report.write(sample_report, tmp_path / "r.html").read_text(encoding="utf-8")
    users = notready.frame(sample_report)
    t = sample_report.score.tenant
    assert len(users) == t["blocked"] + t["with_warnings"]
    section = html.split("Who is not ready, and why")[1]
    assert f"{len(users)} users: {t['blocked']} blocked, {t['with_warnings']} with warnings" in section
    first = users.iloc[0]
    assert first["status"] == "blocked" and str(first["username"]) in section
