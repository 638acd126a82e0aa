"""Export: documented JSON shape, self-contained HTML, one CSV row per finding, baseline diff."""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from readiness_cases import CASES
from readiness_world import DEVICE_FINGERPRINT, SECRET_FINGERPRINT, World, copy_world

from analysis.errors import UserError
from analysis.readiness import checks as readiness
from analysis.readiness import report
from analysis.readiness.checks import Report
from analysis.readiness.report import baseline, csvfile
from analysis.simulate.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
#: Cases that contradict the others (all users migrated) or are slow to build; the rest share one world.
SOLO = {"federation_ready_to_cut_over", "rollout_group_too_large"}


def documented_schema() -> dict:
    doc = (ROOT / "docs" / "report-schema.md").read_text(encoding="utf-8")
    block = re.search(r"## JSON Schema.*?```json\n(.*?)```", doc, flags=re.S)
    assert block, "docs/report-schema.md must end with the JSON Schema in a ```json block"
    return json.loads(block.group(1))


def busy_world(template: Path, path: Path) -> World:
    w = copy_world(template, path)
    for check_id, fn in CASES.items():
        if check_id not in SOLO:
            fn(w)
    # Hostile text where reports print user data: markup, a spreadsheet formula.
    w.mfa_user(50, "<script>alert(1)</script>@contoso.com")
    w.plan(50, "user", "unmatched")
    w.mfa_user(51, '=HYPERLINK("http://evil")')
    w.plan(51, "user", "unmatched")
    return w


@pytest.fixture(scope="module")
def busy(clean_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    w = busy_world(clean_template, tmp_path_factory.mktemp("busy") / "ws.duckdb")
    try:
        return readiness.run(w.con, w.stamped(Settings.default()))
    finally:
        w.close()


class Refs(HTMLParser):
    """Collects every URL-bearing attribute and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.scripts = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        self.scripts += tag == "script"
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster", "xlink:href") and value:
                self.refs.append((tag, name, value))
            if name == "style" and value:
                self.styles.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


# ------------------------------------------------------------------------------------------- JSON
def test_json_validates_against_the_documented_schema(busy: Report, tmp_path: Path) -> None:
    schema = documented_schema()
    assert schema["properties"]["schema_version"]["const"] == readiness.SCHEMA_VERSION
    path = report.write(busy, tmp_path / "r.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    assert [c["id"] for c in doc["checks"]] == [c.id for c in readiness.catalogue()]
    assert sum(c["count"] for c in doc["checks"]) == sum(len(c["findings"]) for c in doc["checks"]) > 30
    assert doc["status"] == "blocked" and doc["baseline"] is None


def test_json_of_a_clean_workspace_validates_too(world: World, tmp_path: Path) -> None:
    w = world
    rep = readiness.run(w.con, w.stamped(Settings.default()))
    doc = json.loads(report.write(rep, tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, documented_schema())
    assert doc["status"] == "ready"
    assert doc["score"]["tenant"]["score"] == 100.0


def test_schema_rejects_a_report_missing_a_field(busy: Report, tmp_path: Path) -> None:
    doc = json.loads(report.write(busy, tmp_path / "r.json").read_text(encoding="utf-8"))
    del doc["checks"][0]["findings"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, documented_schema())


# ------------------------------------------------------------------------------------------- HTML
def test_html_is_self_contained(busy: Report, tmp_path: Path) -> None:
    html = report.write(busy, tmp_path / "r.html").read_text(encoding="utf-8")
    parser = Refs()
    parser.feed(html)
    outside = [r for r in parser.refs if not r[2].startswith("#")]
    assert outside == [], f"the report references something outside itself: {outside[:5]}"
    for css in parser.styles:
        assert "url(" not in css and "@import" not in css
    assert parser.scripts == 0  # the charts are inline SVG: nothing to run, nothing to fetch
    assert html.count("<svg") >= 2
    for result in busy.results:
        if result.count:
            assert f'id="{result.check.id}"' in html


def test_html_escapes_user_data(busy: Report, tmp_path: Path) -> None:
    html = report.write(busy, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@contoso.com" in html


def test_html_shows_the_formula_runbook_and_drilldowns(busy: Report, tmp_path: Path) -> None:
    html = report.write(busy, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "ready + 0.5 × with_warnings" in html
    for _phase, step in busy.runbook[["phase", "step"]].itertuples(index=False):
        assert step in html
    assert "alice@contoso.com" in html and "Why it matters." in html


@pytest.mark.browser
@pytest.mark.slow
def test_html_renders_offline_in_chromium(busy: Report, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (make chromium)")
    from playwright.sync_api import sync_playwright

    path = report.write(busy, tmp_path / "r.html")
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_selector("svg text", timeout=20000)
        charts = page.locator("svg").count()
        browser.close()
    assert charts >= 2
    assert [u for u in requests if not u.startswith("file:")] == []


# ------------------------------------------------------------------------------------------- CSV
def test_csv_has_one_row_per_finding(busy: Report, tmp_path: Path) -> None:
    path = report.write(busy, tmp_path / "r.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == csvfile.COLUMNS
    assert len(rows) == sum(r.count for r in busy.results)
    by_check = {r.check.id: r.count for r in busy.results if r.count}
    counted: dict[str, int] = {}
    for row in rows:
        counted[row["check_id"]] = counted.get(row["check_id"], 0) + 1
    assert counted == by_check
    formula = [r for r in rows if "HYPERLINK" in r["username"]]
    assert formula and all(r["username"].startswith("'=") for r in formula)


def test_no_secret_or_fingerprint_in_any_export(busy: Report, tmp_path: Path) -> None:
    for ext in ("html", "json", "csv"):
        text = report.write(busy, tmp_path / f"r.{ext}").read_text(encoding="utf-8")
        assert SECRET_FINGERPRINT not in text and DEVICE_FINGERPRINT not in text, ext


def test_unknown_suffix_is_a_user_error(busy: Report, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"\.html, \.json, \.csv"):
        report.write(busy, tmp_path / "r.pdf")
    with pytest.raises(UserError, match="does not exist"):
        report.write(busy, tmp_path / "missing" / "r.json")


# ------------------------------------------------------------------------------------------- baseline
def test_baseline_reports_new_fixed_and_still_open(world: World, tmp_path: Path) -> None:
    w = world
    CASES["unmatched_users"](w)  # open in both runs
    CASES["invalid_phone_numbers"](w)  # fixed by the second run
    old = readiness.run(w.con, w.stamped(Settings.default()))
    old_path = report.write(old, tmp_path / "old.json")

    w.run("UPDATE plan SET action = 'write_mobile' WHERE user_id = 1 AND item = 'phone'")
    CASES["ambiguous_matches"](w)  # new in the second run
    now = baseline.apply(readiness.run(w.con, w.stamped(Settings.default())), old_path)

    counts = now.baseline.counts.set_index("check_id")
    assert counts.loc["unmatched_users"].to_dict() == {"new": 0, "fixed": 0, "still_open": 1}
    assert counts.loc["invalid_phone_numbers"].to_dict() == {"new": 0, "fixed": 1, "still_open": 0}
    assert counts.loc["ambiguous_matches"].to_dict() == {"new": 1, "fixed": 0, "still_open": 0}
    assert now.baseline.totals() == {"new": 1, "fixed": 1, "still_open": 1}

    doc = json.loads(report.write(now, tmp_path / "now.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, documented_schema())
    assert doc["baseline"]["totals"] == {"new": 1, "fixed": 1, "still_open": 1}
    assert [f["subject_id"] for f in doc["baseline"]["fixed_findings"]] == ["1/phone"]
    ambiguous = next(c for c in doc["checks"] if c["id"] == "ambiguous_matches")
    assert [f["baseline"] for f in ambiguous["findings"]] == ["new"]

    with report.write(now, tmp_path / "now.csv").open(encoding="utf-8", newline="") as fh:
        rows = {(r["check_id"], r["subject_id"]): r["baseline"] for r in csv.DictReader(fh)}
    assert rows == {
        ("ambiguous_matches", "11"): "new",
        ("unmatched_users", "10"): "still_open",
        ("invalid_phone_numbers", "1/phone"): "fixed",
    }
    assert "Compared with the baseline" in report.write(now, tmp_path / "now.html").read_text(
        encoding="utf-8"
    )


def test_a_check_missing_from_the_baseline_counts_as_new(busy: Report, tmp_path: Path) -> None:
    doc = json.loads(report.write(busy, tmp_path / "old.json").read_text(encoding="utf-8"))
    doc["checks"] = [c for c in doc["checks"] if c["id"] != "unmatched_users"]
    doc["checks"].append(
        {
            "id": "retired_check",
            "severity": "info",
            "title": "gone",
            "findings": [
                {
                    "subject_type": "user",
                    "subject_id": "9",
                    "user_id": 9,
                    "username": "x",
                    "upn": None,
                    "detail": "old",
                }
            ],
        }
    )
    diff = baseline.compare(busy, doc, "old.json")
    counts = diff.counts.set_index("check_id")
    assert counts.loc["unmatched_users", "new"] == busy.result("unmatched_users").count
    assert counts.loc["retired_check", "fixed"] == 1
    assert counts.loc["no_usable_method"].to_dict() == {"new": 0, "fixed": 0, "still_open": 1}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable JSON report"),
        ('{"rows": []}', "not a readiness report"),
        ('{"schema_version": 99, "checks": []}', "schema_version 99"),
    ],
)
def test_a_bad_baseline_is_a_user_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "old.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=message) as err:
        baseline.load(path)
    assert str(path) in str(err.value)
    with pytest.raises(UserError, match="does not exist"):
        baseline.load(tmp_path / "nope.json")
