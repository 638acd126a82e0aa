"""The Graph client against the emulator: paging, advanced queries, $batch, retries, 401/403, unknowns.

Timing assertions use the emulator's own request log (server clock): a retried request carries the
same ``client-request-id`` as the one that was answered 429, so "no request before Retry-After
elapsed" is checked on what the server actually received.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from crafted import MOBILE, _uid
from graph_client_helpers import FAST, app_auth, make_client

from analysis.graph.client import RetryPolicy
from analysis.graph.emulator.launcher import EmulatorInfo
from analysis.graph.errors import (
    ForbiddenError,
    GraphConnectionError,
    GraphError,
    NotFoundError,
    UnauthorizedError,
    UnknownOutcome,
)
from analysis.graph.ratelimit import TokenBucket
from analysis.graph.wire import BatchRequest, user_path

pytestmark = pytest.mark.slow  # starts an emulator


def log_since(emu: EmulatorInfo, since: int) -> list[dict[str, Any]]:
    return [e for e in emu.log(since) if not str(e["path"]).startswith("/_emulator")]


def last_seq(emu: EmulatorInfo) -> int:
    entries = emu.log(0)
    return int(entries[-1]["seq"]) if entries else 0


def phone_of(client: Any, user_id: str, phone_id: str = MOBILE) -> dict[str, Any] | None:
    try:
        result: dict[str, Any] = client.get(f"/users/{user_id}/authentication/phoneMethods/{phone_id}")
        return result
    except NotFoundError:
        return None


# ------------------------------------------------------------------------------------------ reads
def test_paging_follows_next_links_to_the_end(clean_emu: EmulatorInfo) -> None:
    with make_client(clean_emu) as client:
        pages = list(client.pages("/users", params={"$top": "7", "$select": "id,userPrincipalName"}))
        assert [len(p.items) for p in pages] == [7, 7, 7, 4]
        assert all(p.next_link for p in pages[:-1]) and pages[-1].next_link is None
        ids = [u["id"] for p in pages for u in p.items]
        assert sorted(ids) == [_uid(i) for i in range(25)]
        assert client.counters.requests == 4


def test_user_by_upn_and_not_found(clean_emu: EmulatorInfo) -> None:
    with make_client(clean_emu) as client:
        user = client.get(user_path("USER004@contoso.example"), params={"$select": "id,displayName"})
        assert user["id"] == _uid(4) and user["displayName"] == "User 004 O'Brien"
        with pytest.raises(NotFoundError) as info:
            client.get(user_path("nobody@contoso.example"))
        assert info.value.code == "Request_ResourceNotFound" and info.value.request_id


def test_advanced_query_sends_consistency_level_on_every_page(clean_emu: EmulatorInfo) -> None:
    with make_client(clean_emu) as client:
        # onPremisesSamAccountName eq needs advanced query parameters; without them Graph says 400.
        params = {"$filter": "onPremisesSamAccountName eq 'user003'", "$select": "id"}
        with pytest.raises(GraphError) as info:
            client.get("/users", params=params)
        assert info.value.status == 400
        assert [u["id"] for u in client.paged("/users", params=params, advanced=True)] == [_uid(3)]
        # The cast on transitiveMembers needs them too, on each of several pages.
        path = "/groups/00000000-0000-4000-9000-000000000001/transitiveMembers/microsoft.graph.user"
        pages = list(client.pages(path, params={"$top": "2", "$select": "id"}, advanced=True))
        assert len(pages) == 5 and pages[0].count == 9
        assert sorted(u["id"] for p in pages for u in p.items) == [_uid(i) for i in range(9)]
        # Without the header the second page alone is refused: the header is really re-sent.
        with pytest.raises(GraphError) as info:
            client.get(pages[0].next_link)  # type: ignore[arg-type]
        assert info.value.status == 400


def test_filter_with_quote_and_spaces(clean_emu: EmulatorInfo) -> None:
    with make_client(clean_emu) as client:
        found = list(client.paged("/users", params={"$filter": "displayName eq 'User 004 O''Brien'"}))
        assert [u["id"] for u in found] == [_uid(4)]


# ------------------------------------------------------------------------------------------ $batch
def test_batch_per_item_status_and_424(clean_emu: EmulatorInfo) -> None:
    with make_client(clean_emu) as client:
        answers = client.batch(
            [
                BatchRequest("lookup", "GET", "/users/nobody@contoso.example"),
                BatchRequest(
                    "write",
                    "POST",
                    "/users/nobody@contoso.example/authentication/phoneMethods",
                    body={"phoneNumber": "+44 7700900555", "phoneType": "mobile"},
                    depends_on=["lookup"],
                ),
                BatchRequest("ok", "GET", f"/users/{_uid(1)}/authentication/methods"),
            ]
        )
        assert [a.id for a in answers] == ["lookup", "write", "ok"]
        assert [a.status for a in answers] == [404, 424, 200]
        with pytest.raises(NotFoundError):
            answers[0].raise_for_status()
        with pytest.raises(GraphError) as info:
            answers[1].raise_for_status()
        assert info.value.status == 424
        assert answers[2].ok and answers[2].body["value"]


def test_batch_splits_into_envelopes_of_twenty(clean_emu: EmulatorInfo) -> None:
    with make_client(clean_emu) as client:
        requests = [BatchRequest(f"r{i}", "GET", f"/users/{_uid(i % 25)}?$select=id") for i in range(45)]
        answers = client.batch(requests)
        assert [a.body["id"] for a in answers] == [_uid(i % 25) for i in range(45)]
        assert client.counters.requests == 3 and client.counters.batch_items == 45
    assert clean_emu.stats()["batch_requests"] == 3


def test_batch_items_throttled_are_resent_after_their_retry_after(clean_emu: EmulatorInfo) -> None:
    clean_emu.set_throttle("3/1")
    since = last_seq(clean_emu)
    users = [_uid(i) for i in (1, 3, 5, 7, 9, 11)]  # odd users have no mobile phone
    with make_client(clean_emu, write_budget=None) as client:
        answers = client.batch(
            [
                BatchRequest(
                    str(n),
                    "POST",
                    f"/users/{uid}/authentication/phoneMethods",
                    body={"phoneNumber": f"+44 77009011{n:02d}", "phoneType": "mobile"},
                )
                for n, uid in enumerate(users)
            ]
        )
        assert all(a.status == 201 for a in answers), [a.status for a in answers]
        assert client.counters.throttled >= 3 and client.counters.retries >= 3
        for n, uid in enumerate(users):
            assert phone_of(client, uid)["phoneNumber"] == f"+44 77009011{n:02d}"  # type: ignore[index]
    items = [e for e in log_since(clean_emu, since) if e["batch"] and e["method"] == "POST"]
    throttled = [e for e in items if e["status"] == 429]
    assert len(throttled) >= 3
    for refused in throttled:
        later = [e for e in items if e["path"] == refused["path"] and e["seq"] > refused["seq"]]
        assert later, f"{refused['path']} was never resent"
        assert later[0]["t"] >= refused["t"] + float(refused["retry_after"]), "resent before Retry-After"


# ------------------------------------------------------------------------------------------ retries
def test_429_honours_fractional_retry_after_on_the_server_clock(clean_emu: EmulatorInfo) -> None:
    clean_emu.set_faults("429=0.5:0.35,only=reads,seed=3")
    since = last_seq(clean_emu)
    with make_client(clean_emu) as client:
        for i in range(12):
            assert client.get(f"/users/{_uid(i)}", params={"$select": "id"})["id"] == _uid(i)
        assert client.counters.throttled >= 3
    entries = log_since(clean_emu, since)
    throttled = [e for e in entries if e["status"] == 429]
    assert len(throttled) >= 3
    for refused in throttled:
        assert refused["retry_after"] == "0.350"
        retry = next(
            e
            for e in entries
            if e["client_request_id"] == refused["client_request_id"] and e["seq"] > refused["seq"]
        )
        assert retry["t"] >= refused["t"] + 0.35


def test_429_pauses_other_threads_too(clean_emu: EmulatorInfo) -> None:
    from concurrent.futures import ThreadPoolExecutor

    clean_emu.set_faults("429=0.15:0.8,only=reads,seed=11")
    with make_client(clean_emu) as client, ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda i: client.get(f"/users/{_uid(i % 25)}", params={"$select": "id"}), range(24))
        )
        history = list(client.history or [])
    assert len(results) == 24
    throttled = [s for s in history if s.status == 429]
    assert throttled
    # Once a 429 has arrived, the other three threads may each have one request already past the
    # pause check; nothing more starts until the Retry-After has run out. (Without the shared pause
    # they would send dozens in 0.8 s.)
    for refused in throttled:
        window = [
            s
            for s in history
            if refused.finished < s.started < refused.finished + 0.8
            and s.client_request_id != refused.client_request_id
        ]
        assert len(window) <= 3, f"{len(window)} request(s) started during a Retry-After pause"


def test_transient_faults_on_reads_are_retried(clean_emu: EmulatorInfo) -> None:
    clean_emu.set_faults("503=0.2,504=0.15,drop=0.15,only=reads,seed=5")
    with make_client(clean_emu) as client:
        users = list(client.paged("/users", params={"$top": "5", "$select": "id"}))
        assert len(users) == 25
        for i in range(10):
            assert client.get(f"/users/{_uid(i)}/authentication/methods")["value"]
        c = client.counters
        assert (
            c.server_errors >= 1
            and c.connection_errors >= 1
            and c.retries == c.server_errors + c.connection_errors
        )
    faults = clean_emu.stats()["faults"]
    assert faults["503"] + faults["504"] + faults["drop"] == c.retries


def test_idempotent_delete_is_retried_until_the_budget_ends(clean_emu: EmulatorInfo) -> None:
    clean_emu.set_faults("drop=1.0,only=writes")
    since = last_seq(clean_emu)
    policy = RetryPolicy(max_attempts=3, backoff_base=0.01)
    with make_client(clean_emu, retry=policy) as client, pytest.raises(GraphConnectionError):
        client.delete(f"/users/{_uid(2)}/authentication/phoneMethods/{MOBILE}")
    deletes = [e for e in log_since(clean_emu, since) if e["method"] == "DELETE"]
    assert len(deletes) == 3 and len({e["client_request_id"] for e in deletes}) == 1


def test_503_on_a_write_is_retried_because_nothing_was_applied(clean_emu: EmulatorInfo) -> None:
    clean_emu.set_faults("503=0.5,only=writes,seed=1")  # seed 1: the first write draws a 503, the next none
    with make_client(clean_emu) as client:
        body = {"phoneNumber": "+44 7700901313", "phoneType": "mobile"}
        created = client.post(f"/users/{_uid(13)}/authentication/phoneMethods", body)
        assert created["phoneNumber"] == "+44 7700901313"
        assert client.counters.server_errors == 1 and client.counters.retries == 1
    assert clean_emu.stats()["writes_applied"] == 1


@pytest.mark.parametrize(("fault", "applied"), [("dropafter", True), ("drop", False), ("504", False)])
def test_lost_answer_to_a_post_is_an_unknown_outcome(
    clean_emu: EmulatorInfo, fault: str, applied: bool
) -> None:
    uid = _uid({"dropafter": 15, "drop": 17, "504": 19}[fault])
    clean_emu.set_faults(f"{fault}=1.0,only=writes")
    since = last_seq(clean_emu)
    with make_client(clean_emu) as client:
        with pytest.raises(UnknownOutcome) as info:
            client.post(
                f"/users/{uid}/authentication/phoneMethods",
                {"phoneNumber": "+44 7700901515", "phoneType": "mobile"},
                client_request_id="journal-entry-42",
            )
        assert info.value.client_request_id == "journal-entry-42"
        posts = [e for e in log_since(clean_emu, since) if e["method"] == "POST"]
        assert len(posts) == 1, "a POST with an unknown outcome must not be resent"
        clean_emu.set_faults("")
        # The executor resolves the outcome by re-reading.
        assert (phone_of(client, uid) is not None) is applied


# ------------------------------------------------------------------------------------------ auth
def test_401_reauthenticates_once(clean_emu: EmulatorInfo) -> None:
    auth = app_auth(clean_emu)
    with make_client(clean_emu, auth) as client:
        client.get(f"/users/{_uid(0)}", params={"$select": "id"})
        clean_emu.expire_tokens()
        time.sleep(1.05)  # the emulator revokes by whole-second issue time
        assert client.get(f"/users/{_uid(0)}", params={"$select": "id"})["id"] == _uid(0)
        assert client.counters.reauths == 1 and auth.acquisitions == 2


def test_401_with_a_token_that_stays_bad_is_unauthorized(clean_emu: EmulatorInfo) -> None:
    class BadTokens:
        authority = "test"

        def __init__(self) -> None:
            self.refreshes = 0

        def token(self) -> str:
            return "not.a.token"

        def refresh(self, stale: str | None = None) -> str:
            self.refreshes += 1
            return "still.not.token"

    auth = BadTokens()
    with make_client(clean_emu, auth) as client:
        with pytest.raises(UnauthorizedError) as info:
            client.get("/users")
        assert info.value.code == "InvalidAuthenticationToken"
        assert auth.refreshes == 1 and client.counters.requests == 2


def test_403_names_the_missing_permission(clean_emu: EmulatorInfo) -> None:
    roles = clean_emu.admin("POST", "permissions", {})["roles"]
    clean_emu.admin("POST", "permissions", {"roles": ["User.Read.All"]})
    try:
        with make_client(clean_emu) as client:
            with pytest.raises(ForbiddenError) as info:
                client.get(f"/users/{_uid(0)}/authentication/methods")
            assert info.value.permission == "UserAuthenticationMethod.Read.All"
            assert "UserAuthenticationMethod.Read.All" in str(info.value)
            # Staged rollout refuses app-only tokens whatever the roles; the error says what works.
            with pytest.raises(ForbiddenError) as info:
                client.get("/policies/featureRolloutPolicies")
            assert info.value.permission == "Policy.Read.HybridAuthentication"
    finally:
        clean_emu.admin("POST", "permissions", {"roles": roles})


# ------------------------------------------------------------------------------------------ budgets
def test_client_write_budget_keeps_the_server_from_throttling(clean_emu: EmulatorInfo) -> None:
    clean_emu.set_throttle("10/1")
    body = {"phoneNumber": "+44 7700900000", "phoneType": "mobile"}
    path = f"/users/{_uid(0)}/authentication/phoneMethods/{MOBILE}"
    started = time.monotonic()
    with make_client(clean_emu, write_budget=TokenBucket(10, 1.0, burst=2)) as client:
        for _ in range(14):
            client.patch(path, body)
        assert client.counters.throttled == 0 and client.counters.budget_wait > 0
    assert time.monotonic() - started >= (14 - 2) / 8 - 0.1  # (limit - burst) / period = 8 per second
    assert clean_emu.stats()["throttled"] == 0
    # Without the client budget the server throttles, and the client still gets every write through.
    with make_client(clean_emu, write_budget=None) as client:
        for _ in range(14):
            client.patch(path, body)
        assert client.counters.throttled > 0
    assert clean_emu.stats()["writes_applied"] == 28


def test_logs_carry_request_ids_never_tokens_or_secrets(
    clean_emu: EmulatorInfo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clean_emu.set_faults("503=0.3,only=reads,seed=9")
    auth = app_auth(clean_emu)
    with make_client(clean_emu, auth, retry=FAST) as client:
        for i in range(6):
            client.get(f"/users/{_uid(i)}/authentication/methods")
        token = auth.token()
    assert "request-id=" in caplog.text
    assert token not in caplog.text and token[-20:] not in caplog.text
    assert clean_emu.client_secret not in caplog.text
    payload, signature = token.split(".")[1:]
    assert payload not in caplog.text and signature not in caplog.text
