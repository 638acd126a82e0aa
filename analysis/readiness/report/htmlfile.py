"""The HTML report: one self-contained file for the change board that opens offline.

No script at all: the charts are inline SVG (:mod:`analysis.readiness.report.charts`) and every style is
inline, so the page references no URL outside itself (a test parses it to make sure) and stays small
(well under a megabyte for a small tenant). Drill-down tables show the first :data:`ROWS_PER_CHECK`
findings of each check and the "not ready" list its first :data:`NOT_READY_ROWS` users; the CSV and
JSON exports (and ``--per-user``) have all of them. Phone numbers are masked unless revealed.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from analysis.readiness.checks import SEVERITIES, CheckResult, Report
from analysis.readiness.report import charts, notready, shown

ROWS_PER_CHECK = 200
NOT_READY_ROWS = 500
GROUP_ROWS = 300
_HEADINGS = {"blocker": "Blockers", "warning": "Warnings", "info": "Information"}
_FINDING_HEADERS = {
    "subject_id": "subject",
    "username": "MFA Server user",
    "upn": "Entra UPN",
    "detail": "detail",
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1c2833;
background:#f4f6f7}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{margin:0 0 4px 0;font-size:26px} h2{margin-top:32px;border-bottom:2px solid #d5d8dc;padding-bottom:4px}
h3{margin:0;font-size:16px;display:inline}
.muted{color:#5d6d7e} .card{background:#fff;border-radius:8px;padding:16px;margin:12px 0;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpis{display:flex;gap:12px;flex-wrap:wrap} .kpi{background:#fff;border-radius:8px;padding:12px 18px;
box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:140px} .kpi b{display:block;font-size:28px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:12px}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #eaecee;vertical-align:top} th{background:#f8f9f9}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;color:#fff;font-weight:600;
white-space:nowrap}
.blocker{background:#c0392b} .warning{background:#d68910} .info{background:#2e86c1}
.ready,.done{background:#229954} .warnings,.in-progress{background:#d68910} .blocked{background:#c0392b}
.to-do{background:#7f8c8d} .manual{background:#5d6d7e} .new{background:#c0392b} .fixed{background:#229954}
.still_open{background:#7f8c8d}
ul.reasons{margin:0;padding-left:16px} ul.reasons li{margin:0 0 3px 0}
.note{background:#eaf2f8;border-radius:6px;padding:6px 10px;font-size:13px;margin-top:8px}
details{background:#fff;border-radius:8px;margin:8px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
summary{cursor:pointer;padding:10px 14px} details>div{padding:0 14px 14px 14px}
.count{float:right;font-weight:600} .quiet{font-size:13px;color:#5d6d7e}
code{background:#eaecee;border-radius:3px;padding:0 3px}
"""


def render(report: Report, reveal_phones: bool = False) -> str:
    """The whole report as one HTML document (a string)."""
    t = report.score.tenant
    ws = report.workspace
    score = "n/a" if t["score"] is None else f"{t['score']:.1f}"
    title = f"MFA migration readiness: {ws.get('tenant_id') or 'tenant'}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<div class="muted">generated {escape(report.generated_at)} '
        f"by mfa-migrate {escape(report.tool_version)} · status {_badge(report.score.status)}</div>",
        _phones_note(reveal_phones),
        _kpis(report, score),
        _context(report),
        _charts(report),
        _not_ready(report, reveal_phones),
        _score(report),
        _runbook(report.runbook),
        _baseline(report),
        *(_severity_section(report, s, reveal_phones) for s in SEVERITIES),
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write(report: Report, path: Path, reveal_phones: bool = False) -> None:
    path.write_text(render(report, reveal_phones), encoding="utf-8")


# ---------------------------------------------------------------------------------- sections
def _kpis(report: Report, score: str) -> str:
    t = report.score.tenant
    s = report.summary()
    items = [
        ("readiness score", score),
        ("users", t["users"]),
        ("ready", t["ready"]),
        ("with warnings", t["with_warnings"]),
        ("blocked", t["blocked"]),
        ("blocker findings", s["blocker"]["findings"]),
        ("warning findings", s["warning"]["findings"]),
    ]
    if report.retirement:
        r = report.retirement
        items += [(f"days to {r['date']}", r["days_left"]), ("tier P1 users", r["tiers"]["P1"])]
    cells = "".join(f'<div class="kpi"><b>{escape(str(v))}</b>{escape(k)}</div>' for k, v in items)
    return f'<div class="kpis">{cells}</div>'


def _context(report: Report) -> str:
    ws = report.workspace
    rows = [
        ("Tenant", ws.get("tenant_id")),
        ("Snapshot", f"{ws.get('snapshot_taken_at') or '?'} (source: {ws.get('snapshot_source') or '?'})"),
        ("MFA Server data", f"{ws.get('datafile_kind') or '?'}, loaded {ws.get('loaded_at') or '?'}"),
        ("Users", f"{ws.get('mfa_users')} MFA Server users, {ws.get('entra_users')} Entra users"),
        ("Settings", report.settings_summary),
    ]
    if report.retirement:
        r = report.retirement
        delivery = (
            "Microsoft delivers the codes" if r["phone_delivery"] == "microsoft" else "own telecom provider"
        )
        rows.append(("Phone retirement", f"{r['date']} ({charts.when(r['days_left'])}; {delivery})"))
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f'<div class="card"><table>{body}</table></div>'


def _phones_note(reveal_phones: bool) -> str:
    if reveal_phones:
        return '<div class="note">This report shows phone numbers in full (--reveal-phones).</div>'
    return (
        '<div class="note">Phone numbers are masked (+49 30•••••89): country code, first two and last two '
        "digits. <code>mfa-migrate readiness --reveal-phones</code> writes them in full.</div>"
    )


def _charts(report: Report) -> str:
    """Users by readiness and the score per group side by side; findings per check below at full width."""
    small = [charts.users_by_state(report)]
    if report.retirement:
        small.append(charts.users_by_tier(report))
    if len(report.score.groups) > 1:
        small.append(charts.score_by_group(report))
    if len(report.score.entra_groups) > 1:
        small.append(charts.score_by_group(report, entra=True))
    top = "".join(f'<div class="card">{svg}</div>' for svg in small)
    wide = (
        f'<div class="card">{charts.findings_by_check(report)}</div>'
        if any(r.count for r in report.results)
        else ""
    )
    return f'<h2>Summary</h2><div class="charts">{top}</div>{wide}'


def _not_ready(report: Report, reveal_phones: bool) -> str:
    """Who is not ready and why: one row per blocked or warned user, every reason and its remediation."""
    users = notready.frame(report, reveal_phones)
    if not report.tiers.empty:
        users = users.merge(
            report.tiers[["user_id", "tier"]].astype({"user_id": "Int64"}), on="user_id", how="left"
        )
    else:
        users = users.assign(tier=None)
    if users.empty:
        return "<h2>Who is not ready, and why</h2><p>Every counted user is ready: no blocker or warning.</p>"
    shown_rows = users.head(NOT_READY_ROWS)

    def items(text: str) -> str:
        return '<ul class="reasons">' + "".join(f"<li>{escape(t)}</li>" for t in text.split("\n")) + "</ul>"

    rows = "".join(
        f"<tr><td>{escape(str(r.username))}</td><td>{escape(r.upn) if isinstance(r.upn, str) else ''}</td>"
        f"<td>{_badge(str(r.status))}</td><td>{escape(r.tier) if isinstance(r.tier, str) else ''}</td>"
        f"<td>{items(r.reasons)}</td><td>{items(r.remediation)}</td></tr>"
        for r in shown_rows.itertuples()
    )
    head = (
        "<tr><th>MFA Server user</th><th>Entra UPN</th><th>status</th><th>tier</th><th>why</th>"
        "<th>what to do</th></tr>"
    )
    more = (
        f"<p class='muted'>showing the first {NOT_READY_ROWS} of {len(users)} users (blocked first); "
        "<code>mfa-migrate readiness --per-user users.csv</code> writes all of them</p>"
        if len(users) > NOT_READY_ROWS
        else ""
    )
    blocked = int((users["status"] == "blocked").sum())
    return (
        f"<h2>Who is not ready, and why</h2><details open><summary>{len(users)} users: {blocked} blocked, "
        f"{len(users) - blocked} with warnings (each reason and what to do)</summary>"
        f"<div><table>{head}{rows}</table>{more}</div></details>"
    )


def _score(report: Report) -> str:
    sc = report.score
    gates = (
        "<p>Gates (tenant-level blockers): "
        + ", ".join(f"<code>{escape(g)}</code>" for g in sc.gates)
        + "</p>"
        if sc.gates
        else "<p>No tenant-level blockers.</p>"
    )
    parts = [f'<div class="card"><p><b>Formula.</b> {escape(sc.formula)}</p>{gates}</div>']
    for title, table in (("MFA Server user groups", sc.groups), ("Entra groups", sc.entra_groups)):
        if table.empty:
            continue
        groups = table.sort_values("users", ascending=False).drop(columns="group_id", errors="ignore")
        more = len(groups) > GROUP_ROWS
        note = f"<p class='muted'>largest {GROUP_ROWS} of {len(groups)} groups</p>" if more else ""
        parts.append(f'<div class="card"><h3>{title}</h3>{_table(groups.head(GROUP_ROWS))}{note}</div>')
    return "<h2>Readiness score</h2>" + "".join(parts)


def _runbook(runbook: pd.DataFrame) -> str:
    rows = []
    for r in runbook.itertuples():
        rows.append(
            f"<tr><td>{escape(r.phase)}</td><td>{escape(r.step)}</td><td>{_badge(r.status)}</td>"
            f"<td>{escape(r.evidence)}</td></tr>"
        )
    head = "<tr><th>phase</th><th>step</th><th>status</th><th>evidence</th></tr>"
    return f'<h2>Runbook</h2><div class="card"><table>{head}{"".join(rows)}</table></div>'


def _baseline(report: Report) -> str:
    diff = report.baseline
    if diff is None:
        return ""
    tot = diff.totals()
    counts = diff.counts[(diff.counts[["new", "fixed", "still_open"]].sum(axis=1)) > 0]
    return (
        "<h2>Compared with the baseline</h2>"
        f'<div class="card"><p>Baseline {escape(Path(diff.source).name)} generated '
        f"{escape(diff.generated_at or '?')}: {_badge('new')} {tot['new']} new, "
        f"{_badge('fixed')} {tot['fixed']} fixed, "
        f"{_badge('still_open')} {tot['still_open']} still open.</p>{_table(counts)}</div>"
    )


def _severity_section(report: Report, severity: str, reveal_phones: bool) -> str:
    results = [r for r in report.results if r.check.severity == severity]
    fired = sorted((r for r in results if r.count), key=lambda r: -r.count)
    quiet = [r for r in results if not r.count]
    blocks = [_check_block(r, report, reveal_phones) for r in fired]
    if quiet:
        names = ", ".join(f"<code>{escape(r.check.id)}</code>" for r in quiet)
        blocks.append(f'<p class="quiet">No findings: {names}</p>')
    return f"<h2>{_HEADINGS[severity]} ({len(fired)} of {len(results)} checks fired)</h2>" + "".join(blocks)


def _check_block(result: CheckResult, report: Report, reveal_phones: bool) -> str:
    c = result.check
    rows = shown.findings(result.findings.head(ROWS_PER_CHECK), reveal_phones)
    cols = ["subject_id", "username", "upn", "detail"]
    table = rows[cols].rename(columns=_FINDING_HEADERS)
    if report.baseline is not None:
        status = report.baseline.status
        mine = status[status["check_id"] == c.id][["subject_type", "subject_id", "baseline"]]
        table = table.assign(
            baseline=rows.merge(mine, on=["subject_type", "subject_id"], how="left")["baseline"].values
        )
    more = (
        f"<p class='muted'>showing {ROWS_PER_CHECK} of {result.count}; "
        "the CSV and JSON reports have every finding</p>"
        if result.count > ROWS_PER_CHECK
        else ""
    )
    users = f", {result.users} user(s)" if result.users else ""
    return (
        f'<details id="{escape(c.id)}"><summary>{_badge(c.severity)} <h3>{escape(c.title)}</h3> '
        f'<code>{escape(c.id)}</code><span class="count">{result.count} finding(s){users}</span></summary>'
        f"<div><p><b>Why it matters.</b> {escape(c.why)}</p>"
        f"<p><b>Remediation.</b> {escape(c.remediation)}</p>"
        f"{_table(table)}{more}</div></details>"
    )


def _badge(status: str) -> str:
    return f'<span class="badge {escape(status.replace(" ", "-"))}">{escape(status)}</span>'


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in df.columns)
    rows = []
    for values in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, values, strict=True):
            text = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            cells.append(f"<td>{_badge(text) if col == 'baseline' and text else escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"
