"""The Batches page makes re-registration campaign batches and offers their passes once (AppTest, no
browser; tests/dashboard/test_campaign_browser.py runs one against the emulator in Chromium)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import ROOT
from streamlit.testing.v1 import AppTest

from analysis.dashboard import passfile
from analysis.dashboard.guard import operator_token
from analysis.execute.options import ExecOptions

pytestmark = pytest.mark.slow

GROUP = "MFA Migration - Wave 1"


def _batches_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["token"] = operator_token()
    at.run()
    at.switch_page("analysis/dashboard/pages/batches.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_create_form_makes_a_campaign_batch_with_its_group(dashboard_env: Path) -> None:
    at = _batches_page()
    at.text_input(key="b_name").input("campaign-p1")
    at.radio(key="b_how").set_value("Priority tier").run()
    at.radio(key="b_tier").set_value("P1").run()
    at.toggle(key="b_handoff_campaign").set_value(True).run()
    at.selectbox(key="b_handoff_campaign_group").set_value(GROUP).run()
    at.number_input(key="b_handoff_campaign_minutes").set_value(120).run()
    assert any("a re-registration campaign" in c.value for c in at.caption)
    at.button(key="b_create").click().run()
    assert not at.exception, [e.message for e in at.exception]
    con = duckdb.connect(str(dashboard_env), read_only=True)
    (options,) = con.execute("SELECT options_json FROM batches WHERE name = 'campaign-p1'").fetchone() or (
        "",
    )
    rows = con.execute("SELECT count(*) FROM batch_users").fetchone()
    con.close()
    frozen = ExecOptions.from_json(options)
    assert frozen.campaign and frozen.campaign_group == GROUP and frozen.tap_lifetime_minutes == 120
    assert rows is not None and rows[0] > 0
    assert any(m.label == "Users" and m.value == f"{rows[0]:,}" for m in at.metric)


def test_waiting_passes_are_offered_once_and_never_shown(dashboard_env: Path) -> None:
    from analysis.execute.selection import Selection, create_batch
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    con = duckdb.connect(str(dashboard_env))
    plan = simulate(con, Settings.default(), table="plan_batch")
    options = ExecOptions(campaign=True)
    created = create_batch(
        con, name="c", plan=plan, selection=Selection(tier="P1"), options=options, actor="a"
    )
    con.execute("DROP TABLE plan_batch")
    con.close()
    batch_id = created.batch.batch_id
    secret = "Xy7-secret-pass"
    path = passfile.path_for(str(dashboard_env), batch_id)
    lines = [
        {"username": f"u{k}", "temporaryAccessPass": f"{secret}{k}", "methodId": str(k)} for k in range(3)
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    path.chmod(0o600)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    at = _batches_page()
    labels = [b.label for b in at.get("download_button")]
    assert "Download the 3 Temporary Access Passes (once)" in labels
    assert any("3 Temporary Access Pass(es) wait for you" in w.value for w in at.warning)
    shown = " ".join(
        str(e.value) for kind in ("markdown", "caption", "warning", "info") for e in getattr(at, kind)
    )
    assert secret not in shown
    content = path.read_bytes()
    assert passfile.take(str(dashboard_env), batch_id) == content  # the download: the file as written
    assert not path.exists() and passfile.waiting(str(dashboard_env), batch_id) == 0
    assert passfile.take(str(dashboard_env), batch_id) == b""  # once: nothing the second time
    at.run()
    assert not [b for b in at.get("download_button") if "Temporary Access" in b.label]
