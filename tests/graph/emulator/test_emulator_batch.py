"""$batch: envelope validation, per-item status/body, dependsOn and 424, per-item 429 under a write budget."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from emulator_helpers import assert_graph_error, client_for
from emulator_tenant import MOBILE, uid

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

JSON = {"Content-Type": "application/json"}


def _by_id(response: httpx.Response) -> dict[str, dict]:
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["responses"]}


def test_items_are_judged_like_single_requests(graph: httpx.Client) -> None:
    requests = [
        {"id": "1", "method": "GET", "url": "/users/u1@fabrikam.example/authentication/phoneMethods"},
        {
            "id": "2",
            "method": "POST",
            "url": "/users/u8@fabrikam.example/authentication/phoneMethods",
            "headers": JSON,
            "body": {"phoneNumber": "+1 2065555555", "phoneType": "mobile"},
        },
        {
            "id": "3",
            "method": "GET",
            "url": "users?$select=id&$filter=onPremisesSamAccountName eq 'jdoe7'&$count=true",
            "headers": {"ConsistencyLevel": "eventual"},
        },
        {"id": "4", "method": "GET", "url": "users?$filter=onPremisesSamAccountName eq 'jdoe7'"},
        {"id": "5", "method": "GET", "url": "/users/nobody@fabrikam.example"},
    ]
    items = _by_id(graph.post("/v1.0/$batch", json={"requests": requests}))
    assert items["1"]["status"] == 200 and items["1"]["body"]["value"][0]["id"] == MOBILE
    assert items["2"]["status"] == 201 and items["2"]["body"]["phoneType"] == "mobile"
    assert items["3"]["status"] == 200 and items["3"]["body"]["value"] == [{"id": uid(7)}]
    assert items["4"]["status"] == 400 and items["4"]["body"]["error"]["code"] == "Request_UnsupportedQuery"
    assert items["5"]["status"] == 404 and items["5"]["body"]["error"]["innerError"]["request-id"]
    assert graph.get("/v1.0/users/u8@fabrikam.example/authentication/phoneMethods").json()["value"]


def test_depends_on_failure_gives_424_and_skips_the_write(graph: httpx.Client) -> None:
    requests = [
        {
            "id": "a",
            "method": "POST",
            "url": "/users/u9@fabrikam.example/authentication/phoneMethods",
            "headers": JSON,
            "body": {"phoneNumber": "bad", "phoneType": "mobile"},
        },
        {
            "id": "b",
            "dependsOn": ["a"],
            "method": "POST",
            "url": "/users/u10@fabrikam.example/authentication/phoneMethods",
            "headers": JSON,
            "body": {"phoneNumber": "+1 2065555556", "phoneType": "mobile"},
        },
        {"id": "c", "dependsOn": ["b"], "method": "GET", "url": "/users/u10@fabrikam.example"},
    ]
    items = _by_id(graph.post("/beta/$batch", json={"requests": requests}))
    assert items["a"]["status"] == 400
    assert items["b"]["status"] == 424 and items["c"]["status"] == 424
    assert graph.get("/v1.0/users/u10@fabrikam.example/authentication/phoneMethods").json()["value"] == []


def test_depends_on_runs_in_dependency_order(graph: httpx.Client) -> None:
    base = "/users/u11@fabrikam.example/authentication/phoneMethods"
    requests = [
        {
            "id": "alt",
            "dependsOn": ["mob"],
            "method": "POST",
            "url": base,
            "headers": JSON,
            "body": {"phoneNumber": "+1 2065555558", "phoneType": "alternateMobile"},
        },
        {
            "id": "mob",
            "method": "POST",
            "url": base,
            "headers": JSON,
            "body": {"phoneNumber": "+1 2065555557", "phoneType": "mobile"},
        },
    ]
    items = _by_id(graph.post("/v1.0/$batch", json={"requests": requests}))
    assert items["mob"]["status"] == 201 and items["alt"]["status"] == 201


def test_envelope_errors(graph: httpx.Client) -> None:
    get = {"method": "GET", "url": "/users/u1@fabrikam.example"}
    too_many = [dict(get, id=str(n)) for n in range(21)]
    assert_graph_error(graph.post("/v1.0/$batch", json={"requests": too_many}), 400, "Request_BadRequest")
    duplicate = [dict(get, id="x"), dict(get, id="X")]
    assert_graph_error(graph.post("/v1.0/$batch", json={"requests": duplicate}), 400, "Request_BadRequest")
    no_type = [{"id": "1", "method": "POST", "url": "/groups", "body": {}}]
    assert_graph_error(graph.post("/v1.0/$batch", json={"requests": no_type}), 400, "Request_BadRequest")
    unknown_dep = [dict(get, id="1", dependsOn=["9"])]
    assert_graph_error(graph.post("/v1.0/$batch", json={"requests": unknown_dep}), 400, "Request_BadRequest")
    cycle = [dict(get, id="1", dependsOn=["2"]), dict(get, id="2", dependsOn=["1"])]
    assert_graph_error(graph.post("/v1.0/$batch", json={"requests": cycle}), 400, "Request_BadRequest")
    exactly_twenty = [dict(get, id=str(n)) for n in range(20)]
    assert len(_by_id(graph.post("/v1.0/$batch", json={"requests": exactly_twenty}))) == 20


def test_batch_needs_a_token_and_items_need_permissions(emu: EmulatorInfo) -> None:
    with client_for(emu, None) as anonymous:
        body = {"requests": [{"id": "1", "method": "GET", "url": "/users"}]}
        assert_graph_error(anonymous.post("/v1.0/$batch", json=body), 401, "InvalidAuthenticationToken")


@pytest.mark.slow
def test_each_item_counts_against_the_write_budget(tenant_dir: Path) -> None:
    with (
        start_emulator(tenant_dir, "--throttle-writes", "3/60") as emu,
        client_for(emu, emu.app_token()) as graph,
    ):
        requests = [
            {
                "id": str(n),
                "method": "PATCH",
                "url": f"/users/{uid(n)}/authentication/signInPreferences",
                "headers": JSON,
                "body": {"isSystemPreferredAuthenticationMethodEnabled": True},
            }
            for n in range(5)
        ]
        requests.append({"id": "read", "method": "GET", "url": "/users/u1@fabrikam.example"})
        items = _by_id(graph.post("/beta/$batch", json={"requests": requests}))
        statuses = [items[str(n)]["status"] for n in range(5)]
        assert statuses == [204, 204, 204, 429, 429]
        assert items["read"]["status"] == 200  # reads are not writes
        for n in (3, 4):
            retry_after = float(items[str(n)]["headers"]["Retry-After"])
            assert 0 < retry_after <= 60
            assert items[str(n)]["body"]["error"]["code"] == "TooManyRequests"
        state = {u["id"]: u for u in emu.state()["users.jsonl"]}
        flags = [
            state[uid(n)]["signInPreferences"]["isSystemPreferredAuthenticationMethodEnabled"]
            for n in range(5)
        ]
        assert flags == [True, True, True, False, False]  # throttled items were not applied
        stats = emu.stats()
        assert stats["throttled"] == 2 and stats["writes_applied"] == 3 and stats["batch_items"] == 6
