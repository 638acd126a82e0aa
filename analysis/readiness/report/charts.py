"""Summary charts of a readiness report: plotly figures the HTML export inlines and the dashboard shows."""

from __future__ import annotations

import plotly.graph_objects as go

from analysis.readiness.checks import Report

COLORS: dict[str, str] = {
    "blocker": "#c0392b",
    "warning": "#d68910",
    "info": "#2e86c1",
    "ready": "#229954",
    "done": "#229954",
    "in progress": "#d68910",
    "to do": "#7f8c8d",
    "manual": "#5d6d7e",
}
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "height": 320, "font": {"size": 12}}


def users_by_state(report: Report) -> go.Figure:
    """Donut of the counted users: ready, with warnings, blocked."""
    t = report.score.tenant
    slices = [
        ("ready", t["ready"] or 0, COLORS["ready"]),
        ("with warnings", t["with_warnings"] or 0, COLORS["warning"]),
        ("blocked", t["blocked"] or 0, COLORS["blocker"]),
    ]
    slices = [s for s in slices if s[1]]  # an empty slice only clutters the labels
    fig = go.Figure(
        go.Pie(
            labels=[s[0] for s in slices],
            values=[s[1] for s in slices],
            hole=0.55,
            sort=False,
            marker={"colors": [s[2] for s in slices]},
            textinfo="value+percent",
        )
    )
    score = "n/a" if t["score"] is None else f"{t['score']:.1f}"
    fig.update_layout(title=f"Users by readiness (score {score})", width=440, **_LAYOUT)
    return fig


def findings_by_check(report: Report, top: int = 20) -> go.Figure:
    """Horizontal bars of the checks with the most findings, coloured by severity."""
    fired = sorted((r for r in report.results if r.count), key=lambda r: r.count, reverse=True)[:top]
    fired.reverse()  # plotly draws the first bar at the bottom
    fig = go.Figure(
        go.Bar(
            x=[r.count for r in fired],
            y=[r.check.id for r in fired],
            orientation="h",
            marker={"color": [COLORS[r.check.severity] for r in fired]},
            hovertext=[f"{r.check.title} ({r.check.severity})" for r in fired],
        )
    )
    layout = dict(_LAYOUT, height=max(320, 24 * len(fired) + 80))
    fig.update_layout(title=f"Findings per check (top {top})", xaxis_title="findings", **layout)
    return fig


def score_by_group(report: Report, top: int = 25, entra: bool = False) -> go.Figure:
    """Bars of the score of the largest MFA Server user groups (or Entra groups)."""
    table = report.score.entra_groups if entra else report.score.groups
    groups = table.sort_values("users", ascending=False).head(top)
    fig = go.Figure(
        go.Bar(
            x=groups["group"].astype(str).tolist(),
            y=groups["score"].tolist(),
            marker={"color": COLORS["ready"]},
            hovertext=[f"{u} users" for u in groups["users"]],
        )
    )
    title = "Score per Entra group" if entra else "Score per MFA Server user group"
    fig.update_layout(title=f"{title} (largest)", yaxis={"range": [0, 100]}, **_LAYOUT)
    return fig
