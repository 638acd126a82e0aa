"""The journaled-write protocol on a real journal: what each kind of answer is recorded as, and that
the journal alone tells a resumed run where every step stands and what ids it needs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analysis.execute import protocol
from analysis.execute.batches import ensure_schema
from analysis.execute.journal import Journal, step_ids, step_statuses
from analysis.execute.work import Request
from analysis.graph.errors import GraphUnreachable, Stopped, UnknownOutcome
from analysis.graph.wire import BatchResponse


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    con = duckdb.connect(str(tmp_path / "j.duckdb"))
    ensure_schema(con)
    return Journal(con, batch_id=7, run_id="r1", actor="me")


def _write(step: str, method: str, path: str = "/users/e1/x") -> protocol.Write:
    return protocol.Write(f"7:1:{step}", step, Request(method, "v1.0", path, {"a": 1}), 1, "e1")


def _answer(write: protocol.Write, status: int, body: object = None) -> BatchResponse:
    r = write.request
    return BatchResponse("r0", r.method, r.path, status, {}, body)


@pytest.mark.parametrize(
    ("method", "status", "outcome", "done", "open_"),
    [
        ("POST", 201, "ok", True, False),
        ("DELETE", 404, "applied", True, False),  # a DELETE whose target is gone did what it wanted
        ("POST", 429, "retry", False, False),  # not applied: sent again later
        ("PATCH", 503, "retry", False, False),
        ("POST", 504, "unknown", False, True),  # may have been applied: re-read first
        ("POST", 400, "error", False, False),
        ("PATCH", 403, "error", False, False),
    ],
)
def test_each_answer_is_recorded_as_the_shared_verdict_says(
    journal: Journal, method: str, status: int, outcome: str, done: bool, open_: bool
) -> None:
    write = _write("mobile", method)
    protocol.begin(journal, [write])
    assert step_statuses(journal.con, 7)["7:1:mobile"].open_intent  # durable before it leaves
    replies = protocol.interpret([write], [_answer(write, status)])
    protocol.record(journal, replies)
    status_now = step_statuses(journal.con, 7)["7:1:mobile"]
    assert (replies[0].outcome, status_now.done, status_now.open_intent) == (outcome, done, open_)


@pytest.mark.parametrize(
    ("raised", "outcome", "open_"),
    [
        (UnknownOutcome("POST", "/$batch", "dropped"), "unknown", True),
        (Stopped("POST", "/$batch"), "not_sent", False),
        (GraphUnreachable("POST", "/$batch", "refused", since=0.0), "not_sent", False),
    ],
)
def test_an_envelope_that_raised_is_recorded_for_every_write_in_it(
    journal: Journal, raised: Exception, outcome: str, open_: bool
) -> None:
    writes = [
        _write("mobile", "POST"),
        protocol.Write("7:2:office", "office", Request("POST", "v1.0", "/u"), 2),
    ]
    protocol.begin(journal, writes)
    replies = protocol.interpret(writes, raised)
    protocol.record(journal, replies)
    statuses = step_statuses(journal.con, 7)
    assert [r.outcome for r in replies] == [outcome, outcome]
    assert [statuses[w.key].open_intent for w in writes] == [open_, open_]


def test_the_ids_an_answer_gives_are_read_back_from_the_journal(journal: Journal) -> None:
    create = _write("hw_create", "POST", "/directory/authenticationMethodDevices/hardwareOathDevices")
    protocol.begin(journal, [create])
    replies = protocol.interpret([create], [_answer(create, 201, {"id": "dev-9", "secretKey": "S3CR3T"})])
    protocol.record(journal, replies, {create.key: {"device": "dev-9"}})
    assign = _write("hw_assign", "POST")
    protocol.begin(journal, [assign])  # killed here: the answer to assign never came
    journal.resolved([(assign.entry, "applied", {"method": "m-9"})])  # settled by re-reading
    assert step_ids(journal.con, 7, "7:") == {
        "7:1:hw_create": {"device": "dev-9"},
        "7:1:hw_assign": {"method": "m-9"},
    }
    text = " ".join(str(v) for row in journal.con.execute("SELECT * FROM journal").fetchall() for v in row)
    assert "S3CR3T" not in text


def test_send_journaled_settles_a_lost_answer_by_re_reading(journal: Journal) -> None:
    class LostAnswer:
        def request(self, *args: object, **kwargs: object) -> object:
            raise UnknownOutcome("PATCH", "/domains/x", "connection dropped")

    write = _write("cutover", "PATCH")
    applied = protocol.send_journaled(journal, LostAnswer(), write, reread=lambda: True)  # type: ignore[arg-type]
    assert applied.outcome == "ok"
    kinds = journal.con.execute("SELECT kind, outcome FROM journal ORDER BY seq").fetchall()
    assert kinds == [("intent", None), ("response", "unknown"), ("resolved", "applied")]
    again = protocol.send_journaled(journal, LostAnswer(), write, reread=lambda: False)  # type: ignore[arg-type]
    assert again.outcome == "retry"  # not applied: the caller may send it again
