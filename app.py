"""Streamlit entry point: ``streamlit run app.py`` (or ``make demo``).

Everything lives in :mod:`analysis.dashboard`; this file only hands over to its frame (sign-in gate,
sidebar, ``st.navigation``), so the app can also be imported and tested as a package.
"""

from analysis.dashboard.frame import main

main()
