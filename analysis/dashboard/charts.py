"""Charts for the pages: pure functions of small DataFrames (no Streamlit), easy to test.

The Overview's bar charts are Vega-Lite (Altair, which Streamlit ships with): a browser tab parses
plotly.js (~1 s on a 2-core machine) before drawing the first plotly figure, which alone would break
the Overview's 2 s warm target; Vega-Lite draws the same bars in a fraction of that. plotly stays for
the What-if flow (a Sankey, which Vega-Lite has no mark for) and the offline HTML report.

Colours come from :mod:`analysis.dashboard.outcomes`, so "red" means the same thing on every chart:
a user or method that will not reach Entra without an admin's help.
"""

from __future__ import annotations

import altair as alt
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


def wrap_label(text: str, width: int = 36) -> str:
    """A long label on several lines ("\\n" between them; the axis splits on it), never shortened."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _hbars(d: pd.DataFrame, value: str, title: str, value_title: str) -> alt.LayerChart:
    """Horizontal bars of ``d`` (columns ``label``, ``colour`` and ``value``) in row order, each labelled
    with its number. The colour column holds the colours themselves (``scale=None``). Labels wrap onto
    more lines instead of being cut (``labelLimit=0``: no limit)."""
    d = d.assign(label=[wrap_label(str(t)) for t in d["label"]])
    order = list(d["label"])
    lines = max((t.count("\n") + 1 for t in order), default=1)
    base = alt.Chart().encode(
        x=alt.X(f"{value}:Q", title=value_title),
        y=alt.Y(
            "label:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelLimit=0, labelExpr="split(datum.label, '\\n')"),
        ),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip(f"{value}:Q", title=value_title, format=",")],
    )
    bars = base.mark_bar().encode(color=alt.Color("colour:N", scale=None, legend=None))
    text = base.mark_text(align="left", dx=3).encode(text=alt.Text(f"{value}:Q", format=","))
    return alt.layer(bars, text, data=d).properties(title=title, height=alt.Step(14 + 13 * lines))


def users_by_outcome(df: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars, one per user outcome, largest first, coloured by tone."""
    d = df.sort_values("users", ascending=False)
    d = pd.DataFrame(
        {
            "label": [outcomes.label(a) for a in d["action"]],
            "colour": [outcomes.colour(a) for a in d["action"]],
            "users": d["users"].astype(int).to_list(),
        }
    )
    return _hbars(d, "users", "Users by outcome", "users")


def methods_compared(df: pd.DataFrame) -> alt.Chart:
    """Grouped bars: users with each method on MFA Server, in Entra now, and after the plan."""
    rows = []
    for population in POPULATIONS:
        part = df[df["population"] == population].set_index("method")["users"]
        rows += [{"population": population, "method": m, "users": int(part.get(m, 0))} for m in METHOD_ORDER]
    populations = list(POPULATIONS)
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "method:N",
                sort=METHOD_ORDER,
                title=None,
                # two-line labels ("Mobile" / "phone"), none hidden for overlap
                axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')", labelOverlap=False),
            ),
            xOffset=alt.XOffset("population:N", sort=populations),
            y=alt.Y("users:Q", title="users"),
            color=alt.Color(
                "population:N",
                scale=alt.Scale(domain=populations, range=list(POPULATIONS.values())),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["population:N", "method:N", alt.Tooltip("users:Q", format=",")],
        )
        .properties(title="Methods: MFA Server → Entra now → after the plan", height=320)
    )


def device_outcomes(df: pd.DataFrame) -> alt.LayerChart:
    """What happens to each Authenticator device (and OATH token) on MFA Server."""
    d = df[df["item"].isin(["device", "oath_token"])].sort_values("rows", ascending=False)
    d = pd.DataFrame(
        {
            "label": [
                ("Device: " if i == "device" else "Token: ") + outcomes.label(a)
                for i, a in zip(d["item"], d["action"], strict=True)
            ],
            "colour": [outcomes.colour(a) for a in d["action"]],
            "rows": d["rows"].astype(int).to_list(),
        }
    )
    return _hbars(d, "rows", "Authenticator devices and OATH tokens", "devices / tokens")


def devices_per_user(df: pd.DataFrame) -> alt.Chart:
    d = pd.DataFrame(
        {
            "devices": df["devices"].astype(str).to_list(),
            "users": df["users"].astype(int).to_list(),
            "colour": ["#c62828" if v == "6+" else "#78909c" for v in df["devices"]],
        }
    )
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("devices:N", sort=list(d["devices"]), title="devices", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("users:Q", title="users"),
            color=alt.Color("colour:N", scale=None, legend=None),
            tooltip=["devices:N", alt.Tooltip("users:Q", format=",")],
        )
        .properties(title="Devices per MFA Server user (the utility keeps at most 5)", height=240)
    )


def checks_by_severity(df: pd.DataFrame, top: int = 12) -> alt.LayerChart:
    """The ``top`` checks with findings, most serious first then by findings; bar length = findings."""
    d = df[df["findings"] > 0].copy()
    d["rank"] = [outcomes.severity_rank(s) for s in d["severity"]]
    d = d.sort_values(["rank", "findings"], ascending=[True, False]).head(top)
    shown = pd.DataFrame(
        {
            "label": list(d["title"]),
            "colour": [outcomes.severity_colour(s) for s in d["severity"]],
            "findings": d["findings"].astype(int).to_list(),
        }
    )
    title = (
        "Checks with the most findings, blockers first"
        if len(df[df["findings"] > 0]) > top
        else "Checks with findings"
    )
    return _hbars(shown, "findings", title, "findings")


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
            node={
                "label": [
                    f"{n} ({total:,})"
                    for n, total in zip(nodes, _node_totals(nodes, lnames, rnames, counts), strict=True)
                ],
                "pad": 26,
                "thickness": 16,
                "color": [node_colour(n) for n in nodes],
            },
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
    fig.update_traces(textfont={"size": 13})
    return _layout(
        fig,
        "",
        height=max(380, 58 * max(len(lindex), len(rindex)) + 80),  # room for each label: none overlap
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )


def _node_totals(nodes: list[str], lnames: list[str], rnames: list[str], counts: list[int]) -> list[int]:
    """Rows through each node: the left nodes' outgoing sums, then the right nodes' incoming sums."""
    left = dict.fromkeys(dict.fromkeys(lnames), 0)
    right = dict.fromkeys(dict.fromkeys(rnames), 0)
    for a, b, n in zip(lnames, rnames, counts, strict=True):
        left[a] += n
        right[b] += n
    return list(left.values()) + list(right.values())


def flow_table(df: pd.DataFrame) -> pd.DataFrame:
    """The moves of :func:`outcome_flow` as a table (item, from, to, rows), largest first: every label
    read whole, whatever the Sankey manages to fit."""
    out = pd.DataFrame(
        {
            "Item": [outcomes.ITEM_LABELS.get(i, i) for i in df["item"]],
            "Current settings": [
                outcomes.label(a) if isinstance(a, str) else "(not in plan)" for a in df["a"]
            ],
            "What-if": [outcomes.label(b) if isinstance(b, str) else "(not in plan)" for b in df["b"]],
            "Rows": [int(n) for n in df["n"]],
        }
    )
    return out.sort_values("Rows", ascending=False).reset_index(drop=True)
