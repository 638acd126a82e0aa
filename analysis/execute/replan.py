"""Re-planning: the plan a batch's users get now, for the approval check and for drifted users.

A first run compares a fresh plan of the batch's users with the approved one (:func:`replan_hash`);
a user who drifted is planned again against the state just read (:func:`replan_drifted`), so ``batch
show`` can say what the plan would now be.
"""

from __future__ import annotations

from typing import Any

import duckdb

from analysis.execute import batches as batches_mod
from analysis.execute.batches import Batch
from analysis.execute.livestate import LiveState
from analysis.graph.constants import PHONE_METHOD, PHONE_METHOD_IDS
from analysis.sqlfiles import sql


def replan_hash(con: duckdb.DuckDBPyConnection, batch: Batch) -> str:
    """The plan hash the batch's users get now (same settings, current workspace)."""
    from analysis.simulate.runner import simulate_users

    names = [r[1] for r in batches_mod.batch_users(con, batch.batch_id)]
    simulate_users(con, batch.settings, names, table="plan_batch")
    try:
        return batches_mod.replan_hash(con, batch, "plan_batch")
    finally:
        con.execute(sql("execute/replan.drop_plan_batch"))


def replan_drifted(
    con: duckdb.DuckDBPyConnection, batch: Batch, lives: dict[int, LiveState]
) -> dict[int, str]:
    """Plan drifted users again against the Entra state just read, as JSON rows per user.

    The live state replaces the snapshot's rows for those users inside a transaction that is rolled
    back afterwards: the workspace is left exactly as it was, only the answer is kept.
    """
    from analysis.simulate.runner import simulate_users

    users = {
        int(r[0]): (r[1], r[2]) for r in batches_mod.batch_users(con, batch.batch_id) if int(r[0]) in lives
    }
    if not users:
        return {}
    methods: list[dict[str, Any]] = []
    prefs: list[dict[str, Any]] = []
    for user_id, live in lives.items():
        _name, entra_id = users[user_id]
        for ptype, number in live.phones.items():
            if number:
                main, _, ext = str(number).partition("x")
                methods.append(
                    {
                        "entra_id": entra_id,
                        "method_id": PHONE_METHOD_IDS[ptype],
                        "odata_type": PHONE_METHOD,
                        "kind": "phone",
                        "phone_type": ptype,
                        "phone_number": number,
                        "phone_e164": main.replace(" ", ""),
                        "phone_extension": ext or None,
                    }
                )
        for m in live.methods:
            methods.append(
                {
                    "entra_id": entra_id,
                    "method_id": m["id"],
                    "odata_type": "",
                    "kind": m["kind"],
                    "phone_type": None,
                    "phone_number": None,
                    "phone_e164": None,
                    "phone_extension": None,
                }
            )
        prefs.append({"preferred": live.preferred, "entra_id": entra_id})
    out: dict[int, str] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(sql("execute/replan.clear_methods"), [{"entra_id": users[u][1]} for u in lives])
        if methods:
            con.executemany(sql("execute/replan.insert_method"), methods)
        con.executemany(sql("execute/replan.set_preferred"), prefs)
        simulate_users(con, batch.settings, [users[u][0] for u in lives], table="plan_replan")
        for user_id, rows in con.execute(sql("execute/replan.rows")).fetchall():
            out[int(user_id)] = rows
    finally:
        con.execute("ROLLBACK")
    return out
