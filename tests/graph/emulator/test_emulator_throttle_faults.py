"""Write throttling with Retry-After, injected faults (503, 429, slow, drop, dropafter), determinism,
and concurrent writers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from emulator_helpers import assert_graph_error, client_for
from emulator_tenant import uid

from analysis.errors import UserError
from analysis.graph.emulator.faults import parse_faults
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator
from analysis.graph.emulator.throttle import parse_budget

PREFS = "/beta/users/{}/authentication/signInPreferences"


@pytest.fixture(scope="module")
def emu(tenant_dir: Path) -> Iterator[EmulatorInfo]:
    """This module's emulator; each test sets the budget and faults it needs (tests may run in any order)."""
    with start_emulator(tenant_dir, "--throttle-writes", "4/1.5", "--faults", "seed=3") as info:
        yield info


@pytest.fixture
def unthrottled(emu: EmulatorInfo) -> Iterator[EmulatorInfo]:
    emu.set_throttle(None)
    emu.set_ru_budget(None)
    emu.set_faults("")
    yield emu
    emu.set_faults("")
    emu.set_ru_budget(None)


@pytest.mark.slow
def test_resource_unit_costs_and_budget(unthrottled: EmulatorInfo, graph: httpx.Client) -> None:
    emu = unthrottled
    costs = {
        "/v1.0/users": "2",
        "/v1.0/users?$select=id": "1",
        "/v1.0/users/u1@fabrikam.example": "1",
        "/v1.0/groups/20000000-0000-4000-8000-000000000002/members": "3",
        "/v1.0/groups/20000000-0000-4000-8000-000000000002/transitiveMembers?$top=5": "4",
    }
    for url, units in costs.items():
        assert graph.get(url).headers["x-ms-resource-unit"] == units, url
    emu.set_ru_budget("10/4")
    assert [graph.get("/v1.0/users").status_code for _ in range(5)] == [200] * 5
    throttled = graph.get("/v1.0/users/u1@fabrikam.example")
    assert_graph_error(throttled, 429, "TooManyRequests")
    assert throttled.headers["x-ms-throttle-information"] == "ResourceUnitLimitExceeded"
    assert 0 < float(throttled.headers["Retry-After"]) <= 4
    time.sleep(float(throttled.headers["Retry-After"]))
    assert graph.get("/v1.0/users/u1@fabrikam.example").status_code == 200


def _toggle(graph: httpx.Client, n: int, flag: bool = True) -> httpx.Response:
    return graph.patch(PREFS.format(uid(n)), json={"isSystemPreferredAuthenticationMethodEnabled": flag})


@pytest.mark.slow
def test_writes_over_budget_get_429_until_retry_after(emu: EmulatorInfo, graph: httpx.Client) -> None:
    emu.set_faults("")
    emu.set_throttle("4/4")  # a fresh window, wide enough that a loaded machine still sends 5 writes in it
    assert [_toggle(graph, n).status_code for n in range(4)] == [204] * 4
    throttled = _toggle(graph, 4)
    error = assert_graph_error(throttled, 429, "TooManyRequests")
    assert error["innerError"]["code"] == "429"
    retry_after = float(throttled.headers["Retry-After"])
    assert 0 < retry_after <= 4 and "." in throttled.headers["Retry-After"]
    assert throttled.headers["x-ms-throttle-information"] == "WriteLimitExceeded"
    assert graph.get("/v1.0/users/u4@fabrikam.example").status_code == 200  # reads are not throttled
    early = _toggle(graph, 4)  # too early: still refused, and not applied
    assert early.status_code == 429
    time.sleep(float(early.headers["Retry-After"]))
    assert _toggle(graph, 4).status_code == 204
    stats = emu.stats()
    assert stats["throttled"] >= 2 and stats["throttle_writes"] == "4/4"


def test_budget_and_fault_specs_are_validated() -> None:
    assert parse_budget("3000").window == 150 and parse_budget("20/1").limit == 20
    for bad in ("0", "x/1", "5/0", "-1/2"):
        with pytest.raises(UserError):
            parse_budget(bad)
    spec = parse_faults("503=0.05,slow=0.02:2.0,drop=0.01,dropafter=0.01,429=0.1:0.25,seed=1,only=writes")
    assert spec.rates == {"503": 0.05, "drop": 0.01, "dropafter": 0.01, "429": 0.1}
    assert (spec.slow_rate, spec.slow_seconds, spec.retry_after, spec.seed, spec.only) == (
        0.02,
        2.0,
        0.25,
        1,
        "writes",
    )
    for bad in ("503=2", "boom=0.1", "503", "503=0.6,drop=0.6", "only=some", "slow=0.1:x"):
        with pytest.raises(UserError):
            parse_faults(bad)


def test_503_and_injected_429_leave_state_untouched(unthrottled: EmulatorInfo, graph: httpx.Client) -> None:
    emu = unthrottled
    emu.set_faults("503=1.0")
    try:
        assert_graph_error(_toggle(graph, 5, False), 503, "serviceNotAvailable")
        emu.set_faults("429=1.0:0.125")
        throttled = _toggle(graph, 5, False)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "0.125"
    finally:
        emu.set_faults("")
    assert graph.get(PREFS.format(uid(5))).json()["isSystemPreferredAuthenticationMethodEnabled"] is False
    assert emu.stats()["faults"]["503"] >= 1


def test_drop_before_applies_nothing_and_drop_after_applies_the_write(unthrottled: EmulatorInfo) -> None:
    emu = unthrottled
    path = "/v1.0/users/u0@fabrikam.example/authentication/phoneMethods"
    body = {"phoneNumber": "+1 5555550123", "phoneType": "mobile"}
    emu.set_faults("drop=1.0")
    try:
        with client_for(emu, emu.app_token()) as graph, pytest.raises(httpx.TransportError):
            graph.post(path, json=body)
    finally:
        emu.set_faults("")
    with client_for(emu, emu.app_token()) as graph:
        assert graph.get(path).json()["value"] == []
    emu.set_faults("dropafter=1.0,only=writes")
    try:
        with client_for(emu, emu.app_token()) as graph:
            with pytest.raises(httpx.TransportError):
                graph.post(path, json=body)
            assert graph.get(path).status_code == 200  # reads are spared by only=writes
    finally:
        emu.set_faults("")
    with client_for(emu, emu.app_token()) as graph:
        assert [m["phoneNumber"] for m in graph.get(path).json()["value"]] == ["+1 5555550123"]
    faults = emu.stats()["faults"]
    assert faults["drop"] == 1 and faults["dropafter"] == 1


def test_slow_responses(unthrottled: EmulatorInfo, graph: httpx.Client) -> None:
    emu = unthrottled
    emu.set_faults("slow=1.0:0.4")
    try:
        started = time.monotonic()
        assert graph.get("/v1.0/users/u1@fabrikam.example").status_code == 200
        assert time.monotonic() - started >= 0.4
    finally:
        emu.set_faults("")


def test_faults_are_deterministic_for_a_seed(unthrottled: EmulatorInfo, graph: httpx.Client) -> None:
    emu = unthrottled

    def run(spec: str) -> list[int]:
        emu.set_faults(spec)
        try:
            return [graph.get("/v1.0/users/u1@fabrikam.example").status_code for _ in range(24)]
        finally:
            emu.set_faults("")

    first = run("503=0.5,seed=11")
    assert set(first) == {200, 503}
    assert run("503=0.5,seed=11") == first
    assert run("503=0.5,seed=12") != first


def test_concurrent_creates_of_one_phone_type_yield_exactly_one(unthrottled: EmulatorInfo) -> None:
    emu = unthrottled
    path = "/v1.0/users/u9@fabrikam.example/authentication/phoneMethods"
    token = emu.app_token()

    def create(n: int) -> int:
        with client_for(emu, token) as graph:
            return graph.post(
                path, json={"phoneNumber": f"+1 55555501{n:02d}", "phoneType": "mobile"}
            ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(16)))
    assert sorted(statuses) == [201] + [400] * 15
    with client_for(emu, token) as graph:
        assert len(graph.get(path).json()["value"]) == 1
