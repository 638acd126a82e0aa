"""The What-if page's reads of a what-if in memory: the comparison and the flow read from it equal full
joins of the two plans (what they replaced), for selection, limit and default-method changes on the sample
and on generated tenants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from analysis.simulate.runner import compare, simulate
from analysis.simulate.settings import Settings
from analysis.sqlfiles import sql

#: The flow as a full outer join of both plans: every outcome (user, item, ref) with its action on each side.
JOINED_FLOW = """
SELECT coalesce(a.item, b.item) AS item, a.action AS a, b.action AS b, count(*) AS n
FROM plan AS a FULL OUTER JOIN whatif_mem.plan_b AS b
  ON a.user_id = b.user_id AND a.item = b.item AND coalesce(a.ref, '') = coalesce(b.ref, '')
GROUP BY ALL
"""
#: The comparison as one full outer join carrying every column (what the two-step comparison replaced).
JOINED_DIFF = """
SELECT coalesce(a.user_id, b.user_id), coalesce(a.username, b.username), coalesce(b.upn, a.upn),
       coalesce(a.item, b.item), coalesce(a.ref, b.ref), a.action, a.value, b.action, b.value,
       a.reason, b.reason
FROM plan AS a FULL OUTER JOIN whatif_mem.plan_b AS b
  ON a.user_id = b.user_id AND a.item = b.item AND coalesce(a.ref, '') = coalesce(b.ref, '')
WHERE a.action IS DISTINCT FROM b.action OR a.value IS DISTINCT FROM b.value
"""


@pytest.mark.parametrize(
    "whatif",
    [
        {"migrate": {"methods": ["backup_phone", "mobile_app", "oath_token"]}},
        {"migrate": {"methods": ["phone"], "default_method": "never"}, "limits": {"device_limit": 2}},
        {"migrate": {"default_method": "most_secure_if_unset"}, "scope": {"only_changed": False}},
        {},
    ],
    ids=["no phone", "phone only, limit 2", "most secure, all users", "the same settings"],
)
def test_the_flow_read_from_the_comparison_equals_a_join(workspace: Path, whatif: dict[str, Any]) -> None:
    con = duckdb.connect(str(workspace))
    try:
        base = simulate(con, Settings.default())
        after = simulate(con, Settings.from_dict(whatif), table="whatif_mem.plan_b")
        result = compare(con, base, after)
        tables = {"plan_a": base.table, "plan_b": after.table, "diff": result["diff"]}
        flow = con.execute(sql("dashboard/plans.whatif_flow", **tables)).fetchall()
        expected = con.execute(JOINED_FLOW).fetchall()
        assert sorted(flow, key=repr) == sorted(expected, key=repr)
        assert sum(n for *_, n in flow) >= con.execute("SELECT count(*) FROM plan").fetchone()[0]
        assert [r[0] for r in flow] == sorted(r[0] for r in flow)  # by item, largest first within one
        diff = con.execute(f"SELECT * FROM {result['diff']}").fetchall()
        assert sorted(diff, key=repr) == sorted(con.execute(JOINED_DIFF).fetchall(), key=repr)
        assert len(diff) == result["changed_outcomes"]
    finally:
        con.close()


@pytest.mark.parametrize("seed", [3, 11, 23])
def test_a_what_if_in_memory_on_generated_tenants(tmp_path: Path, seed: int) -> None:
    """On generated tenants of other seeds: the what-if in memory holds exactly the stored what-if's rows,
    its flow equals the join, and its score alone equals a full readiness run's."""
    from analysis.console import CaptureConsole
    from analysis.readiness import checks as readiness
    from analysis.sample import generate
    from analysis.sources.workspace import load

    generate(tmp_path / "data", 400, seed=seed)
    ws = tmp_path / "ws.duckdb"
    load(ws, tmp_path / "data" / "PhoneFactor.pfdata", tmp_path / "data" / "tenant", CaptureConsole())
    con = duckdb.connect(str(ws))
    try:
        base = simulate(con, Settings.default())
        no_phones = {"migrate": {"methods": ["mobile_app", "oath_token"]}}
        for whatif in (no_phones, {"limits": {"device_limit": 3}}):
            settings = Settings.from_dict(whatif)
            stored = simulate(con, settings, "plan_b")
            in_memory = simulate(con, settings, "whatif_mem.plan_b")
            every = "SELECT count(*), sum(hash(COLUMNS(*))) FROM {}"
            assert (
                con.execute(every.format("plan_b")).fetchall()
                == con.execute(every.format("whatif_mem.plan_b")).fetchall()
            )
            result = compare(con, base, in_memory)
            tables = {"plan_a": base.table, "plan_b": in_memory.table, "diff": result["diff"]}
            flow = con.execute(sql("dashboard/plans.whatif_flow", **tables)).fetchall()
            assert sorted(flow, key=repr) == sorted(con.execute(JOINED_FLOW).fetchall(), key=repr)
            diff = con.execute(f"SELECT * FROM {result['diff']}").fetchall()
            assert sorted(diff, key=repr) == sorted(con.execute(JOINED_DIFF).fetchall(), key=repr)
            full = readiness.run(con, stored).score.tenant
            assert readiness.tenant_score(con, in_memory) == full
            assert full["users"] > 300
    finally:
        con.close()
