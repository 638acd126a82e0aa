"""The plan's vocabulary (analysis/simulate/actions.py) is the one list of actions: the simulator writes
only what it lists, the dashboard labels every entry, and the docs' writable table agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.simulate import actions
from analysis.simulate.runner import STAGES
from analysis.sqlfiles import sql

ROOT = Path(__file__).resolve().parents[2]


def test_entries_are_unique_and_complete() -> None:
    keys = [(a.item, a.action) for a in actions.ACTIONS]
    assert len(keys) == len(set(keys))
    assert {a.item for a in actions.ACTIONS} == set(actions.ITEMS)
    for a in actions.ACTIONS:
        assert a.label and a.reason and a.tone in ("ok", "info", "neutral", "warn", "bad"), a
        assert actions.lookup(a.item, a.action) is a
    assert actions.lookup("phone", "create_device") is None


def test_an_action_reads_the_same_for_every_item() -> None:
    """Screens that show an action without its item (charts, batch summaries) must not mislead."""
    for a in actions.ACTIONS:
        first = actions.BY_ACTION[a.action]
        assert (a.label, a.tone) == (first.label, first.tone), a


def test_steps_say_what_the_executor_writes() -> None:
    for a in actions.ACTIONS:
        assert (a.step is not None) == (a.writable != "none"), a
        assert (a.step == "handoff") == (a.writable == "utility"), a
        assert (a.phone_type is not None) == (a.step == "phone"), a
    phones = {(a.item, a.action): a.phone_type for a in actions.with_step("phone")}
    assert phones == {
        ("phone", "write_mobile"): "mobile",
        ("phone", "write_mobile_drop_extension"): "mobile",
        ("phone", "write_office"): "office",
        ("backup_phone", "write_alternate"): "alternateMobile",
        ("backup_phone", "write_office"): "office",
    }
    assert {a.action for a in actions.with_step("hardware_oath")} == {"create_hardware_oath"}
    assert {a.action for a in actions.with_step("default")} == {"set_default", "set_default_fallback"}


def test_the_simulator_writes_only_listed_actions() -> None:
    """Every action literal a stage's CASE can produce is in the vocabulary (so none is unexplained)."""
    known = {a.action for a in actions.ACTIONS}
    produced: set[str] = set()
    for stage in STAGES:
        produced |= set(re.findall(r"THEN '([a-z_]+)'", sql(stage)))
        produced |= set(re.findall(r"'action': '([a-z_]+)'", sql(stage)))
    produced -= {"mobile", "office", "alternateMobile", "push", "oath", "sms", "voiceMobile"}
    produced -= {"voiceAlternateMobile", "voiceOffice", "hotp", "upn", "sid", "attribute"}
    assert produced and produced <= known, sorted(produced - known)


def test_the_docs_writable_table_matches() -> None:
    text = (ROOT / "docs" / "simulate.md").read_text(encoding="utf-8")
    for writable in ("graph", "utility"):
        line = next(row for row in text.splitlines() if row.startswith(f"| `{writable}` |"))
        documented = set(re.findall(r"`([a-z_]+)`", line.split("|")[2]))
        assert documented == {a.action for a in actions.ACTIONS if a.writable == writable}, writable
