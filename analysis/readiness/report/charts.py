"""Summary charts of a readiness report as inline SVG: no script, no library, nothing cut off.

The HTML report once inlined plotly.js (4.8 MB of its 5 MB) and let the browser lay out the labels,
which it cut to a few characters. These charts are drawn here instead: every label sits on its own
line above its bar and wraps at word boundaries to the chart's width, so no text is ever clipped or
abbreviated, and a chart costs a few kilobytes. Widths are estimated from the character count with a
generous per-character width; the browser test measures every rendered label against the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd

from analysis.readiness.afterdate import TIER_MEANING, TIERS
from analysis.readiness.checks import SEVERITIES, Report

COLORS: dict[str, str] = {
    "blocker": "#c0392b",
    "warning": "#b9770e",
    "info": "#2e86c1",
    "ready": "#229954",
    "done": "#229954",
    "in progress": "#d68910",
    "to do": "#7f8c8d",
    "manual": "#5d6d7e",
}
#: Priority tiers after the phone retirement date, most urgent first (shared with the dashboard).
TIER_COLORS: dict[str, str] = {"P1": "#c0392b", "P2": "#d68910", "P3": "#229954", "unknown": "#7f8c8d"}
NARROW, WIDE = 380, 900  # chart widths in CSS pixels: side by side, or across the page
PAD = 12
FONT = 12.5
TITLE_FONT = 15
LINE = 16
BAR = 14
NOTE_ROOM = 150  # room right of the longest bar for its number


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str
    note: str  # the number printed after the bar


def text_width(text: str, font: float = FONT) -> float:
    """A generous estimate of ``text``'s width in pixels at ``font`` (sans-serif): per-character classes
    rather than one average, so a run of capitals or wide letters is not underestimated."""
    em = 0.0
    for ch in text:
        if ch in "mwMW@%":
            em += 0.95
        elif ch.isupper():
            em += 0.75
        elif ch in " .,:;'|!ijl()[]":
            em += 0.34
        elif ch.isascii():
            em += 0.62
        else:
            em += 1.0
    return em * font


def wrap(text: str, width: int = NARROW, font: float = FONT) -> list[str]:
    """``text`` in lines that fit the chart's width (words are never split unless longer than a line)."""
    room = width - 2 * PAD
    lines: list[str] = []
    line = ""
    for word in text.split():
        while text_width(word, font) > room:  # a very long token (an id): split it, never drop it
            if line:
                lines.append(line)
                line = ""
            cut = max(1, max(i for i in range(1, len(word) + 1) if text_width(word[:i], font) <= room))
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if text_width(candidate, font) <= room:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


def _text(
    x: float, y: float, lines: list[str], font: float, weight: str = "normal", fill: str = "#1c2833"
) -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE * font / FONT:.1f}">{escape(t)}</tspan>'
        for i, t in enumerate(lines)
    )
    style = f'font-size="{font}" font-weight="{weight}" fill="{fill}"'
    return f'<text x="{x:.1f}" y="{y:.1f}" {style}>{spans}</text>'


def hbars(
    title: str,
    bars: list[Bar],
    legend: list[tuple[str, str]] | None = None,
    scale: float | None = None,
    width: int = NARROW,
) -> str:
    """Horizontal bars, each with its label above it and its number after it, as one SVG element drawn at
    its real size (``width`` CSS pixels; it shrinks only on a narrower screen)."""
    parts: list[str] = []
    y: float = PAD + TITLE_FONT
    head = wrap(title, width, TITLE_FONT)
    parts.append(_text(PAD, y, head, TITLE_FONT, "600"))
    y += (len(head) - 1) * LINE * TITLE_FONT / FONT + 10
    if legend:
        x: float = PAD
        y += 8
        for name, colour in legend:
            room = 14 + text_width(name) + 16
            if x + room > width - PAD:
                x = PAD
                y += LINE + 2
            parts.append(
                f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="10" height="10" rx="2" fill="{colour}"/>'
            )
            parts.append(_text(x + 14, y, [name], FONT))
            x += room
        y += 8
    top = max((b.value for b in bars), default=0) if scale is None else scale
    longest = width - 2 * PAD - NOTE_ROOM
    for b in bars:
        lines = wrap(b.label, width)
        y += LINE
        parts.append(_text(PAD, y, lines, FONT))
        y += (len(lines) - 1) * LINE + 5
        length = longest * (b.value / top) if top else 0
        box = f'x="{PAD}" y="{y:.1f}" width="{max(length, 1.5):.1f}" height="{BAR}"'
        parts.append(
            f'<rect {box} rx="2" fill="{b.colour}"><title>{escape(b.label)}: {escape(b.note)}</title></rect>'
        )
        parts.append(_text(PAD + length + 6, y + BAR - 3, [b.note], FONT, "600"))
        y += BAR + 6
    height = y + PAD
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" style="max-width:100%;height:auto" role="img" aria-label="{label}" '
        f'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"><title>{label}</title>'
        f"{''.join(parts)}</svg>"
    )


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({100 * part / whole:.1f}%)" if whole else f"{part:,}"


def users_by_state(report: Report) -> str:
    """The counted users: ready, with warnings, blocked."""
    t = report.score.tenant
    users = int(t["users"] or 0)
    rows = [
        ("Ready: no blocker or warning", int(t["ready"] or 0), COLORS["ready"]),
        ("With warnings (no blocker)", int(t["with_warnings"] or 0), COLORS["warning"]),
        ("Blocked: at least one blocker", int(t["blocked"] or 0), COLORS["blocker"]),
    ]
    score = "n/a" if t["score"] is None else f"{t['score']:.1f}"
    bars = [Bar(label, n, colour, _share(n, users)) for label, n, colour in rows]
    return hbars(f"Users by readiness ({users:,} users, score {score})", bars, scale=users or 1)


def findings_by_check(report: Report, top: int = 20) -> str:
    """The checks with the most findings, coloured by severity."""
    fired = sorted((r for r in report.results if r.count), key=lambda r: (-r.count, r.check.id))[:top]
    bars = [
        Bar(r.check.title, r.count, COLORS[r.check.severity], f"{r.count:,} ({r.check.severity})")
        for r in fired
    ]
    shown = len([r for r in report.results if r.count])
    title = f"Findings per check (the {top} with most of {shown})" if shown > top else "Findings per check"
    legend = [(s, COLORS[s]) for s in SEVERITIES]
    return hbars(title, bars, legend, width=WIDE)


def _number(value: object) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def score_by_group(report: Report, top: int = 25, entra: bool = False) -> str:
    """The score of the largest MFA Server user groups (or Entra groups)."""
    table: pd.DataFrame = report.score.entra_groups if entra else report.score.groups
    groups = table.sort_values(["users", "group"], ascending=[False, True]).head(top)
    bars = [
        Bar(
            str(g.group),
            _number(g.score),
            COLORS["ready"],
            f"{_number(g.score):.1f} ({int(g.users):,} users)",
        )
        for g in groups.itertuples()
    ]
    what = "Entra group" if entra else "MFA Server user group"
    title = f"Score per {what} (largest {top} of {len(table)})" if len(table) > top else f"Score per {what}"
    return hbars(title, bars, scale=100)


def when(days_left: int) -> str:
    """``in 58 days``, ``today`` or ``3 days ago``."""
    if days_left > 0:
        return f"in {days_left:,} day{'s' if days_left != 1 else ''}"
    return "today" if days_left == 0 else f"{-days_left:,} day{'s' if days_left != -1 else ''} ago"


def users_by_tier(report: Report) -> str:
    """Users per priority tier after the phone retirement date, with the days left in the title."""
    r = report.retirement
    tiers = r["tiers"]
    total = sum(tiers.values())
    bars = [Bar(f"{t}: {TIER_MEANING[t]}", tiers[t], TIER_COLORS[t], _share(tiers[t], total)) for t in TIERS]
    unknown = int(tiers.get("unknown", 0))
    if unknown:
        label = "Unknown: methods not read, or outcomes not predictable"
        bars.append(Bar(label, unknown, TIER_COLORS["unknown"], _share(unknown, total)))
    delivery = "" if r["phone_delivery"] == "microsoft" else "; own telecom provider, phones keep working"
    title = f"Priority tiers: phone codes stop on {r['date']} ({when(r['days_left'])}{delivery})"
    return hbars(title, bars, scale=total or 1)
