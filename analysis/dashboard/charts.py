"""Plotly figures for the pages: pure functions of small DataFrames (no Streamlit), easy to test.

Colours come from :mod:`analysis.dashboard.outcomes`, so "red" means the same thing on every chart:
a user or method that will not reach Entra without an admin's help.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.dashboard import outcomes

METHOD_ORDER = [
    "Mobile phone",
    "Alternate phone",
    "Office phone",
    "Authenticator app",
    "Hardware OATH token",
    "Software OATH token",
]
POPULATIONS = {"MFA Server": "#78909c", "Entra now": "#90caf9", "After the plan": "#1565c0"}
LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "height": 320,
    "legend": {"orientation": "h", "y": -0.15},
}


def _layout(fig: go.Figure, title: str, **extra: object) -> go.Figure:
    fig.update_layout(title={"text": title, "font": {"size": 15}}, **{**LAYOUT, **extra})
    return fig


def users_by_outcome(df: pd.DataFrame) -> go.Figure:
    """Horizontal bars, one per user outcome, largest first, coloured by tone."""
    d = df.sort_values("users")
    labels = [outcomes.label(a) for a in d["action"]]
    fig = go.Figure(
        go.Bar(
            x=d["users"],
            y=labels,
            orientation="h",
            marker_color=[outcomes.colour(a) for a in d["action"]],
            text=[f"{n:,}" for n in d["users"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} users<extra></extra>",
        )
    )
    return _layout(fig, "Users by outcome", xaxis_title="users", showlegend=False)


def methods_compared(df: pd.DataFrame) -> go.Figure:
    """Grouped bars: users with each method on MFA Server, in Entra now, and after the plan."""
    fig = go.Figure()
    for population, colour in POPULATIONS.items():
        part = df[df["population"] == population].set_index("method")["users"]
        values = [int(part.get(m, 0)) for m in METHOD_ORDER]
        fig.add_bar(
            name=population,
            x=[m.replace(" ", "<br>", 1) for m in METHOD_ORDER],
            y=values,
            marker_color=colour,
            hovertemplate=f"{population}: %{{y:,}} users with %{{x}}<extra></extra>",
        )
    return _layout(
        fig,
        "Methods: MFA Server → Entra now → after the plan",
        barmode="group",
        yaxis_title="users",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        height=340,
    )


def device_outcomes(df: pd.DataFrame) -> go.Figure:
    """What happens to each Authenticator device (and OATH token) on MFA Server."""
    d = df[df["item"].isin(["device", "oath_token"])].copy()
    d["label"] = [
        ("Device: " if i == "device" else "Token: ") + outcomes.label(a)
        for i, a in zip(d["item"], d["action"], strict=True)
    ]
    d = d.sort_values("rows")
    fig = go.Figure(
        go.Bar(
            x=d["rows"],
            y=d["label"],
            orientation="h",
            marker_color=[outcomes.colour(a) for a in d["action"]],
            text=[f"{n:,}" for n in d["rows"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    return _layout(
        fig, "Authenticator devices and OATH tokens", xaxis_title="devices / tokens", showlegend=False
    )


def devices_per_user(df: pd.DataFrame) -> go.Figure:
    colours = ["#c62828" if d == "6+" else "#78909c" for d in df["devices"]]
    fig = go.Figure(
        go.Bar(
            x=df["devices"],
            y=df["users"],
            marker_color=colours,
            hovertemplate="%{x} devices: %{y:,} users<extra></extra>",
        )
    )
    return _layout(
        fig,
        "Devices per MFA Server user (the utility keeps at most 5)",
        xaxis_title="devices",
        yaxis_title="users",
        showlegend=False,
        height=260,
    )


def checks_by_severity(df: pd.DataFrame, top: int = 12) -> go.Figure:
    """The ``top`` checks with findings, most serious first then by findings; bar length = findings."""
    d = df[df["findings"] > 0].copy()
    d["rank"] = [outcomes.severity_rank(s) for s in d["severity"]]
    d = d.sort_values(["rank", "findings"], ascending=[True, False]).head(top).iloc[::-1]
    short = [t if len(t) <= 48 else t[:46].rstrip() + "…" for t in d["title"]]
    fig = go.Figure(
        go.Bar(
            x=d["findings"],
            y=short,
            orientation="h",
            marker_color=[outcomes.severity_colour(s) for s in d["severity"]],
            text=[f"{n:,}" for n in d["findings"]],
            textposition="outside",
            customdata=list(zip(d["title"], d["severity"], strict=True)),
            hovertemplate="%{customdata[0]} (%{customdata[1]}): %{x:,} findings<extra></extra>",
        )
    )
    title = (
        "Checks with the most findings, blockers first"
        if len(df[df["findings"] > 0]) > top
        else "Checks with findings"
    )
    return _layout(
        fig,
        title,
        xaxis_title="findings",
        showlegend=False,
        height=max(260, 26 * len(d) + 90),
        yaxis={"automargin": True},
    )


def outcome_flow(df: pd.DataFrame, left: str = "Current", right: str = "What-if") -> go.Figure:
    """Sankey of plan outcomes: ``df`` has ``item``, ``a`` (action now), ``b`` (action what-if), ``n``.

    Nodes are "item: outcome" on each side; links carry how many plan rows move from one to the other.
    Rows only in one plan appear as "(not in plan)" on the other side.
    """

    # pandas 3 stores missing strings as NaN (truthy): normalise to None once
    a_col = [v if isinstance(v, str) else None for v in df["a"]]
    b_col = [v if isinstance(v, str) else None for v in df["b"]]
    items, counts = list(df["item"]), [int(n) for n in df["n"]]

    def name(item: str, action: str | None) -> str:
        return (
            f"{outcomes.ITEM_LABELS.get(item, item)}: {outcomes.label(action) if action else '(not in plan)'}"
        )

    lnames = [name(i, a) for i, a in zip(items, a_col, strict=True)]
    rnames = [name(i, b) for i, b in zip(items, b_col, strict=True)]
    nodes = list(dict.fromkeys(lnames)) + list(dict.fromkeys(rnames))
    lindex = {n: i for i, n in enumerate(dict.fromkeys(lnames))}
    offset = len(lindex)
    rindex = {n: offset + i for i, n in enumerate(dict.fromkeys(rnames))}
    actions = list(dict.fromkeys(a_col + b_col))

    def node_colour(node: str) -> str:
        for a in actions:
            if a and node.endswith(outcomes.label(a)):
                return outcomes.colour(a)
        return outcomes.TONE_COLOURS["neutral"]

    link_colours = [
        "rgba(198,40,40,0.35)"
        if outcomes.tone(b or "") == "bad" and a != b
        else "rgba(46,125,50,0.35)"
        if a != b and outcomes.tone(b or "") in ("ok", "info")
        else "rgba(158,158,158,0.25)"
        for a, b in zip(a_col, b_col, strict=True)
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": nodes, "pad": 12, "thickness": 14, "color": [node_colour(n) for n in nodes]},
            link={
                "source": [lindex[n] for n in lnames],
                "target": [rindex[n] for n in rnames],
                "value": counts,
                "color": link_colours,
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,}<extra></extra>",
            },
        )
    )
    fig.add_annotation(x=0, y=1.08, xref="paper", yref="paper", text=f"<b>{left}</b>", showarrow=False)
    fig.add_annotation(x=1, y=1.08, xref="paper", yref="paper", text=f"<b>{right}</b>", showarrow=False)
    return _layout(
        fig,
        "",
        height=max(360, 22 * max(len(lindex), len(rindex)) + 80),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
