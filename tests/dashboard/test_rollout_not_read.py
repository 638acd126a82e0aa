"""The Rollout page says "not read" where the snapshot could not read Staged Rollout (an app-only token),
never "no policy" or "nobody is routed"; with the sample's full snapshot it shows the routed users."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dashboard_helpers import ROOT
from streamlit.testing.v1 import AppTest

from analysis.console import CaptureConsole
from analysis.sources.workspace import load

pytestmark = pytest.mark.slow

REASON = "Graph refused the read (403 Authorization_RequestDenied)"


def _rollout_page(monkeypatch: pytest.MonkeyPatch, ws: Path) -> AppTest:
    monkeypatch.setenv("MFA_MIGRATE_WORKSPACE", str(ws))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.switch_page("analysis/dashboard/pages/rollout.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_rollout_page_says_not_read_instead_of_nobody(
    dashboard_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = tmp_path / "tenant"
    shutil.copytree(ROOT / "sample_data" / "tenant", tenant)
    policies = json.loads((tenant / "policies.json").read_text(encoding="utf-8"))
    del policies["featureRolloutPolicies"]  # what an app-only snapshot writes
    (tenant / "policies.json").write_text(json.dumps(policies), encoding="utf-8")
    meta = json.loads((tenant / "snapshot.json").read_text(encoding="utf-8"))
    meta["notRead"] = {"featureRolloutPolicies": REASON}
    (tenant / "snapshot.json").write_text(json.dumps(meta), encoding="utf-8")
    ws = tmp_path / "app-only.duckdb"
    load(ws, ROOT / "sample_data" / "PhoneFactor.pfdata", tenant, CaptureConsole())

    at = _rollout_page(monkeypatch, ws)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Users routed to cloud MFA"] == "not read"
    assert metrics["Routed but not migrated"] == "not read"
    warnings = " ".join(w.value for w in at.warning)
    assert "Staged Rollout was **not read**" in warnings and REASON in warnings
    shown = " ".join(e.value for e in [*at.success, *at.info])
    assert "Nobody is routed" not in shown and "no Staged Rollout policy" not in shown

    full = _rollout_page(monkeypatch, dashboard_env)  # the sample's own snapshot reads it
    metrics = {m.label: m.value for m in full.metric}
    assert metrics["Users routed to cloud MFA"] not in ("not read", "0")
    assert "not read" not in " ".join(w.value for w in full.warning)
