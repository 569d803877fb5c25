"""Bad input is a 4xx in the one error shape, with a message that says what to fix — never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tessera_core import ConflictError, NotFoundError, ValidationError
from tests.service.schemas import V1


@pytest.fixture
def http(tessera_server, make_team):
    team = make_team("p")
    with httpx.Client(
        base_url=tessera_server.base_url, headers={"Authorization": f"Bearer {team.key}"}
    ) as client:
        yield team, client


def _error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_unknown_field_names_the_field(http, unique) -> None:
    _, client = http
    error = _error(client.post("/api/v1/publish", json={"fqn": unique("a"), "schema": V1, "shema": 1}), 422)
    assert error["code"] == "validation_error"
    assert "shema: unknown field" in error["message"]


def test_missing_field_names_the_field(http) -> None:
    _, client = http
    error = _error(client.post("/api/v1/publish", json={"schema": V1}), 422)
    assert "fqn: required field is missing" in error["message"]


def test_wrong_enum_value_lists_the_choices(http, unique) -> None:
    _, client = http
    error = _error(
        client.post("/api/v1/publish", json={"fqn": unique("a"), "schema": V1, "format": "cobol"}), 422
    )
    assert "format" in error["message"]
    assert "jsonschema" in error["message"]


def test_body_that_is_not_json(http) -> None:
    _, client = http
    response = client.post(
        "/api/v1/publish", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert _error(response, 422)["code"] == "validation_error"


def test_invalid_schema_is_422_with_the_engine_message(http, unique) -> None:
    _, client = http
    error = _error(client.post("/api/v1/publish", json={"fqn": unique("a"), "schema": {"type": 12}}), 422)
    assert error["code"] == "invalid_schema"
    assert "invalid jsonschema schema" in error["message"]


def test_invalid_dbt_document(make_team, unique) -> None:
    team = make_team("p")
    with pytest.raises(ValidationError) as info:
        team.client.publish(unique("a"), {"columns": "nope"}, format="dbt")
    assert info.value.code == "invalid_schema"


def test_unknown_endpoint_is_404_in_the_error_shape(http) -> None:
    _, client = http
    error = _error(client.get("/api/v1/nope"), 404)
    assert "no such endpoint" in error["message"]


def test_wrong_method_is_405(http) -> None:
    _, client = http
    error = _error(client.delete("/api/v1/teams"), 405)
    assert "DELETE is not allowed" in error["message"]


def test_bad_uuid_in_path(http) -> None:
    _, client = http
    error = _error(client.get("/api/v1/proposals/not-a-uuid"), 422)
    assert "proposal_id" in error["message"]


def test_unknown_things_are_404(make_team, unique) -> None:
    team = make_team("p")
    with pytest.raises(NotFoundError, match="does not exist"):
        team.client.get_asset(unique("nope"))
    with pytest.raises(NotFoundError, match="does not exist"):
        team.client.gate(unique("nope"))
    with pytest.raises(NotFoundError):
        team.client.get_proposal(uuid.uuid4())
    with pytest.raises(NotFoundError, match="tessera team create"):
        team.client.publish(unique("x"), V1, owner_team=unique("ghost"))
    fqn = unique("x")
    team.client.publish(fqn, V1)
    with pytest.raises(NotFoundError, match="no registration"):
        team.client.unregister(fqn, consumer_ref="zzz")


def test_duplicate_team_is_409(admin_client, unique) -> None:
    name = unique("t")
    admin_client.create_team(name)
    with pytest.raises(ConflictError, match="already exists"):
        admin_client.create_team(name)


def test_bad_team_name(admin_client) -> None:
    with pytest.raises(ValidationError, match="name"):
        admin_client.create_team("spaces are not allowed")


def test_unknown_proposal_status_filter(make_team) -> None:
    team = make_team("p")
    with pytest.raises(ValidationError, match="open, blocked"):
        team.client.list_proposals(status="pending")


def test_creating_an_asset_needs_an_owner(make_team, unique) -> None:
    team = make_team("p")
    with pytest.raises(ValidationError, match="owner_team is required"):
        team.client.set_asset(unique("a"), mode="full")


def test_publishing_with_another_owner_than_the_asset_has(make_team, unique) -> None:
    a, b = make_team("a"), make_team("b")
    fqn = unique("x")
    a.client.publish(fqn, V1)
    with pytest.raises(ConflictError, match=f"owned by team '{a.name}'"):
        a.client.publish(fqn, V1, owner_team=b.name)


def test_duplicate_items_in_one_bulk(make_team, unique) -> None:
    team = make_team("p")
    fqn = unique("x")
    with pytest.raises(ValidationError, match="more than once"):
        team.client.bulk_publish([{"fqn": fqn, "schema": V1}, {"fqn": fqn, "schema": V1}])


def test_idempotency_key_replays_and_refuses_a_different_body(make_team, unique) -> None:
    team = make_team("p")
    fqn = unique("x")
    first = team.client.publish(fqn, V1, idempotency_key="k-1")
    again = team.client.publish(fqn, V1, idempotency_key="k-1")
    assert again == first
    assert [c.version for c in team.client.list_contracts(fqn)] == ["1.0.0"]
    with pytest.raises(ConflictError, match="different request"):
        team.client.publish(fqn, {"type": "object"}, idempotency_key="k-1")


def test_nul_characters_and_huge_numbers_are_not_500s(http, unique) -> None:
    _, client = http
    response = client.post("/api/v1/publish", json={"fqn": "a\u0000b" + unique("x"), "schema": V1})
    assert response.status_code < 500, response.text
    response = client.get("/api/v1/assets/a%00b/gate")
    assert response.status_code in (404, 422), response.text
    fqn = unique("x")
    assert client.post("/api/v1/publish", json={"fqn": fqn, "schema": V1}).status_code == 200
    _error(client.put(f"/api/v1/assets/{fqn}", json={"proposal_ttl_seconds": 10**15}), 422)
    _error(client.post("/api/v1/registrations", json={"fqn": fqn, "pinned_major": 2**70}), 422)


def test_naive_datetimes_are_refused_with_a_hint(http, admin_client, unique) -> None:
    name = unique("t")
    admin_client.create_team(name)
    response = httpx.post(
        f"{admin_client.base_url}/api/v1/keys",
        json={"team": name, "expires_at": "2999-01-01T00:00:00"},
        headers={"Authorization": f"Bearer {admin_client.api_key}"},
    )
    error = _error(response, 422)
    assert "expires_at" in error["message"]
    assert "timezone" in error["message"]
