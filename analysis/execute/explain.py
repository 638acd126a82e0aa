"""``batch explain``: the requests a run of a batch would send now, in order, without sending anything.

It is the run's own code on a dry path: the same steps from the frozen rows, the same journal (steps
done are not sent again; ids earlier answers gave are used), and the same step kinds deciding and
building each request, against the Entra state the plan assumed instead of a live read. Each step the
kind would send is "answered" in memory as a success, so the next step sees its effect (an id that only
Graph can give appears as a placeholder such as ``<device id from hw_create>``). Secrets never appear:
OATH secrets are not read, and bodies pass through the journal's redaction.

A run re-reads every user first, so what it finally sends can only be less: a user whose state drifted
is skipped, and a step someone else already put in place is not sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from analysis.execute import batches as batches_mod
from analysis.execute.journal import redact
from analysis.execute.kinds import KINDS
from analysis.execute.livestate import LiveState
from analysis.execute.runner import load_works
from analysis.execute.work import Context, Decision, GroupMembers, Work
from analysis.graph.auth import GRAPH_URL

#: Stands in for OATH secrets, which explain never reads (a valid Base32 value, so codes compute).
NO_SECRET = "A" * 16
#: What a successful answer would give each step, as a placeholder.
_ANSWER_IDS = {"hw_create": "<device id from hw_create>", "hw_assign": "<method id from hw_assign>"}


@dataclass(frozen=True)
class Planned:
    """One request a run would send. ``round`` is the step's place in its user's sequence: a run sends
    round 1 of every user (in ``$batch`` envelopes of 20), then round 2, and so on."""

    round: int
    username: str
    step: str
    method: str
    url: str
    body: Any
    note: str = ""


@dataclass
class Explanation:
    batch: batches_mod.Batch
    requests: list[Planned] = field(default_factory=list)
    not_sent: list[tuple[str, str, str]] = field(default_factory=list)  # (user, step, why)
    users: int = 0
    note: str = ""  # why a run would send nothing, or what to know first


def explain_batch(
    con: duckdb.DuckDBPyConnection, ref: str | int, *, graph_url: str = GRAPH_URL
) -> Explanation:
    """What ``batch run`` would send now for batch ``ref`` (read-only: nothing is sent or stored)."""
    batch = batches_mod.get_batch(con, ref)
    out = Explanation(batch)
    if batch.state in ("completed", "verified"):
        out.note = f"{batch.label} is {batch.state}: a run sends nothing."
        return out
    if batch.state in ("rolling_back", "rolled_back"):
        out.note = f"{batch.label} is {batch.state}: a run is refused; create a new batch."
        return out
    if batch.state == "draft":
        out.note = f"{batch.label} is not approved yet: these are the requests a run would send once it is."
    elif batch.state == "running":
        out.note = (
            f"{batch.label}'s last run did not finish: a run resumes it (writes without an answer first)."
        )
    works = load_works(con, batch)
    out.users = len(works)
    named = batch.options.campaign_group if batch.options.campaign else batch.options.migration_group
    group = _journaled_group(works) or f"<id of group {named!r}>"
    members = GroupMembers(group)
    members.assume(set())
    ctx = Context(
        batch.options,
        graph_url.rstrip("/").removesuffix("/v1.0").removesuffix("/beta"),
        members=members,
        secret=lambda _username: NO_SECRET,  # never read: bodies are redacted before they are shown
        deliver_tap=lambda _work, _body: None,
    )
    for work in works:
        _walk(work, ctx, out)
    out.requests.sort(key=lambda p: p.round)  # stable: users keep their order within a round
    return out


def _journaled_group(works: list[Work]) -> str | None:
    ids = (w.id_of(step, "group") for w in works for step in ("handoff_group", "campaign_group"))
    return next((i for i in ids if i), None)


def _walk(work: Work, ctx: Context, out: Explanation) -> None:
    assert work.assumed is not None
    work.live = LiveState.from_canonical(work.assumed)
    for done in work.steps:  # bring the assumed state up to what the journal says this batch did
        if work.progress[done.name].done:
            KINDS[done.kind].effect(done, work, ctx, {"id": _ids(work, done.name)})
    round_no = 0
    while (step := work.next_step()) is not None:
        kind = KINDS[step.kind]
        p = work.progress[step.name]
        choice = kind.decide(step, work, ctx)
        if choice.decision is Decision.SEND:
            request = kind.request(step, work, ctx)
            round_no += 1
            note = (
                "its earlier send got no answer: sent only if a re-read shows it is not in place"
                if p.open
                else ""
            )
            body = redact(request.body)
            out.requests.append(
                Planned(round_no, work.username, step.name, request.method, request.url, body, note)
            )
            found = kind.effect(step, work, ctx, {"id": _ANSWER_IDS.get(step.name, f"<id from {step.name}>")})
            if found:
                work.ids[step.name] = found
            p.done = True
        elif choice.decision is Decision.IN_PLACE:
            out.not_sent.append((work.username, step.name, "in place already (as the plan assumed it)"))
            p.done = True
        elif choice.decision is Decision.HANDED_OFF:
            out.not_sent.append((work.username, step.name, f"left to Microsoft's utility: {choice.reason}"))
            p.handed_off = True
        else:
            out.not_sent.append((work.username, step.name, f"would fail the user: {choice.reason}"))
            return


def _ids(work: Work, step: str) -> str:
    ids = work.ids.get(step) or {}
    return next(iter(ids.values()), _ANSWER_IDS.get(step, f"<id from {step}>"))
