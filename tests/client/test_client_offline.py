"""The client's I/O-free half: request building and error mapping, through ``httpx.MockTransport``.

(Workflow behaviour is tested against the real service in ``tests/service``.)
"""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest

import tessera_core
from tessera_core.client import (
    AsyncTesseraClient,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
    TesseraAPIError,
    TesseraClient,
    ValidationError,
)


def _error(status: int, code: str = "x", message: str = "boom") -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "details": {"a": 1}}})


@pytest.mark.parametrize(
    ("status", "exc"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ValidationError),
        (500, TesseraAPIError),
        (503, ServiceUnavailableError),
    ],
    ids=lambda v: str(v) if isinstance(v, int) else v.__name__,
)
def test_error_statuses_map_to_the_exception_tree(status: int, exc: type[TesseraAPIError]) -> None:
    client = TesseraClient("http://t", "k", transport=httpx.MockTransport(lambda r: _error(status)))
    with pytest.raises(exc) as info:
        client.list_teams()
    assert isinstance(info.value, tessera_core.TesseraError)
    assert info.value.status == status
    assert info.value.code == "x"
    assert "boom" in info.value.message
    assert info.value.details == {"a": 1}


def test_non_json_error_body_keeps_the_text() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(ServiceUnavailableError) as info:
        TesseraClient("http://t", transport=transport).list_teams()
    assert "bad gateway" in info.value.message
    assert "http://t/api/v1/teams" in info.value.message


def test_connection_failure_names_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # nothing listens on the port any more
    with pytest.raises(ServiceUnavailableError) as info:
        TesseraClient(f"http://127.0.0.1:{port}", "k", timeout=5).gate("a.b")
    assert f"http://127.0.0.1:{port}/api/v1/assets/a.b/gate" in str(info.value)
    assert info.value.url.startswith(f"http://127.0.0.1:{port}")


def test_requests_carry_the_key_the_path_and_the_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"fqn": "api.GET./users/{id}", "outcome": "published", "version": "1.0.0"}
        )

    client = TesseraClient("http://t/", "secret", transport=httpx.MockTransport(handler))
    result = client.publish(
        "api.GET./users/{id}", {"type": "object"}, owner_team="core", idempotency_key="abc"
    )
    assert result.outcome == "published"
    request = seen[0]
    assert request.headers["authorization"] == "Bearer secret"
    assert request.headers["idempotency-key"] == "abc"
    assert request.url.path == "/api/v1/publish"
    body = json.loads(request.content)
    assert body == {
        "fqn": "api.GET./users/{id}",
        "format": "jsonschema",
        "schema": {"type": "object"},
        "owner_team": "core",
    }


def test_fqn_is_escaped_in_paths() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"fqn": "x", "state": "clear"})

    TesseraClient("http://t", transport=httpx.MockTransport(handler)).gate("api.GET./users/{id}")
    assert seen == ["/api/v1/assets/api.GET.%2Fusers%2F%7Bid%7D/gate"]


def test_gate_with_etag_returns_the_remembered_answer_on_304() -> None:
    calls: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("if-none-match"))
        if request.headers.get("if-none-match") == '"e1"':
            return httpx.Response(304)
        return httpx.Response(
            200, json={"fqn": "a", "state": "pending", "etag": "e1"}, headers={"ETag": '"e1"'}
        )

    client = TesseraClient("http://t", transport=httpx.MockTransport(handler))
    first = client.gate("a")
    second = client.gate("a", etag=first.etag)
    assert calls == [None, '"e1"']
    assert second.state == "pending"
    assert second.not_modified
    assert not first.not_modified


def test_bad_items_fail_locally_with_a_tessera_validation_error() -> None:
    client = TesseraClient("http://t", transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    with pytest.raises(ValidationError, match="fqn"):
        client.bulk_publish([{"schema": {}}])
    with pytest.raises(ValidationError, match="not sent"):
        client.publish("a.b", {}, format="cobol")


def test_async_client_shares_the_mapping() -> None:
    async def run() -> None:
        transport = httpx.MockTransport(lambda r: _error(403, "forbidden", "not yours"))
        async with AsyncTesseraClient("http://t", "k", transport=transport) as client:
            with pytest.raises(PermissionDeniedError, match="not yours"):
                await client.get_asset("a.b")

    asyncio.run(run())
