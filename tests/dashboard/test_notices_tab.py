"""The Batches page's Notices tab (AppTest, no browser): the batch's notices as a download whose label
counts them, the helpdesk forecast with its assumption, and nothing built until asked for. The expected
numbers come from the command line's notices on another copy of the workspace."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from dashboard_helpers import ROOT, copy_workspace
from streamlit.testing.v1 import AppTest

from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.dashboard.guard import operator_token

pytestmark = pytest.mark.slow


def test_the_notices_tab_offers_the_batch_notices(
    dashboard_env: Path, tmp_path: Path, console: CaptureConsole
) -> None:
    ws = ["--workspace", str(dashboard_env)]
    assert main(["batch", "create", *ws, "--name", "wave-1", "--tier", "P1"]) == 0
    other = copy_workspace(dashboard_env, tmp_path, "other.duckdb")
    out = tmp_path / "n.csv"
    assert main(["notices", "--workspace", str(other), "--batch", "wave-1", "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    must = sum(r["must_register"] == "true" for r in rows)
    assert len(rows) > 100 and must > 0

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["token"] = operator_token()
    at.run()
    at.switch_page("analysis/dashboard/pages/batches.py").run()
    assert not at.exception, [e.message for e in at.exception]
    labels = {b.label for b in at.get("download_button")}
    assert not any("notices" in label for label in labels)  # nothing built until asked for
    at.toggle(key="b_notices_1").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    labels = {b.label for b in at.get("download_button")}
    assert f"Download {len(rows):,} notices (CSV)" in labels
    forecast = next(df.value for df in at.dataframe if "contacts_per_day" in df.value.columns)
    assert list(forecast["wave"]) == ["wave-1"] and int(forecast["must_register"].iloc[0]) == must
    assert float(forecast["contacts_per_day"].iloc[0]) == round(must * 0.3 / 21, 1)
    shown = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "Assumes 30% of the users who must register a method" in shown
    assert f"{must:,} of {len(rows):,} users must register a method" in shown
