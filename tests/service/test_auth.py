"""API keys over real HTTP: 401 (missing / unknown / expired / revoked) vs 403 (scope / team)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tessera_core import AuthenticationError, PermissionDeniedError, TesseraClient, ValidationError


def test_missing_key_is_401_with_a_hint(tessera_server) -> None:
    response = httpx.get(f"{tessera_server.base_url}/api/v1/teams")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "Authorization: Bearer" in error["message"]


def test_unknown_key_is_401(tessera_server) -> None:
    with (
        TesseraClient(tessera_server.base_url, "tsk_not_a_real_key") as client,
        pytest.raises(AuthenticationError, match="unknown API key"),
    ):
        client.list_teams()


def test_malformed_authorization_header_is_401(tessera_server) -> None:
    response = httpx.get(f"{tessera_server.base_url}/api/v1/teams", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]["message"]


def test_revoked_key_stops_working_at_once(make_team, admin_client) -> None:
    team = make_team()
    assert team.client.list_teams()
    key = next(k for k in admin_client.list_keys(team.name))
    revoked = admin_client.revoke_key(key.id)
    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError, match="revoked"):
        team.client.list_teams()


def test_expired_key_is_401(tessera_server, admin_client, unique) -> None:
    name = unique("team")
    admin_client.create_team(name)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    key = admin_client.create_key(name, ["read"], expires_at=soon).token
    import time

    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.2)
    with (
        TesseraClient(tessera_server.base_url, key) as client,
        pytest.raises(AuthenticationError, match="expired"),
    ):
        client.list_teams()


def test_key_expiring_in_the_past_is_refused(admin_client, unique) -> None:
    name = unique("team")
    admin_client.create_team(name)
    with pytest.raises(ValidationError, match="past"):
        admin_client.create_key(name, ["read"], expires_at=datetime.now(UTC) - timedelta(days=1))


def test_read_key_cannot_write_403(make_team, unique) -> None:
    reader = make_team("reader", scopes=("read",))
    with pytest.raises(PermissionDeniedError, match="'write' scope"):
        reader.client.register(unique("some.asset"))


def test_team_keys_cannot_manage_teams_403(make_team, unique) -> None:
    team = make_team()
    with pytest.raises(PermissionDeniedError, match="'admin' scope"):
        team.client.create_team(unique("other"))
    with pytest.raises(PermissionDeniedError):
        team.client.create_key(team.name, ["admin"])


def test_a_team_cannot_register_for_another_team_403(make_team, unique) -> None:
    a, b = make_team("a"), make_team("b")
    with pytest.raises(PermissionDeniedError, match=f"team '{a.name}' may not"):
        a.client.register(unique("x.y"), team=b.name)


def test_tokens_are_shown_once_and_stored_as_digests(admin_client, make_team) -> None:
    team = make_team()
    keys = admin_client.list_keys(team.name)
    assert len(keys) == 1
    dumped = keys[0].model_dump()
    assert "token" not in dumped
    assert team.key.startswith(keys[0].prefix)


def test_last_used_is_recorded(make_team, admin_client) -> None:
    team = make_team()
    team.client.list_teams()
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        key = admin_client.list_keys(team.name)[0]
        if key.last_used_at is not None:
            break
        time.sleep(0.05)
    assert key.last_used_at is not None
