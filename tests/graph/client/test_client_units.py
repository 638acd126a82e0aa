"""Pure parts of the Graph client: budgets, Retry-After parsing, batch packing, paths, permissions."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from graph_client_helpers import self_signed

from analysis.errors import UserError
from analysis.graph.auth import scope_for
from analysis.graph.collect import source_for
from analysis.graph.credentials import load_certificate, read_secret
from analysis.graph.errors import ForbiddenError
from analysis.graph.permissions import permission_in_message, required_permission
from analysis.graph.ratelimit import TokenBucket, resource_units, tenant_read_quota, writes_budget
from analysis.graph.wire import BatchRequest, RetryPolicy, odata_string, pack, parse_retry_after, user_path


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_bucket_never_exceeds_limit_in_any_window() -> None:
    clock = FakeClock()
    bucket = TokenBucket(100, 10.0, burst=20, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(450):
        bucket.acquire()
        stamps.append(clock.now)
    # Slide a 10 s window over every grant: never more than 100 inside.
    j = 0
    for i, start in enumerate(stamps):
        while j < len(stamps) and stamps[j] < start + 10.0:
            j += 1
        assert j - i <= 100, f"{j - i} grants within 10 s starting at {start}"
    # And the pace is the budget, not slower: 450 grants need about (450 - 20) / 8 per second.
    assert stamps[-1] - stamps[0] == pytest.approx((450 - 20) / 8.0, rel=0.01)


def _most_in_any_window(arrivals: list[float], per_send: int, period: float) -> int:
    """The most units Graph's sliding window (``(now - period, now]``) sees, given arrival times."""
    arrivals = sorted(arrivals)
    most, i = 0, 0
    for j, now in enumerate(arrivals):
        while arrivals[i] <= now - period:
            i += 1
        most = max(most, (j - i + 1) * per_send)
    return most


@pytest.mark.parametrize(("burst", "keeps_budget"), [(5.0, False), (None, True)])
def test_write_bucket_leaves_slack_for_envelopes_that_arrive_late(
    burst: float | None, keeps_budget: bool
) -> None:
    """Envelopes of 20 writes, each reaching Graph 0–0.5 s after the bucket let it go (seeded)."""
    import random

    clock = FakeClock()
    burst = writes_budget(300, 15.0).burst if burst is None else burst
    bucket = TokenBucket(300, 15.0, burst=burst, clock=clock, sleep=clock.sleep)
    jitter = random.Random(7)
    arrivals = []
    for _ in range(300):
        bucket.acquire(20)
        arrivals.append(clock.now + jitter.uniform(0.0, 0.5))
    assert (_most_in_any_window(arrivals, 20, 15.0) <= 300) is keeps_budget


def test_bucket_burst_is_free_then_paces() -> None:
    clock = FakeClock()
    bucket = TokenBucket(3000, 150.0, clock=clock, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(301)]
    assert sum(waits[:300]) == 0  # the burst (a tenth of the limit)
    assert waits[300] == pytest.approx(1 / 18.0)  # then (3000 - 300) / 150 = 18 per second


def test_bucket_is_shared_fairly_between_threads() -> None:
    bucket = TokenBucket(40, 1.0, burst=4)
    grants: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            bucket.acquire()
            with lock:
                grants.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 20 grants, 4 free, 16 at 36 per second: about 0.44 s whatever the thread interleaving.
    assert len(grants) == 20
    assert 0.35 < max(grants) - start < 1.0


def test_bucket_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0, 10)


@pytest.mark.parametrize(
    ("method", "path", "params", "units"),
    [
        ("GET", "/users", {}, 2),
        ("GET", "/users", {"$select": "id"}, 1),
        ("GET", "/groups/g1/members", {}, 3),
        ("GET", "/groups/g1/transitiveMembers/microsoft.graph.user", {"$select": "id"}, 4),
        ("GET", "/users/u1/authentication/methods", {}, 1),
        ("GET", "/users/u1", {"$expand": "manager"}, 2),
        ("GET", "/users", {"$top": "5"}, 1),
        ("POST", "/users/u1/authentication/phoneMethods", {}, 1),
    ],
)
def test_resource_units(method: str, path: str, params: dict[str, str], units: int) -> None:
    assert resource_units(method, path, params) == units


def test_read_quota_by_tenant_size() -> None:
    assert [tenant_read_quota(n) for n in (10, 49, 50, 500, 501)] == [3500, 3500, 5000, 5000, 8000]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("2.128", 2.128), ("0", 0.0), ("7", 7.0), (None, None), ("", None), ("soon", None), ("-3", 0.0)],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_parse_retry_after_http_date() -> None:
    import email.utils

    value = email.utils.formatdate(time.time() + 30, usegmt=True)
    parsed = parse_retry_after(value)
    assert parsed is not None and 28 < parsed <= 30


def test_backoff_is_jittered_exponential_with_ceiling() -> None:
    import random

    policy = RetryPolicy(backoff_base=0.5, backoff_cap=4.0)
    rng = random.Random(1)
    for attempt, full in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        waits = {policy.backoff(attempt, rng) for _ in range(50)}
        assert all(full / 2 <= w <= full for w in waits)
        assert len(waits) > 1  # jittered


def test_pack_keeps_dependency_chains_together() -> None:
    requests = [BatchRequest(f"a{i}", "GET", "/x") for i in range(15)]
    requests += [BatchRequest("b1", "POST", "/y"), BatchRequest("b2", "POST", "/y", depends_on=["b1"])]
    requests += [BatchRequest(f"b{i}", "POST", "/y", depends_on=[f"b{i - 1}"]) for i in range(3, 8)]
    envelopes = pack(requests)
    assert all(len(e) <= 20 for e in envelopes)
    assert sorted(r.id for e in envelopes for r in e) == sorted(r.id for r in requests)
    chain = {f"b{i}" for i in range(1, 8)}
    assert sum(1 for e in envelopes if chain & {r.id for r in e}) == 1


def test_pack_refuses_a_chain_longer_than_a_batch() -> None:
    chain = [BatchRequest("r0", "POST", "/y")]
    chain += [BatchRequest(f"r{i}", "POST", "/y", depends_on=[f"r{i - 1}"]) for i in range(1, 21)]
    with pytest.raises(ValueError, match="dependency chain of 21"):
        pack(chain)


def test_user_path_escapes_guests_and_dollar_upns() -> None:
    assert user_path("jdoe_contoso.com#EXT#@fabrikam.onmicrosoft.com") == (
        "/users/jdoe_contoso.com%23EXT%23@fabrikam.onmicrosoft.com"
    )
    assert user_path("$admin@contoso.com") == "/users('$admin@contoso.com')"
    assert odata_string("O'Brien") == "'O''Brien'"


def test_permissions_named_for_403s() -> None:
    assert (
        required_permission("GET", "/users/u1/authentication/methods") == "UserAuthenticationMethod.Read.All"
    )
    assert required_permission("POST", "/users/u1/authentication/phoneMethods") == (
        "UserAuthenticationMethod.ReadWrite.All"
    )
    assert required_permission("PATCH", "/domains/contoso.com/federationConfiguration/f1") == (
        "Domain-InternalFederation.ReadWrite.All"
    )
    assert required_permission("GET", "/groups/g1/transitiveMembers") == "GroupMember.Read.All"
    assert permission_in_message("Missing role: Policy.ReadWrite.AuthenticationMethod.") == (
        "Policy.ReadWrite.AuthenticationMethod"
    )
    assert permission_in_message("Insufficient privileges to complete the operation.") is None
    err = ForbiddenError(
        403, "Authorization_RequestDenied", "Insufficient privileges", "r1", permission="X.Read.All"
    )
    assert "X.Read.All" in str(err) and "r1" in str(err)


def test_scope_names_the_resource() -> None:
    assert scope_for("https://graph.microsoft.com") == "https://graph.microsoft.com/.default"
    assert scope_for("https://graph.microsoft.us/v1.0") == "https://graph.microsoft.us/.default"
    assert scope_for("https://127.0.0.1:8443") == "https://graph.microsoft.com/.default"
    with pytest.raises(UserError):
        scope_for("http://127.0.0.1:8443")


def test_source_is_emulator_only_on_loopback() -> None:
    assert source_for("https://127.0.0.1:9999") == "emulator"
    assert source_for("https://[::1]:9999") == "emulator"
    assert source_for("https://localhost:9999") == "emulator"
    assert source_for("https://graph.microsoft.com") == "graph"


def test_read_secret_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SECRET", "  s3cr3t-value \n")
    assert read_secret(env="MY_SECRET") == "s3cr3t-value"
    monkeypatch.delenv("MY_SECRET")
    with pytest.raises(UserError) as info:
        read_secret(env="MY_SECRET")
    assert "MY_SECRET" in str(info.value)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("from-file\n")
    assert read_secret(file=secret_file) == "from-file"
    (tmp_path / "empty").write_text("")
    with pytest.raises(UserError, match="empty"):
        read_secret(file=tmp_path / "empty")


def test_load_certificate_computes_thumbprints(tmp_path: Path) -> None:
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key_pem, cert_pem = self_signed("test")
    both = tmp_path / "both.pem"
    both.write_text(key_pem + cert_pem)
    loaded = load_certificate(both)
    der = x509.load_pem_x509_certificate(cert_pem.encode()).public_bytes(serialization.Encoding.DER)
    assert loaded.sha256_thumbprint == hashlib.sha256(der).hexdigest()
    assert "PRIVATE" not in repr(loaded)
    # Key and certificate in separate files work too; a certificate alone does not.
    (tmp_path / "cert.pem").write_text(cert_pem)
    (tmp_path / "key.pem").write_text(key_pem)
    assert load_certificate(tmp_path / "cert.pem", key_path=tmp_path / "key.pem").sha1_thumbprint == (
        hashlib.sha1(der).hexdigest()
    )
    with pytest.raises(UserError, match="private key"):
        load_certificate(tmp_path / "cert.pem")


def test_write_budget_is_one_option_parsed_in_one_place() -> None:
    from analysis.cli import build_parser
    from analysis.graph.connect import parse_write_budget

    bucket = parse_write_budget("3000/150")
    assert (bucket.limit, bucket.period, bucket.burst) == (3000, 150, 20)  # one $batch envelope
    assert parse_write_budget("20/1").burst == 10
    conn = ["--authority", "https://login.example/t", "--client-id", "c"]
    for command in (
        ["batch", "run", "1"],
        ["batch", "verify", "1"],
        ["sync", "--datafile", "d", "--tenant", "t"],
    ):
        args = build_parser().parse_args([*command, "--workspace", "ws.duckdb", *conn])
        assert args.write_budget == "3000/150"
    snapshot = build_parser().parse_args(["snapshot", "--out", "o", *conn])  # reads only
    assert not hasattr(snapshot, "write_budget")


@pytest.mark.parametrize("text", ["3000", "fast", "1/150", "-5/150", "3000/0", "3000/x", "3000/nan", "/150"])
def test_bad_write_budget_is_a_one_line_user_error(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    from analysis.cli import main

    ws = tmp_path / "ws.duckdb"
    duckdb.connect(str(ws)).close()
    monkeypatch.delenv("MFA_MIGRATE_CLIENT_SECRET", raising=False)  # refused before any sign-in
    argv = ["batch", "run", "1", "--workspace", str(ws), "--authority", "https://login.example/t"]
    code = main([*argv, "--client-id", "c", f"--write-budget={text}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "--write-budget" in err and "e.g. 3000/150" in err
