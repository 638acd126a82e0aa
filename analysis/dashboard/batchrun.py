"""The Batches page's run and verify panels: where to send the writes, what a run will send, and the
background job's progress, Graph outages and outcome.

Before **Run** the panel lists the requests a run would send now (:mod:`analysis.execute.explain`,
the CLI's ``batch explain``). While a job runs, an unreachable Graph is shown as it happens (what, since
when, next try) and **Stop** ends the run within seconds, resumably, like Ctrl+C on the command line.
"""

from __future__ import annotations

import json
import os

import pandas as pd
import streamlit as st

from analysis.dashboard import execution
from analysis.dashboard.context import Context
from analysis.dashboard.session import Handle, cursor
from analysis.errors import UserError

EXPLAIN_ROWS = 500  # shown on the page; the CLI's `batch explain` lists all


def _target_picker(key: str) -> execution.Target | None:
    configured = execution.configured_targets()
    options = [t.label for t in configured] + ["Emulator ready file …", "Graph connection file …"]
    choice = st.selectbox("Send the writes to", options, key=f"{key}_target")
    if choice in [t.label for t in configured]:
        return configured[[t.label for t in configured].index(choice)]
    env = execution.EMULATOR_ENV if choice.startswith("Emulator") else execution.GRAPH_ENV
    path = st.text_input("Path of the file on this machine", value=os.environ.get(env, ""), key=f"{key}_path")
    if not path.strip():
        return None
    try:
        if choice.startswith("Emulator"):
            return execution.emulator_target(path.strip())
        return execution.graph_target(path.strip())
    except UserError as exc:
        st.error(str(exc))
        return None


def _start(ctx: Context, batch: pd.Series, handle: Handle, kind: str, target: execution.Target) -> None:
    ident = ctx.identity
    if not ident.can_run:
        st.error("Only operators may run or verify batches.")
        return
    try:
        execution.start(handle.con, ctx.workspace.path, int(batch["batch_id"]), kind, ident.name, target)
    except UserError as exc:
        st.error(str(exc))
        return
    st.rerun()


def _operator_gate(ctx: Context) -> bool:
    if not ctx.identity.can_run:
        st.info(
            f"Only operators may run and verify batches; you are `{ctx.identity.name}`.",
            icon=":material/lock:",
        )
        return False
    if ctx.workspace.read_only:
        st.info("The workspace is read-only here.", icon=":material/lock:")
        return False
    return True


def run_panel(ctx: Context, batch: pd.Series, handle: Handle) -> None:
    state = str(batch["state"])
    if state == "approved":
        st.markdown(
            f"**Next step: run.** Approved by `{batch['approved_by']}`. Each user is re-read first; "
            "users whose Entra state drifted from the plan are skipped and re-planned, never overwritten."
        )
    else:
        st.markdown(
            f"**This batch is {state}.** Running it again resumes: steps the journal shows as done are "
            "never sent again, unknown outcomes are settled by re-reading."
        )
    if not _operator_gate(ctx):
        return
    target = _target_picker(f"run{batch['batch_id']}")
    explain_panel(ctx, batch, target)
    confirmed = True
    if target is not None and target.kind == "graph":
        confirmed = st.checkbox(
            f"I understand this writes to the real tenant ({target.label}).",
            key=f"b_confirm_{batch['batch_id']}",
        )
    if (
        st.button(
            f"Run batch {batch['batch_id']}" + (f" against {target.label}" if target else ""),
            type="primary",
            disabled=target is None or not confirmed,
            key=f"b_run_{batch['batch_id']}",
        )
        and target
    ):
        _start(ctx, batch, handle, "run", target)


def verify_panel(ctx: Context, batch: pd.Series, handle: Handle) -> None:
    verified = str(batch["state"]) == "verified"
    st.markdown(
        "**Verified.** Every Graph-writable row was read back as predicted."
        if verified
        else "**Next step: verify.** Read the users back and compare what Graph shows with what the "
        "plan predicted; "
        "users whose every Graph row agrees are marked migrated."
    )
    if not _operator_gate(ctx):
        return
    target = _target_picker(f"verify{batch['batch_id']}")
    label = "Verify again" if verified else f"Verify batch {batch['batch_id']}"
    if (
        st.button(
            label,
            type="secondary" if verified else "primary",
            disabled=target is None,
            key=f"b_verify_{batch['batch_id']}",
        )
        and target
    ):
        _start(ctx, batch, handle, "verify", target)


def job_panel(path: str, batch_id: int, job: execution.Job) -> None:
    """Live progress while the job runs (a fragment polls every second), then its outcome."""

    was_running = job.running

    @st.fragment(run_every=1.0 if was_running else None)
    def panel() -> None:
        j = execution.job_for(path, batch_id)
        if j is None:
            return
        verb = "Running" if j.kind == "run" else "Verifying"
        if j.running:
            st.markdown(f"**{verb} batch {batch_id}** against {j.target} — started by `{j.actor}`")
            text = f"{j.done:,} of {j.total:,} users" if j.total else "reading users …"
            st.progress(j.fraction, text=text)
            outage = j.outage()
            if outage:
                st.warning(outage, icon=":material/cloud_off:")
            if j.stop.is_set():
                st.info("Stopping: answers on their way are recorded; run the batch again to resume.")
            elif st.button("Stop", key=f"b_stop_{batch_id}"):
                j.stop.set()
            st.caption("You can leave this page: the run carries on and this bar picks it up again.")
            return
        if was_running:  # it finished while we polled: redraw the whole page with the new state
            st.rerun(scope="app")
        if j.error:
            st.error(j.error, icon=":material/error:")
        elif j.kind == "run":
            from analysis.execute.runner import summary_rows

            stopped = getattr(j.result, "stopped", None)
            if stopped:
                st.warning(
                    f"Run of batch {batch_id} stopped before it was finished ({stopped}); the batch is "
                    f"{j.result.batch.state}, and running it again resumes it.",
                    icon=":material/pause_circle:",
                )
            else:
                st.success(f"Run of batch {batch_id} finished.", icon=":material/check_circle:")
            if getattr(j.result, "nothing_to_do", False):
                st.info("Nothing to do: the batch had already completed.")
            else:
                st.dataframe(pd.DataFrame(summary_rows(j.result), columns=["", "count"]), hide_index=True)
        else:
            v = j.result
            st.success(
                f"Verification of batch {batch_id}: agreement {v.agreement:.1%} ({v.agrees:,} agree, "
                f"{v.differs:,} differ, {v.handed_off:,} handed to the utility, {v.skipped:,} skipped); "
                f"{v.marked:,} users marked migrated.",
                icon=":material/check_circle:",
            )
        if st.button("OK", key=f"b_seen_btn_{batch_id}"):
            st.session_state[f"b_seen_{batch_id}_{j.started}"] = True
            execution.forget(path, batch_id)
            st.rerun(scope="app")

    panel()


def explain_panel(ctx: Context, batch: pd.Series, target: execution.Target | None) -> None:
    """The requests a run would send now, as ``batch explain`` prints them (nothing is sent)."""
    from analysis.execute.explain import explain_batch

    graph_url = target.graph_url if target is not None else "https://graph.microsoft.com"
    try:
        ex = explain_batch(cursor(ctx.workspace.path), int(batch["batch_id"]), graph_url=graph_url)
    except UserError as exc:
        st.error(str(exc))
        return
    with st.expander(f"What a run sends now: {len(ex.requests):,} request(s) for {ex.users:,} user(s)"):
        if ex.note:
            st.caption(ex.note)
        rows = [
            {
                "round": p.round,
                "user": p.username,
                "step": p.step,
                "method": p.method,
                "url": p.url,
                "body": "" if p.body is None else json.dumps(p.body),
                "note": p.note,
            }
            for p in ex.requests[:EXPLAIN_ROWS]
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
        if len(ex.requests) > EXPLAIN_ROWS:
            st.caption(
                f"The first {EXPLAIN_ROWS} of {len(ex.requests):,}; `mfa-migrate batch explain "
                f"{batch['batch_id']}` lists them all."
            )
        if ex.not_sent:
            st.caption(
                f"{len(ex.not_sent):,} step(s) a run would not send (in place, or left to the utility)."
            )
        st.caption(
            "Secrets are shown as <redacted>. A run re-reads every user first, so it can only send less: "
            "users whose state drifted are skipped, steps already in place are not sent."
        )
