"""The Batches page's run, verify and rollback panels: where to send the writes (one connection per
batch, offered again after a run), what a run will send, and the background job's progress, Graph
outages and outcome.

Before **Run** the panel lists the requests a run would send now (:mod:`analysis.execute.explain`,
the CLI's ``batch explain``). While a job runs, an unreachable Graph is shown as it happens (what, since
when, next try) and **Stop** ends the run within seconds, resumably, like Ctrl+C on the command line.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pandas as pd
import streamlit as st

from analysis.dashboard import execution
from analysis.dashboard.context import Context
from analysis.dashboard.session import Handle, cursor
from analysis.errors import UserError

EXPLAIN_ROWS = 500  # shown on the page; the CLI's `batch explain` lists all


RUNNABLE = ("approved", "running", "partial", "failed")
VERIFIABLE = ("partial", "failed", "completed", "verified")
ACTIONABLE = (*RUNNABLE, *VERIFIABLE, "rolling_back")
# The target each batch last used, process-wide: Verify and Roll back offer it again, in this browser tab
# and in any other, instead of asking for the connection anew.
_last_target: dict[tuple[str, int], execution.Target] = {}


def _target_picker(path: str, batch_id: int) -> execution.Target | None:
    """One connection for everything done to this batch (run, verify, roll back)."""
    known = {t.label: t for t in execution.configured_targets()}
    used = _last_target.get((path, batch_id))
    if used is not None:
        known = {used.label: used, **known}
    options = [*known, "Emulator ready file …", "Graph connection file …"]
    choice = st.selectbox(
        "Graph connection (run, verify and roll back use it)",
        options,
        index=options.index(used.label) if used is not None else 0,
        key=f"b{batch_id}_target",
    )
    if choice in known:
        return known[choice]
    env = execution.EMULATOR_ENV if choice.startswith("Emulator") else execution.GRAPH_ENV
    path_text = st.text_input(
        "Path of the file on this machine", value=os.environ.get(env, ""), key=f"b{batch_id}_path"
    )
    if not path_text.strip():
        return None
    try:
        if choice.startswith("Emulator"):
            return execution.emulator_target(path_text.strip())
        return execution.graph_target(path_text.strip())
    except UserError as exc:
        st.error(str(exc))
        return None


def _start(ctx: Context, batch: pd.Series, handle: Handle, kind: str, target: execution.Target) -> None:
    ident = ctx.identity
    if not ident.can_run:
        st.error("Only operators may run, verify or roll back batches.")
        return
    batch_id = int(batch["batch_id"])
    try:
        execution.start(ctx.workspace.path, batch_id, kind, ident.actor().text, target)
    except UserError as exc:
        st.error(str(exc))
        return
    _last_target[(ctx.workspace.path, batch_id)] = target
    st.rerun()


def _operator_gate(ctx: Context) -> bool:
    if not ctx.identity.can_run:
        st.info(
            f"Only operators may run, verify and roll back batches; you are `{ctx.identity.name}`.",
            icon=":material/lock:",
        )
        return False
    if ctx.workspace.read_only:
        st.info("The workspace is read-only here.", icon=":material/lock:")
        return False
    return True


def actions_panel(ctx: Context, batch: pd.Series, handle: Handle) -> None:
    """What can be done to an approved or (partly) run batch: run, verify, roll back, under one
    connection picker. A finished job's outcome is drawn above this, never instead of it."""
    state, batch_id = str(batch["state"]), int(batch["batch_id"])
    if state == "approved":
        st.markdown(
            f"**Next step: run.** Approved by `{batch['approved_by']}`. Each user is re-read first; "
            "users whose Entra state drifted from the plan are skipped and re-planned, never overwritten."
        )
    elif state in RUNNABLE:
        st.markdown(
            f"**This batch is {state}.** Running it again resumes: steps the journal shows as done are "
            "never sent again, unknown outcomes are settled by re-reading."
        )
    if state == "verified":
        st.markdown(
            "**Verified.** Every Graph-writable row was read back as predicted. Users still waiting for an "
            "Authenticator device or software token count as migrated only once a read shows it "
            "registered (*Verify again* reads them anew)."
        )
    elif state in VERIFIABLE:
        st.markdown(
            "**Next step: verify.** Read the users back and compare what Graph shows with what the plan "
            "predicted; users whose every row agrees (or whose device or token a read shows registered) "
            "are marked migrated."
        )
    if state == "rolling_back":
        st.markdown(
            "**A rollback of this batch did not finish.** Rolling back again resumes it from the journal."
        )
    if not _operator_gate(ctx):
        return
    target = _target_picker(ctx.workspace.path, batch_id)
    if state in RUNNABLE:
        explain_panel(ctx, batch, target)
        confirmed = True
        if target is not None and target.kind == "graph":
            confirmed = st.checkbox(
                f"I understand this writes to the real tenant ({target.label}).",
                key=f"b_confirm_{batch_id}",
            )
        label = f"Run batch {batch_id}" + (f" against {target.label}" if target else "")
        ready = target is not None and confirmed
        run = st.button(label, type="primary", disabled=not ready, key=f"b_run_{batch_id}")
        if run and target is not None:
            _start(ctx, batch, handle, "run", target)
    if state in VERIFIABLE:
        verified = state == "verified"
        if (
            st.button(
                "Verify again" if verified else f"Verify batch {batch_id}",
                type="secondary" if verified or state in RUNNABLE else "primary",
                disabled=target is None,
                key=f"b_verify_{batch_id}",
            )
            and target is not None
        ):
            _start(ctx, batch, handle, "verify", target)
    if (
        st.button(
            "Refresh from Entra",
            disabled=target is None,
            key=f"b_refresh_{batch_id}",
            help="read the batch's users' methods from Graph again and keep them as their latest state (the "
            "same as `mfa-migrate refresh --batch`); it writes nothing to the tenant",
        )
        and target is not None
    ):
        _start(ctx, batch, handle, "refresh", target)
    rollback_panel(ctx, batch, handle, target)


def rollback_panel(ctx: Context, batch: pd.Series, handle: Handle, target: execution.Target | None) -> None:
    """Roll back: the CLI's ``batch rollback N --confirm`` with the operator's identity as the actor."""
    from analysis.execute.rollback import ROLLBACK_FROM

    state, batch_id = str(batch["state"]), int(batch["batch_id"])
    if state not in ROLLBACK_FROM:
        return
    sure_key = f"b_rollback_sure_{batch_id}"
    # Open while a rollback is unfinished, and once ticked (the tick's rerun must not fold the button away).
    expanded = state == "rolling_back" or bool(st.session_state.get(sure_key, False))
    with st.expander(f"Roll back batch {batch_id}", icon=":material/undo:", expanded=expanded):
        st.markdown(
            "Undoes **this batch's own writes**: each method it wrote is restored to the before-image the "
            "journal kept (writes of a run that crashed are first settled by re-reading). A method someone "
            "changed since is left as it is and listed. The same as `mfa-migrate batch rollback "
            f"{batch_id} --confirm`, recorded as `{ctx.identity.name}`."
        )
        where = target.label if target is not None else "the tenant"
        sure = st.checkbox(
            f"I understand this changes {where}: batch {batch_id}'s writes are undone.",
            key=sure_key,
        )
        if (
            st.button(
                f"Roll back batch {batch_id}",
                disabled=target is None or not sure,
                key=f"b_rollback_{batch_id}",
            )
            and target is not None
        ):
            _start(ctx, batch, handle, "rollback", target)


def job_panel(path: str, batch_id: int, job: execution.Job) -> None:
    """Live progress while the job runs (a fragment polls every second), then its outcome."""

    was_running = job.running

    @st.fragment(run_every=1.0 if was_running else None)
    def panel() -> None:
        j = execution.job_for(path, batch_id)
        if j is None:
            return
        verb = {"run": "Running", "verify": "Verifying", "rollback": "Rolling back", "refresh": "Refreshing"}[
            j.kind
        ]
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
        elif j.kind == "rollback":
            _rollback_outcome(batch_id, j.result)
        elif j.kind == "refresh":
            _refresh_outcome(batch_id, j.result)
        else:
            v = j.result
            st.success(
                f"Verification of batch {batch_id}: agreement {v.agreement:.1%} of what Graph was asked to "
                f"write ({v.agrees:,} agree, {v.differs:,} differ, {v.skipped:,} skipped); users fully "
                f"migrated: {v.marked:,} of {v.users:,} (marked migrated).",
                icon=":material/check_circle:",
            )
            if v.registered or v.handed_off or v.not_migrated:
                st.info(
                    f"Devices and software OATH: {v.registered:,} registered since, {v.handed_off:,} handed "
                    f"off (confirmed by Graph), {v.not_migrated:,} not migrated (nobody handed them over)."
                )
            if v.pending:
                st.dataframe(pd.DataFrame(v.pending, columns=["user", "pending"]), hide_index=True)
        if st.button("OK", key=f"b_seen_btn_{batch_id}"):
            st.session_state[f"b_seen_{batch_id}_{j.started}"] = True
            execution.forget(path, batch_id)
            st.rerun(scope="app")

    panel()


def _rollback_outcome(batch_id: int, r: Any) -> None:
    """What a rollback did (:class:`analysis.execute.rollback.RollbackResult`), as the CLI prints it."""
    text = (
        f"Rollback of batch {batch_id}: {r.users:,} user(s), {r.restored:,} write(s) undone, "
        f"{r.already:,} already as before; the batch is {r.batch.state}."
    )
    if r.stopped:
        st.warning(f"{text} It stopped before it was finished ({r.stopped}); roll back again to resume.")
    elif r.failed:
        st.warning(f"{text} {len(r.failed):,} write(s) could not be undone (below).")
    else:
        st.success(text, icon=":material/check_circle:")
    rows = [("left as it is", line) for line in r.changed_since] + [("not rolled back", x) for x in r.failed]
    if rows:
        st.dataframe(pd.DataFrame(rows, columns=["", "what"]), hide_index=True)


def watch_panel(path: str, batch_id: int) -> bool:
    """A run of this batch by another process (a ``batch run`` in a terminal, another dashboard), followed
    live from its progress file without touching the database; False when no live run is found."""
    from analysis.execute import progress

    seen = progress.watch(path, batch_id)
    if seen is None or not seen.alive:
        return False

    @st.fragment(run_every=1.0)
    def panel() -> None:
        now = progress.watch(path, batch_id)
        if now is None or not now.alive:  # it ended: redraw the whole page with the batch's new state
            st.rerun(scope="app")
            return
        d = now.doc
        st.markdown(
            f"**Running batch {batch_id} in another process**: pid {d.get('pid')} "
            f"(`{d.get('command')}`), since {d.get('started')}"
        )
        st.progress(now.fraction, text=now.describe())
        st.caption(
            "Stop it where it was started (Ctrl+C); running it again resumes. This panel follows it and "
            "shows the outcome when it ends."
        )

    panel()
    return True


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


def _refresh_outcome(batch_id: int, r: Any) -> None:
    """What a refresh read: users read (their latest state now), and those not read, with why."""
    st.success(
        f"Refreshed batch {batch_id}'s users from Entra: {r.read:,} of {r.users:,} read (their state is "
        f"as of now), {len(r.not_read):,} not read.",
        icon=":material/check_circle:",
    )
    if r.not_read:
        st.warning("Not read (they keep their earlier state):", icon=":material/help:")
        st.dataframe(pd.DataFrame(r.not_read, columns=["user", "not read because"]), hide_index=True)
