"""Benchmark: time to first render of the dashboard's Overview and Readiness pages, in a real browser.

Generates an N-user sample (``analysis.sample``, seed 7; default 1,000,000 users), loads it into a
workspace, then drives Debian's Chromium (headless, Playwright) against ``streamlit run app.py`` on a
free 127.0.0.1 port and measures, from navigation start until the page has finished rendering
(script done, no skeletons, every KPI tile and chart drawn):

* **first open after a load** — nothing computed yet: the dashboard simulates every user and runs every
  readiness check (then stores the plan marker and report in the workspace);
* **cold** — a freshly started dashboard process on that workspace (nothing in memory; the stored
  plan and report are reused after a fingerprint check), opened in a browser with an empty cache;
* **warm** — the page opened again in a new tab of the same browser on the running process: a new
  Streamlit session (the median of ``--repeat`` loads).

Targets (issue 7): cold ≤ 8 s, warm ≤ 2 s. The in-process ``simulate`` + ``readiness.run`` times are
measured in the same run as the baseline for the first-open figure.

Then, in the warm process, **a what-if** on the What-if page: the device limit set to 1 and *Compare*,
timed from the click until the results are drawn (issue 13 item 11: ≤ 5 s), the median of ``--repeat``
what-ifs with limits 1, 2, 3, … (each one new to the page's cache), against the in-process simulation
of the same run.

    .venv/bin/python benchmarks/dashboard.py --users 1000000
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "dashboard"))  # served.py: the browser tests' server and Chromium

import duckdb  # noqa: E402
from common import browser_benchmark_args, prepare  # noqa: E402
from served import CHROMIUM, CHROMIUM_ARGS, dashboard  # noqa: E402

from analysis.readiness import checks as readiness  # noqa: E402
from analysis.simulate.runner import simulate  # noqa: E402
from analysis.simulate.settings import Settings  # noqa: E402
from analysis.sources import workspace  # noqa: E402

TARGET_COLD, TARGET_WARM = 8.0, 2.0
# url path, title, KPI tiles and charts (Vega-Lite SVGs) drawn before the page counts as rendered
PAGES = {"overview": ("", "Overview", 14, 5), "readiness": ("readiness", "Readiness", 4, 0)}


def baseline(ws: Path) -> dict[str, float]:
    """What a first open has to compute, measured in-process: simulate, then readiness."""
    con = workspace.connect(ws)
    try:
        settings = Settings.default()
        start = time.perf_counter()
        plan = simulate(con, settings, table="plan")
        sim = time.perf_counter() - start
        start = time.perf_counter()
        readiness.run(con, plan)
        ready = time.perf_counter() - start
    finally:
        con.close()
    return {"simulate": sim, "readiness": ready}


def forget_dashboard_cache(ws: Path) -> None:
    con = duckdb.connect(str(ws))
    try:
        con.execute("DROP TABLE IF EXISTS dashboard_cache")
        con.execute("DROP TABLE IF EXISTS dashboard_findings")
    finally:
        con.close()


RENDERED = """([title, tiles, charts]) => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  const h1 = main.querySelector('h1');
  if (!h1 || !h1.textContent.includes(title)) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (main.querySelector('[data-testid="stSkeleton"]')) return false;
  if (main.querySelectorAll('[data-testid="stMetricValue"]').length < tiles) return false;
  if (main.querySelectorAll('[data-testid="stVegaLiteChart"] svg.marks').length < charts) return false;
  return !main.querySelector('[data-testid="stException"]');
}"""


def render_time(context: object, url: str, page: str, timeout_s: float = 900) -> float:
    """Seconds from navigation start until ``page`` has rendered, in a new tab (a new Streamlit session)."""
    path, title, tiles, charts = PAGES[page]
    tab = context.new_page()  # type: ignore[attr-defined]
    try:
        start = time.perf_counter()
        tab.goto(f"{url}/{path}", wait_until="commit", timeout=timeout_s * 1000)
        tab.wait_for_function(RENDERED, arg=[title, tiles, charts], timeout=timeout_s * 1000, polling=50)
        return time.perf_counter() - start
    finally:
        tab.close()


def whatif_time(context: object, url: str, limit: int, timeout_s: float = 900) -> float:
    """Seconds from *Compare* (device limit ``limit``) until the What-if page shows its results."""
    tab = context.new_page()  # type: ignore[attr-defined]
    try:
        tab.goto(f"{url}/what-if", timeout=timeout_s * 1000)
        compare = tab.get_by_role("button", name="Compare with the current settings")
        compare.wait_for(timeout=timeout_s * 1000)
        box = tab.get_by_label("Device limit", exact=True).and_(tab.get_by_test_id("stNumberInputField"))
        box.fill(str(limit))
        box.press("Tab")
        start = time.perf_counter()
        compare.click()
        tab.get_by_text("Users changed").first.wait_for(timeout=timeout_s * 1000)
        tab.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_s * 1000
        )
        return time.perf_counter() - start
    finally:
        tab.close()


def main() -> int:
    repeat = ("--repeat", {"type": int, "default": 3, "help": "warm loads per page (the median is reported)"})
    args = browser_benchmark_args(__doc__ or "", CHROMIUM, (repeat,))
    if args is None:
        return 2
    from playwright.sync_api import sync_playwright

    ws, stage = prepare(args.users, args.seed, args.workdir)
    base = baseline(ws)
    log = args.workdir / "streamlit.log"
    results: dict[str, dict[str, float]] = {p: {} for p in PAGES}
    whatifs: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            forget_dashboard_cache(ws)
            with dashboard({"MFA_MIGRATE_WORKSPACE": str(ws)}, log) as url:
                fresh = browser.new_context(viewport={"width": 1440, "height": 1000})
                results["overview"]["first open"] = render_time(fresh, url, "overview")
                fresh.close()
            for page in PAGES:
                with dashboard({"MFA_MIGRATE_WORKSPACE": str(ws)}, log) as url:
                    # cold: a new dashboard process and a browser with an empty cache
                    context = browser.new_context(viewport={"width": 1440, "height": 1000})
                    results[page]["cold"] = render_time(context, url, page)
                    # warm: the same process and browser, a new session (as when an admin reopens it)
                    warm = [render_time(context, url, page) for _ in range(args.repeat)]
                    results[page]["warm"] = statistics.median(warm)
                    if page == "overview":
                        whatifs = [whatif_time(context, url, n + 1) for n in range(args.repeat)]
                    context.close()
        finally:
            browser.close()

    print(f"## Dashboard, {args.users:,} users (machine: 2 cores)\n")
    print("| page | first open after a load | cold (new process) | warm (new session) | targets |")
    print("|---|---|---|---|---|")
    for page in PAGES:
        r = results[page]
        first = f"{r['first open']:.1f} s" if "first open" in r else "–"
        ok = "met" if r["cold"] <= TARGET_COLD and r["warm"] <= TARGET_WARM else "missed"
        print(
            f"| {page} | {first} | {r['cold']:.1f} s | {r['warm']:.1f} s | ≤ {TARGET_COLD:.0f} s / ≤ "
            f"{TARGET_WARM:.0f} s: {ok} |"
        )
    print()
    print("| baseline (in-process, same run) | seconds |\n|---|---|")
    for name, seconds in {**stage, **base}.items():
        print(f"| {name} | {seconds:.1f} |")
    first_open = results["overview"]["first open"]
    compute = base["simulate"] + base["readiness"]
    print(f"\nfirst open / (simulate + readiness) = {first_open / compute:.2f}")
    whatif = statistics.median(whatifs)
    print(
        f"\nWhat-if (device limit 1, 2, …; Compare until drawn): median {whatif:.1f} s of "
        f"{', '.join(f'{x:.1f}' for x in whatifs)} (target ≤ 5 s: {'met' if whatif <= 5 else 'missed'}); "
        f"what-if / in-process simulate = {whatif / base['simulate']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
