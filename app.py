"""Streamlit entry point: ``streamlit run app.py`` (or ``make demo``).

This one file plays two parts. ``streamlit run app.py`` imports it as a module and serves ``app``: the
dashboard wrapped in :mod:`analysis.dashboard.guard` (refuse a foreign ``Host`` or websocket ``Origin``;
print the operator link with local mode's token). Each browser session then runs this same file as its
script (``__main__``), which hands over to :mod:`analysis.dashboard.frame` (sign-in gate, sidebar,
``st.navigation``), so the app can also be imported and tested as a package.
"""

from streamlit.starlette import App

from analysis.dashboard.guard import announce, middleware

if __name__ == "__main__":  # a session's script run (Streamlit runs the script as __main__)
    from analysis.dashboard.frame import main  # imported here: its caches need the running runtime

    main()
else:  # the server's import: Streamlit's own st.App API, with the guard before its middleware
    app = App(__file__, middleware=middleware(), lifespan=announce)
