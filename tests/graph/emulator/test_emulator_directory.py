"""Users and groups: paging, $select, $filter with the advanced-query rule, $count, members, $ref."""

from __future__ import annotations

import httpx
from emulator_helpers import assert_graph_error
from emulator_tenant import USERS, gid, uid

EVENTUAL = {"ConsistencyLevel": "eventual"}


def _all_pages(
    graph: httpx.Client, url: str, params: dict[str, str], headers: dict[str, str] | None = None
) -> list:
    items, pages = [], 0
    response = graph.get(url, params=params, headers=headers)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["value"]
        pages += 1
        if "@odata.nextLink" not in body:
            return items
        assert "@odata.count" not in body or pages == 1
        response = graph.get(body["@odata.nextLink"], headers=headers)


def test_paging_follows_next_links_to_every_user_once(graph: httpx.Client) -> None:
    paged = _all_pages(graph, "/v1.0/users", {"$top": "5", "$select": "id,userPrincipalName"})
    whole = graph.get("/v1.0/users", params={"$top": "999"}).json()["value"]
    assert [u["id"] for u in paged] == [u["id"] for u in whole]
    assert len({u["id"] for u in paged}) == len(paged) == USERS
    assert set(paged[0]) == {"id", "userPrincipalName"}


def test_default_properties_and_select(graph: httpx.Client) -> None:
    user = graph.get(f"/v1.0/users/{uid(7)}").json()
    assert user["userPrincipalName"] == "u7@fabrikam.example"
    assert "onPremisesSamAccountName" not in user  # only when selected, as on Graph
    assert "authenticationMethods" not in user and "signInPreferences" not in user
    selected = graph.get(
        f"/v1.0/users/{uid(7)}", params={"$select": "id,onPremisesSamAccountName,onPremisesImmutableId"}
    ).json()
    assert selected["onPremisesSamAccountName"] == "jdoe7" and selected["onPremisesImmutableId"] is None
    assert_graph_error(
        graph.get(f"/v1.0/users/{uid(7)}", params={"$select": "id,authenticationMethods"}),
        400,
        "Request_BadRequest",
    )


def test_get_by_upn_any_case_and_key_syntax(graph: httpx.Client) -> None:
    assert graph.get("/v1.0/users/U3@FABRIKAM.example").json()["id"] == uid(3)
    assert graph.get("/v1.0/users('u3@fabrikam.example')").json()["id"] == uid(3)
    assert graph.get("/beta/users/u3@fabrikam.example").json()["id"] == uid(3)


def test_not_found_body_and_request_ids(graph: httpx.Client) -> None:
    response = graph.get(
        "/v1.0/users/nobody@fabrikam.example", headers={"client-request-id": "my-correlation"}
    )
    error = assert_graph_error(response, 404, "Request_ResourceNotFound")
    assert response.headers["client-request-id"] == "my-correlation"
    assert "nobody@fabrikam.example" in error["message"]
    assert_graph_error(graph.get("/v1.0/usrs"), 400, "BadRequest")
    assert_graph_error(graph.delete(f"/v1.0/users/{uid(1)}"), 405, "Request_BadRequest")


def test_filter_default_and_advanced_rules(graph: httpx.Client) -> None:
    by_mail = graph.get("/v1.0/users", params={"$filter": "mail eq 'USER.2@fabrikam.example'"})
    assert [u["id"] for u in by_mail.json()["value"]] == [uid(2)]
    for clause in (
        "userPrincipalName eq 'u5@fabrikam.example'",
        "employeeId eq 'E0005'",
        f"onPremisesSecurityIdentifier eq 'S-1-5-21-1-2-3-{1007}'",
    ):
        response = graph.get("/v1.0/users", params={"$filter": clause, "$select": "id"})
        assert response.status_code == 200 and len(response.json()["value"]) == 1, clause
    sam = "onPremisesSamAccountName eq 'jdoe7'"
    assert_graph_error(graph.get("/v1.0/users", params={"$filter": sam}), 400, "Request_UnsupportedQuery")
    # the header alone is not enough, nor $count alone
    assert_graph_error(
        graph.get("/v1.0/users", params={"$filter": sam}, headers=EVENTUAL), 400, "Request_UnsupportedQuery"
    )
    assert_graph_error(
        graph.get("/v1.0/users", params={"$filter": sam, "$count": "true"}), 400, "Request_UnsupportedQuery"
    )
    advanced = graph.get("/v1.0/users", params={"$filter": sam, "$count": "true"}, headers=EVENTUAL).json()
    assert advanced["@odata.count"] == 1 and advanced["value"][0]["id"] == uid(7)
    assert_graph_error(
        graph.get("/v1.0/users", params={"$filter": "mail ne 'x@y'"}), 400, "Request_UnsupportedQuery"
    )
    assert_graph_error(
        graph.get("/v1.0/users", params={"$filter": "jobTitle eq 'x'"}), 400, "Request_UnsupportedQuery"
    )
    assert_graph_error(graph.get("/v1.0/users", params={"$filter": "mail eq"}), 400, "Request_BadRequest")
    quoted = graph.get(
        "/v1.0/users", params={"$filter": "displayName eq 'O''Neil' or displayName eq 'User 4'"}
    )
    assert [u["id"] for u in quoted.json()["value"]] == [uid(4)]
    both = graph.get("/v1.0/users", params={"$filter": "employeeId in ('E0001','E0002')"}).json()["value"]
    assert {u["id"] for u in both} == {uid(1), uid(2)}


def test_advanced_params_resent_on_every_page(graph: httpx.Client) -> None:
    params = {"$filter": "startsWith(onPremisesSamAccountName,'jdoe')", "$count": "true", "$top": "1"}
    assert len(_all_pages(graph, "/v1.0/users", params, EVENTUAL)) == 1
    first = graph.get("/v1.0/users", params={"$count": "true", "$top": "2"}, headers=EVENTUAL).json()
    second = graph.get(first["@odata.nextLink"])  # ConsistencyLevel not resent: still a valid page
    assert second.status_code == 200


def test_count_segment_and_count_ignored_without_header(graph: httpx.Client) -> None:
    assert_graph_error(graph.get("/v1.0/users/$count"), 400, "Request_BadRequest")
    counted = graph.get("/v1.0/users/$count", headers=EVENTUAL)
    assert counted.status_code == 200 and counted.text == str(USERS)
    plain = graph.get("/v1.0/users", params={"$count": "true"}).json()
    assert "@odata.count" not in plain


def test_page_size_limits(graph: httpx.Client) -> None:
    assert_graph_error(graph.get("/v1.0/users", params={"$top": "1000"}), 400, "Request_BadRequest")
    assert_graph_error(graph.get("/v1.0/users", params={"$top": "0"}), 400, "Request_BadRequest")
    assert_graph_error(graph.get("/v1.0/users", params={"$skiptoken": "garbage"}), 400, "Request_BadRequest")


def test_groups_filter_members_and_transitive(graph: httpx.Client) -> None:
    found = graph.get(
        "/v1.0/groups", params={"$filter": "displayName eq 'nested'", "$select": "id,displayName"}
    )
    assert found.json()["value"] == [{"id": gid(2), "displayName": "Nested"}]
    direct = graph.get(f"/v1.0/groups/{gid(2)}/members").json()["value"]
    assert {(m["@odata.type"], m["id"]) for m in direct} == {
        ("#microsoft.graph.user", uid(9)),
        ("#microsoft.graph.group", gid(1)),
    }
    transitive = graph.get(f"/v1.0/groups/{gid(2)}/transitiveMembers").json()["value"]
    assert {m["id"] for m in transitive} == {uid(9), gid(1), uid(7), uid(8)}
    cast = f"/v1.0/groups/{gid(2)}/transitiveMembers/microsoft.graph.user"
    assert_graph_error(graph.get(cast), 400, "Request_UnsupportedQuery")
    users = graph.get(
        cast, params={"$count": "true", "$select": "id,userPrincipalName"}, headers=EVENTUAL
    ).json()
    assert users["@odata.count"] == 3
    assert {u["id"] for u in users["value"]} == {uid(7), uid(8), uid(9)}
    assert all(set(u) == {"@odata.type", "id", "userPrincipalName"} for u in users["value"])


def test_member_ref_add_duplicate_remove(graph: httpx.Client) -> None:
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{uid(10)}"}
    assert graph.post(f"/v1.0/groups/{gid(6)}/members/$ref", json=ref).status_code == 204
    assert_graph_error(graph.post(f"/v1.0/groups/{gid(6)}/members/$ref", json=ref), 400, "Request_BadRequest")
    members = graph.get(f"/v1.0/groups/{gid(6)}/members").json()["value"]
    assert [m["id"] for m in members] == [uid(10)]
    assert graph.delete(f"/v1.0/groups/{gid(6)}/members/{uid(10)}/$ref").status_code == 204
    assert_graph_error(
        graph.delete(f"/v1.0/groups/{gid(6)}/members/{uid(10)}/$ref"), 404, "Request_ResourceNotFound"
    )
    missing = {
        "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/00000000-dead-beef-0000-000000000000"
    }
    assert_graph_error(
        graph.post(f"/v1.0/groups/{gid(6)}/members/$ref", json=missing), 404, "Request_ResourceNotFound"
    )
    assert_graph_error(graph.post(f"/v1.0/groups/{gid(6)}/members/$ref", json={}), 400, "Request_BadRequest")


def test_member_ref_refused_on_dynamic_and_synced_groups(graph: httpx.Client) -> None:
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{uid(11)}"}
    assert_graph_error(graph.post(f"/v1.0/groups/{gid(3)}/members/$ref", json=ref), 400, "Request_BadRequest")
    error = assert_graph_error(
        graph.post(f"/v1.0/groups/{gid(4)}/members/$ref", json=ref), 400, "Request_BadRequest"
    )
    assert "external service" in error["message"]


def test_invalid_json_body(graph: httpx.Client) -> None:
    response = graph.post(
        f"/v1.0/groups/{gid(6)}/members/$ref",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_graph_error(response, 400, "Request_BadRequest")
