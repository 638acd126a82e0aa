"""What an answer means (``classify``, shared by the client and the executor) and what an unreachable
Graph does (``Reachability``: reported at once, paced, given up in time; a bad certificate not retried;
stopped on request). The client against a closed port and an untrusted certificate, for real."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from analysis.graph.auth import StaticToken
from analysis.graph.client import GraphClient
from analysis.graph.errors import GraphUnreachable, Stopped
from analysis.graph.outcomes import Verdict, classify
from analysis.graph.reachability import Reachability, describe_failure


@pytest.mark.parametrize(
    ("status", "method", "verdict"),
    [
        (200, "GET", Verdict.OK),
        (201, "POST", Verdict.OK),
        (204, "DELETE", Verdict.OK),
        (429, "POST", Verdict.RETRY),  # Graph did not start the work: safe for any method
        (503, "PATCH", Verdict.RETRY),
        (504, "POST", Verdict.UNKNOWN),  # may have been applied: re-read, never resend
        (504, "GET", Verdict.RETRY),
        (0, "POST", Verdict.UNKNOWN),  # the answer was lost
        (0, "PATCH", Verdict.UNKNOWN),
        (0, "DELETE", Verdict.RETRY),
        (500, "POST", Verdict.UNKNOWN),
        (502, "GET", Verdict.RETRY),
        (404, "DELETE", Verdict.GONE),  # the target is gone: what the delete wanted
        (404, "GET", Verdict.REFUSED),
        (404, "PATCH", Verdict.REFUSED),
        (400, "POST", Verdict.REFUSED),
        (409, "POST", Verdict.REFUSED),
        (401, "GET", Verdict.DENIED),
        (403, "PATCH", Verdict.DENIED),
        (501, "POST", Verdict.REFUSED),
    ],
)
def test_classify(status: int, method: str, verdict: Verdict) -> None:
    assert classify(status, method) is verdict


def test_an_envelope_of_reads_is_safe_to_resend() -> None:
    assert classify(504, "POST", idempotent=True) is Verdict.RETRY
    assert classify(0, "POST", idempotent=True) is Verdict.RETRY


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_reported_at_once_paced_and_given_up_in_time() -> None:
    clock, said = _Clock(), []
    waits: list[float] = []

    class Stop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(float(timeout or 0))
            clock.now += float(timeout or 0)
            return False

    r = Reachability(give_up_after=20, report=said.append, stop=Stop(), clock=clock, wall=lambda: 0.0)
    refused = ConnectionRefusedError(111, "Connection refused")
    r.failed("GET", "/users", refused)
    assert said and "Graph unreachable since" in said[0] and "connection refused" in said[0]
    assert "next try in 1 s" in said[0]
    assert r.outage is not None and r.outage.attempts == 1
    for _ in range(10):
        try:
            r.failed("GET", "/users", refused)
        except GraphUnreachable as exc:
            assert "gave up" in str(exc)
            break
    else:
        raise AssertionError("never gave up")
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0]  # capped exponential pace, one report per try
    assert sum(waits) <= 20 + 1e-9
    assert len(said) == len(waits)
    r.succeeded()
    assert r.outage is None and said[-1].startswith("Graph reachable again")


def test_a_certificate_failure_is_not_retried() -> None:
    said: list[str] = []
    r = Reachability(report=said.append)
    error = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate")
    started = time.monotonic()
    with pytest.raises(GraphUnreachable) as caught:
        r.failed("POST", "/$batch", error)
    assert caught.value.certificate and time.monotonic() - started < 1
    assert "not retried" in said[0] and "TLS certificate not trusted" in said[0]


def test_a_stop_ends_the_wait_at_once() -> None:
    stop = threading.Event()
    r = Reachability(give_up_after=600, stop=stop, backoff_base=30)
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    with pytest.raises(Stopped):  # it would wait 30 s for the next try
        r.failed("GET", "/users", ConnectionRefusedError(111, "refused"))
    assert time.monotonic() - started < 5


def test_failures_are_described_by_kind() -> None:
    assert describe_failure(socket.gaierror(-2, "Name or service not known"))[0].startswith(
        "DNS lookup failed"
    )
    assert describe_failure(ConnectionRefusedError(111, "Connection refused"))[0].startswith(
        "connection refused"
    )
    assert describe_failure(TimeoutError("timed out"))[0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_client_reports_a_refused_connection_within_seconds_and_gives_up() -> None:
    said: list[str] = []
    reach = Reachability(give_up_after=2.5, report=said.append)
    port = _closed_port()
    client = GraphClient(f"https://127.0.0.1:{port}", StaticToken("t"), reachability=reach, write_budget=None)
    started = time.monotonic()
    with pytest.raises(GraphUnreachable) as caught:
        client.get("/users")
    took = time.monotonic() - started
    client.close()
    assert 2.0 <= took < 8, took
    assert said and "connection refused" in said[0]
    assert "Graph unreachable since" in str(caught.value)


def test_the_client_does_not_retry_an_untrusted_certificate(tmp_path: Path) -> None:
    from analysis.graph.emulator.launcher import start_emulator
    from analysis.graph.emulator.tls import make_tls_files

    other_ca = make_tls_files(tmp_path).ca_file  # a CA that never signed the emulator's certificate
    said: list[str] = []
    with start_emulator(Path(__file__).resolve().parents[3] / "sample_data" / "tenant") as emu:
        reach = Reachability(give_up_after=600, report=said.append)
        client = GraphClient(emu.graph_url, StaticToken("t"), ca_file=other_ca, reachability=reach)
        started = time.monotonic()
        with pytest.raises(GraphUnreachable) as caught:
            client.get("/users")
        client.close()
        assert caught.value.certificate and time.monotonic() - started < 5
        assert len([e for e in emu.log() if e["path"].endswith("/users")]) == 0
    assert "not retried" in said[0]
