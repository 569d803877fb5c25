"""Concurrency on PostgreSQL: two real service processes sharing one fresh database.

Two ``tessera serve`` processes (uvicorn, separate OS processes, so only the database serializes them)
listen on free loopback ports and share a new PostgreSQL database migrated with ``tessera db upgrade``.

* 32 publishers publish 32 different schemas of ONE asset at the same moment, split across both processes;
  half of them also retry their request at once on the other process with the same Idempotency-Key.
  Versions must be strictly increasing, none lost (every 2xx answer's version exists), none duplicated
  (every version belongs to exactly one publisher), and every answer is a 2xx or a documented 409
  (``idempotency_conflict``: the retry raced its original).
* The last consent, many times over: every consumer of a proposal acknowledges at the same moment, each
  twice (once per process). Exactly one publish must happen per proposal, and a late duplicate answer can
  only get the documented 409 ``proposal_closed``.

PostgreSQL only: skipped when ``TESSERA_TEST_DATABASE_URL`` is unset (CI always sets it).
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
import pytest

from tests.postgres import fresh_postgres_database
from tests.service_evidence.processes import services

POSTGRES_ENV = "TESSERA_TEST_DATABASE_URL"
PUBLISHERS = 32
CONSUMERS = 8
ROUNDS = 4

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get(POSTGRES_ENV),
        reason=f"needs PostgreSQL: set {POSTGRES_ENV} (CI does; `.ci/run` shows how to start a throwaway cluster)",
    ),
]


class Cluster(NamedTuple):
    """Two service processes on one database."""

    urls: tuple[str, str]
    admin_key: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two ``tessera serve`` processes on one fresh, migrated PostgreSQL database."""
    admin_key = "tsk_conc_" + secrets.token_urlsafe(24)
    workdir = tmp_path_factory.mktemp("tessera-procs")
    with (
        fresh_postgres_database(os.environ[POSTGRES_ENV], "tessera_conc") as database_url,
        services(database_url, admin_key, 2, workdir, TESSERA_POOL_SIZE="20") as urls,
    ):
        yield Cluster((urls[0], urls[1]), admin_key)


def _together(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run every task in its own thread, released at the same instant; their results (or exceptions)."""
    barrier = threading.Barrier(len(tasks))
    results: list[Any] = [None] * len(tasks)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = tasks[index]()
        except Exception as exc:  # reported by the assertions of the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def _api(url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=120)


def _team(cluster: Cluster, prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with _api(cluster.urls[0], cluster.admin_key) as admin:
        admin.post("/teams", json={"name": name}).raise_for_status()
        token = admin.post("/keys", json={"team": name, "scopes": ["read", "write"]}).json()["token"]
    return name, token


def _schema(columns: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {c: {"type": "string"} for c in columns},
        "required": ["id"],
    }


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def test_two_processes_share_one_database(cluster: Cluster) -> None:
    name, _ = _team(cluster, "visible")
    for url in cluster.urls:
        with _api(url, cluster.admin_key) as client:
            assert name in [t["name"] for t in client.get("/teams").json()]


def test_32_concurrent_publishers_on_one_asset(cluster: Cluster) -> None:
    _, token = _team(cluster, "producer")
    fqn = f"warehouse.concurrent.t_{uuid.uuid4().hex[:8]}"
    with _api(cluster.urls[0], token) as client:
        first = client.post("/publish", json={"fqn": fqn, "schema": _schema(["id"])}).json()
    assert first["version"] == "1.0.0"

    def publisher(index: int, url: str, idempotency_key: str) -> httpx.Response:
        body = {"fqn": fqn, "schema": _schema(["id", f"c{index}"])}
        with _api(url, token) as client:
            return client.post("/publish", json=body, headers={"Idempotency-Key": idempotency_key})

    tasks: list[Callable[[], Any]] = []
    owners: list[int] = []
    for index in range(PUBLISHERS):
        key = f"pub-{index}-{uuid.uuid4().hex}"
        url = cluster.urls[index % 2]
        tasks.append(lambda i=index, u=url, k=key: publisher(i, u, k))
        owners.append(index)
        if index % 2 == 0:  # a retry of the same request, at once, on the other process
            other = cluster.urls[(index + 1) % 2]
            tasks.append(lambda i=index, u=other, k=key: publisher(i, u, k))
            owners.append(index)
    responses = _together(tasks)

    errors = [r for r in responses if not isinstance(r, httpx.Response)]
    assert not errors, errors
    unexpected = [
        (r.status_code, r.text)
        for r in responses
        if not (200 <= r.status_code < 300)
        and not (r.status_code == 409 and r.json()["error"]["code"] == "idempotency_conflict")
    ]
    assert not unexpected, unexpected

    answered: dict[str, set[int]] = {}
    for owner, response in zip(owners, responses, strict=True):
        if response.status_code == 200:
            body = response.json()
            assert body["outcome"] == "published", body
            answered.setdefault(body["version"], set()).add(owner)
    # none duplicated: each version was produced for exactly one publisher (a replayed retry repeats it)
    assert all(len(who) == 1 for who in answered.values()), answered
    # every publisher got at least one 2xx answer
    assert sorted(i for who in answered.values() for i in who) == list(range(PUBLISHERS))

    with _api(cluster.urls[1], token) as client:
        contracts = list(reversed(client.get(f"/assets/{fqn}/contracts").json()))
        audit = client.get("/audit", params={"asset": fqn, "limit": 1000}).json()
    versions = [c["version"] for c in contracts]
    assert len(versions) == PUBLISHERS + 1
    assert len(set(versions)) == len(versions)
    assert all(_semver(a) < _semver(b) for a, b in itertools.pairwise(versions)), versions
    # none lost: exactly the versions the publishers were told about, plus the first
    assert set(versions) == {"1.0.0", *answered}
    assert [c["status"] for c in contracts] == ["deprecated"] * PUBLISHERS + ["active"]
    published = [e["payload"]["version"] for e in audit if e["action"] == "contract.published"]
    assert sorted(published, key=_semver) == versions


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_last_consents_publish_exactly_once(cluster: Cluster, round_: int) -> None:
    _, producer_key = _team(cluster, "producer")
    consumers = [_team(cluster, "consumer") for _ in range(CONSUMERS)]
    fqn = f"warehouse.consent.t_{uuid.uuid4().hex[:8]}"
    with _api(cluster.urls[0], producer_key) as client:
        client.post("/publish", json={"fqn": fqn, "schema": _schema(["id", "email"])}).raise_for_status()
    for _, key in consumers:
        with _api(cluster.urls[1], key) as client:
            client.post("/registrations", json={"fqn": fqn}).raise_for_status()
    with _api(cluster.urls[0], producer_key) as client:
        proposed = client.post("/publish", json={"fqn": fqn, "schema": _schema(["id"])}).json()
    assert proposed["outcome"] == "proposed"
    assert sorted(proposed["awaiting"]) == sorted(name for name, _ in consumers)
    proposal_id = proposed["proposal_id"]

    def ack(url: str, key: str) -> httpx.Response:
        with _api(url, key) as client:
            return client.post(f"/proposals/{proposal_id}/acknowledge", json={"decision": "approved"})

    tasks = [lambda u=url, k=key: ack(u, k) for _, key in consumers for url in cluster.urls]
    responses = _together(tasks)
    errors = [r for r in responses if not isinstance(r, httpx.Response)]
    assert not errors, errors
    unexpected = [
        (r.status_code, r.text)
        for r in responses
        if not (200 <= r.status_code < 300)
        and not (r.status_code == 409 and r.json()["error"]["code"] == "proposal_closed")
    ]
    assert not unexpected, unexpected
    # the proposal needed every team: each was heard (200) on at least one of the two processes
    for index, (name, _) in enumerate(consumers):
        pair = responses[2 * index : 2 * index + 2]
        assert any(r.status_code == 200 for r in pair), (name, [r.text for r in pair])

    with _api(cluster.urls[1], producer_key) as client:
        proposal = client.get(f"/proposals/{proposal_id}").json()
        contracts = client.get(f"/assets/{fqn}/contracts").json()
        audit = client.get("/audit", params={"asset": fqn, "limit": 1000}).json()
    assert proposal["status"] == "published"
    assert proposal["published_version"] == "2.0.0"
    assert [c["version"] for c in contracts] == ["2.0.0", "1.0.0"]
    publishes = [
        e
        for e in audit
        if e["action"] == "contract.published" and e["payload"].get("proposal_id") == proposal_id
    ]
    assert len(publishes) == 1, publishes
    assert [e["action"] for e in audit].count("proposal.published") == 1
