"""Users: every MFA Server user in one grid (filter, sort, page, export), and one user opened in full."""

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analysis.dashboard import (
    components,
    context,
    freshness,
    grid,
    outcomes,
    plans,
    privacy,
    session,
    userpanel,
    userview,
)

ctx = context.get()
ws = ctx.workspace
components.header(
    "Users",
    "Every MFA Server user: their state on MFA Server and in Entra, what the migration will do, and what "
    "stands in the way. Filter, sort, export what you see; click a user to open them.",
)

with components.user_errors():
    plan = plans.current(ws, ctx.settings)
    report = plans.report(ws, ctx.settings, ctx.retirement)
    with st.spinner("Preparing the user grid (once per load and settings) …"):
        table = grid.ensure(ws, plan, report, ctx.settings.skip_disabled)

freshness.show(ctx)
STATUS = {"blocked": "Blocked", "warnings": "With warnings", "ready": "Ready", "not counted": "Not counted"}
STATUS_TONE = {"blocked": "#c62828", "warnings": "#ef6c00", "ready": "#2e7d32", "not counted": "#757575"}
SEVERITIES = {"blocker": "has a blocker", "warning": "has a warning", "info": "has an info finding"}
EXPORTS = {"csv": ("CSV", "text/csv"), "parquet": ("Parquet", "application/vnd.apache.parquet")}
TIERS = {"P1": "P1: nothing usable", "P2": "P2: phone default", "P3": "P3: non-phone", "none": "No tier"}


def options(facets: pd.DataFrame, kind: str) -> list[str]:
    return [str(v) for v in facets[facets["kind"] == kind]["value"] if isinstance(v, str)]


def counted(facets: pd.DataFrame, kind: str) -> dict[str, int]:
    part = facets[facets["kind"] == kind]
    return {str(v): int(n) for v, n in zip(part["value"], part["users"], strict=True) if isinstance(v, str)}


def facet_filter(
    col: DeltaGenerator,
    facets: pd.DataFrame,
    label: str,
    kind: str,
    choices: list[str],
    name: Callable[[str], object],
    key: str,
    help: str | None = None,
) -> list[str]:
    """A multiselect over one facet, each choice named and followed by how many users it holds."""
    counts = counted(facets, kind)
    return col.multiselect(
        label,
        choices,
        format_func=lambda v: f"{name(v)} ({counts.get(v, 0):,})",
        key=key,
        help=help,
    )


@st.fragment
def users_view(table: grid.Grid) -> None:
    """The filters, and below them the grid (a fragment of its own inside this one).

    A fragment: a filter change reruns the filters and the grid, not the frame around the page (sign-in,
    settings file, sidebar) nor the plan and report look-ups, which a full rerun of the page (opening it,
    the sidebar) does again. Like the grid, it gives back the workspace connection it took itself."""
    with session.released(), components.user_errors():
        facets = grid.facets(table)
        filters = draw_filters(table, facets)
        grid_view(table, filters, int(facets[facets["kind"] == "status"]["users"].sum()))


def draw_filters(table: grid.Grid, facets: pd.DataFrame) -> grid.Filters:
    titles = {r.check.id: r.check.title for r in report.results}
    checks = counted(facets, "check")
    groups_entra = grid.entra_groups(ws.path, ws.load_id)
    with st.container(border=True):
        c1, c2, c3, c9 = st.columns([2, 1.3, 1.3, 1.1])
        text = c1.text_input(
            "Search by name, username, UPN, email or SID",
            key="user_search",
            placeholder="e.g. alice, CONTOSO\\alice, alice@contoso.com, S-1-5-21-…",
        )
        chosen_outcomes = facet_filter(
            c2, facets, "Outcome", "outcome", options(facets, "outcome"), outcomes.label, "u_outcome"
        )
        statuses = [s for s in STATUS if s in counted(facets, "status")]
        chosen_status = facet_filter(c3, facets, "Readiness", "status", statuses, STATUS.get, "u_status")
        chosen_tiers = facet_filter(
            c9,
            facets,
            "Priority tier",
            "tier",
            [t for t in TIERS if t in counted(facets, "tier")],
            TIERS.get,
            "u_tier",
            help="after the phone retirement date: P1 nothing usable; P2 the default or only method is a "
            "phone; P3 a non-phone method",
        )
        c4, c5, c6, c7, c8 = st.columns([2, 1.2, 1.3, 1.5, 1.2])
        chosen_check = c4.selectbox(
            "Check",
            ["", *sorted(checks, key=lambda c: -checks[c])],
            format_func=lambda c: f"{titles.get(c, c)} ({checks[c]:,})" if c else "(any check)",
            key="u_check",
        )
        chosen_sev = c5.multiselect("Severity", list(SEVERITIES), format_func=SEVERITIES.get, key="u_sev")
        chosen_groups = facet_filter(
            c6, facets, "MFA Server group", "mfa_group", options(facets, "mfa_group"), str, "u_group"
        )
        entra_names = {r.id: f"{r.name} ({int(r.members):,})" for r in groups_entra.itertuples()}
        chosen_entra = c7.selectbox(
            "Entra group",
            ["", *entra_names],
            format_func=lambda g: entra_names.get(g, "(any group)"),
            key="u_entra",
            help="transitive members; counts are all member users",
        )
        chosen_methods = facet_filter(
            c8,
            facets,
            "Method",
            "method",
            options(facets, "method"),
            lambda m: userview.METHOD_NAMES.get(m, m),
            "u_method",
            help="the user's default method on MFA Server",
        )
    return grid.Filters(
        outcomes=tuple(chosen_outcomes) or None,
        statuses=tuple(chosen_status) or None,
        check_id=chosen_check or None,
        severities=tuple(chosen_sev) or None,
        mfa_groups=tuple(chosen_groups) or None,
        methods=tuple(chosen_methods) or None,
        tiers=tuple(chosen_tiers) or None,
        entra_group=chosen_entra or None,
        text=text,
    )


PHONE_LISTS = ("entra_mobile", "entra_alternate", "entra_office")


def mfa_text(r: dict[str, Any]) -> str:
    """The MFA Server state of one grid row whose numbers are already as this viewer may see them."""
    parts = [userview.METHOD_NAMES.get(r["mfa_method"], r["mfa_method"])]
    if isinstance(r["mfa_phone"], str):
        parts.append(r["mfa_phone"])
    if isinstance(r["mfa_backup_phone"], str):
        parts.append("backup " + r["mfa_backup_phone"])
    if pd.notna(r["mfa_devices"]) and r["mfa_devices"]:
        parts.append(f"{int(r['mfa_devices'])} device{'s' if r['mfa_devices'] != 1 else ''}")
    elif pd.isna(r["mfa_devices"]):
        parts.append("devices unknown")
    if isinstance(r["mfa_oath"], str):
        parts.append(f"OATH {r['mfa_oath']}")
    return " · ".join(parts)


def entra_text(r: dict[str, Any]) -> str:
    """Entra now for one grid row whose numbers are already as this viewer may see them."""
    if not isinstance(r["upn"], str):
        return "(no Entra user)"
    default = r["entra_default"]
    parts = [userview.ENTRA_DEFAULTS.get(default, default) if isinstance(default, str) else "no default"]
    for label, col in zip(("mobile", "alternate", "office"), PHONE_LISTS, strict=True):
        if isinstance(r[col], str):
            parts.append(f"{label} {r[col]}")
    if isinstance(r["entra_methods_error"], str):
        parts.append("methods not read")
    else:
        if r["entra_authenticators"]:
            parts.append(f"{int(r['entra_authenticators'])} Authenticator")
        if r["entra_oath_tokens"]:
            parts.append(f"{int(r['entra_oath_tokens'])} OATH")
    return " · ".join(parts)


def shown_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The page's rows as the grid shows them: numbers masked a column at a time (one vectorised call
    each, not one per number), then each row's MFA Server and Entra text."""
    masked = rows.assign(
        mfa_phone=privacy.numbers(rows["mfa_phone"]),
        mfa_backup_phone=privacy.numbers(rows["mfa_backup_phone"]),
        **{col: privacy.phone_lists(rows[col]) for col in PHONE_LISTS},
    )
    records = masked.to_dict("records")
    return pd.DataFrame(
        {
            "user_id": rows["user_id"],
            "User": rows["username"],
            "Name": rows["name"],
            "Group": rows["mfa_group"],
            "Outcome": rows["outcome_label"],
            "Readiness": [STATUS.get(s, s) for s in rows["status"]],
            "Tier": [t if isinstance(t, str) else "" for t in rows["tier"]],
            "Findings": [
                f"{int(n)}: {t}" if n else ""
                for n, t in zip(rows["findings"], rows["finding_titles"], strict=True)
            ],
            "MFA Server": [mfa_text(r) for r in records],
            "Entra UPN": rows["upn"],
            "Entra now": [entra_text(r) for r in records],
            "After the plan": rows["after_plan"],
        }
    )


def jump_to(key: str) -> None:
    """The page typed into the page box, set before the rerun its change causes (as the pager does)."""
    st.session_state["u_page"] = int(st.session_state[key])


@st.fragment
def grid_view(table: grid.Grid, filters: grid.Filters, everyone: int) -> None:
    """Sort, rows per page, the grid with its pager and downloads, and the user opened below it.

    A fragment inside :func:`users_view`: a sort, a page or a click on a row reruns only this part, with
    the filters its last run drew (a filter change reruns both). At 1,000,000 users the rest of a rerun
    (the sidebar, the plan and report look-ups, the facets and the filter widgets with their option lists)
    was about a third of each click. A rerun of a fragment is not inside the frame's script run, so it
    gives back the workspace connection it took itself."""
    with session.released(), components.user_errors():
        draw_grid(table, filters, everyone)


def draw_grid(table: grid.Grid, filters: grid.Filters, everyone: int) -> None:
    s1, s2, s3, _ = st.columns([2, 1, 1, 2])
    sort = s1.selectbox("Sort by", list(grid.SORTS), format_func=lambda k: grid.SORTS[k][0], key="u_sort")
    descending = s2.toggle("Descending", key="u_desc")
    size = s3.selectbox("Rows per page", [25, 50, 100, 250], index=1, key="u_size")

    signature = (filters, sort, descending, size)
    if st.session_state.get("u_signature") != signature:  # another view: back to its first page
        st.session_state["u_signature"] = signature
        st.session_state["u_page"] = 1
    page_no = max(1, int(st.session_state.get("u_page", 1)))
    rows, total = grid.page(table, filters, sort, descending, (page_no - 1) * size, size)
    pages = max(1, -(-total // size))
    if page_no > pages:  # fewer users match than when the page was chosen
        page_no = pages
        rows, total = grid.page(table, filters, sort, descending, (page_no - 1) * size, size)

    shown = shown_rows(rows)
    st.caption(
        f"**{total:,}** of {everyone:,} users match"
        + (f" · page {page_no:,} of {pages:,}" if pages > 1 else "")
        + " · click a row to open the user below."
    )
    colours = {
        "Outcome": [outcomes.colour(a) if isinstance(a, str) else None for a in rows["outcome"]],
        "Readiness": [STATUS_TONE.get(s) for s in rows["status"]],
    }
    picked = st.dataframe(
        components.styled(shown, colours),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="user_grid",
        height=min(36 + 35 * max(len(shown), 1), 36 + 35 * 15),
        column_config={
            "user_id": None,
            "Findings": st.column_config.TextColumn("Findings", width="medium"),
            "MFA Server": st.column_config.TextColumn("MFA Server", width="medium"),
            "Entra now": st.column_config.TextColumn("Entra now", width="medium"),
            "After the plan": st.column_config.TextColumn("After the plan", width="medium"),
        },
    )

    p1, p2, p3, p4, p5 = st.columns([1, 1, 1.2, 2.2, 2.2])
    components.pager(p1, p2, "u_page", page_no, pages)
    jump = f"u_jump_{page_no}"
    p3.number_input(
        "Page", 1, pages, page_no, key=jump, label_visibility="collapsed", on_change=jump_to, args=(jump,)
    )
    reveal = privacy.revealed()
    what = components.users_text(total, all_of=not filters.active)

    def download(col: DeltaGenerator, view: grid.Filters, kind: str, name: str, count: str, key: str) -> None:
        """One export of the grid (rows of ``view`` in the page's order) as CSV or Parquet."""
        label, mime = EXPORTS[kind]
        col.download_button(
            f"Download {count} ({label})",
            data=lambda: grid.export(table, view, sort, descending, kind, reveal),
            file_name=f"{name}.{kind}",
            mime=mime,
            icon=":material/download:",
            key=key,
        )

    download(p4, filters, "csv", "users", what, "u_csv")
    download(p5, filters, "parquet", "users", what, "u_parquet")
    if filters.active:
        everyone_text = components.users_text(everyone, all_of=True)
        download(st.container(), grid.Filters(), "csv", "users-all", everyone_text, "u_csv_all")

    # ------------------------------------------------------------ the user opened
    selected = picked.selection.rows if picked is not None else []
    if selected and selected[0] < len(rows):
        st.query_params["user"] = str(int(rows.iloc[selected[0]]["user_id"]))
    user_param = st.query_params.get("user")
    if user_param and str(user_param).isdigit():
        st.divider()
        userpanel.draw(ctx, plan, report, int(user_param))
    elif not rows.empty:
        st.info(
            "Click a user in the grid to see their MFA Server and Entra methods side by side, their findings "
            "and what the plan does.",
            icon=":material/touch_app:",
        )


users_view(table)
