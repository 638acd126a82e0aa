"""The picture frame around every page: sign-in gate, workspace, sidebar, navigation.

``app.py`` calls :func:`main` and nothing else. The order matters: nobody sees data before the identity
gate, and pages run only after the workspace is open and the context is stored.
"""

from __future__ import annotations

import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from analysis.dashboard import context, identity, session, sidebar
from analysis.errors import UserError

PAGES_DIR = Path(__file__).resolve().parent / "pages"
# Less empty space above the title; metric values a little smaller so long numbers fit the tiles.
CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stMetricValue"] { font-size: 1.9rem; }
"""

# (file, title, icon, url path) in menu order, by section
PAGES: dict[str, list[tuple[str, str, str, str]]] = {
    "Assess": [
        ("overview.py", "Overview", ":material/dashboard:", "overview"),
        ("readiness.py", "Readiness", ":material/fact_check:", "readiness"),
        ("notready.py", "Not ready", ":material/person_alert:", "not-ready"),
        ("users.py", "Users", ":material/person_search:", "users"),
        ("whatif.py", "What-if", ":material/tune:", "what-if"),
    ],
    "Migrate": [
        ("batches.py", "Batches", ":material/playlist_add_check:", "batches"),
        ("progress.py", "Progress", ":material/trending_up:", "progress"),
        ("rollout.py", "Rollout & cut-over", ":material/alt_route:", "rollout"),
        ("journal.py", "Journal", ":material/history:", "journal"),
    ],
}


def _login_gate() -> identity.Identity:
    ident = identity.current_identity()
    if ident is not None:
        return ident
    st.title("mfa-migrate")
    st.write(
        "This dashboard shows MFA data for your organisation's users. "
        "Sign in with your work account to continue."
    )
    providers = _providers()
    for provider in providers or [None]:
        label = f"Sign in with {provider}" if provider else "Sign in"
        if st.button(label, type="primary", key=f"login-{provider}"):
            st.login(provider) if provider else st.login()
    st.stop()
    raise AssertionError("unreachable")


def _providers() -> list[str]:
    """Named providers (``[auth.microsoft]`` …); empty when ``[auth]`` holds one provider directly."""
    try:
        auth: Mapping[str, Any] = st.secrets["auth"]
    except Exception:
        return []
    return [key for key, value in auth.items() if isinstance(value, Mapping)]


def _settings(ws: session.Workspace) -> Any:
    """The settings file in force: one TOML file for the whole dashboard, or the defaults, read at every
    rerun (so the What-if page's *Make current* applies without a restart; :mod:`settingsstore`).

    Every page and every session uses the same settings (the ``plan`` table is shared); the What-if page
    compares other settings without changing these until an operator makes them current.
    """
    from analysis.dashboard import settingsstore

    return settingsstore.read(ws.path)


def _open_workspace() -> session.Workspace:
    path = session.configured_path()
    if not path.exists():
        with st.spinner(f"Creating {path} from sample_data/ …"):
            note = session.ensure_loaded(path)
        if note and not path.exists():
            st.error(note)
            st.stop()
    return session.current(path)


def main() -> None:
    """One script run; the workspace connection it takes is given back at the end, however it ends."""
    with session.released():
        _main()


def _main() -> None:
    st.set_page_config(page_title="mfa-migrate", page_icon="🛡️", layout="wide")
    st.html(f"<style>{CSS}</style>")
    ident = _login_gate()
    try:
        ws = _open_workspace()
        loaded = _settings(ws)
    except UserError as exc:
        st.error(str(exc))
        st.stop()
        return
    ctx = context.Context(
        ws, ident, loaded.whatif, loaded.execute, loaded.source, loaded.retirement, loaded.freshness
    )
    context.put(ctx)
    sidebar.draw(ctx)
    pages = {
        section: [
            st.Page(str(PAGES_DIR / file), title=title, icon=icon, url_path=url)
            for file, title, icon, url in entries
        ]
        for section, entries in PAGES.items()
    }

    def home() -> None:
        """``/`` shows the Overview; it is registered as a page of its own too, so ``/overview`` is a
        link like any other page's (Streamlit serves its default page only at ``/``). Drawn in place
        rather than redirected: a redirect is a second run, which would lose what the first one said
        (a wrong operator token, for instance)."""
        runpy.run_path(str(PAGES_DIR / PAGES["Assess"][0][0]), run_name="__page__")

    hidden = st.Page(home, title="Overview", url_path="home", default=True, visibility="hidden")
    st.navigation({"": [hidden], **pages}).run()
