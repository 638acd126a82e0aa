"""The Streamlit dashboard: the only package in mfa-migrate that imports streamlit.

``app.py`` calls :func:`analysis.dashboard.frame.main`, which gates on identity, draws the sidebar and
routes with ``st.navigation`` to the thin page scripts in ``pages/``. Pages read the workspace through
``data`` (cached, keyed on the workspace's load id) and draw with ``components`` and ``charts``. All the
product logic (simulate, readiness, batches, execute) lives in the UI-free ``analysis`` package; a test
fails if anything outside this package imports streamlit.
"""
