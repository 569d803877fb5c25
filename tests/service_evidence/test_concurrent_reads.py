"""Many concurrent readers: every gate read is answered, none waits for a connection that never frees.

Integrations poll gates (DESIGN.md §4: "many sensors poll it"); 64 readers at once is a small fleet of
sensors. The service runs as a real ``tessera serve`` process on the embedded default (SQLite, default pool),
and every one of 64 x 25 concurrent gate reads must be answered 200.

Regression test: before the service answered gate reads in one worker-thread hop, a request kept its pooled
connection until its session dependency's teardown, which waited for a free worker thread; with more requests
in flight than pooled connections (SQLite: 5 + 10 overflow) threads waited for connections held by requests
waiting for threads, until the pool's 30 s checkout timeout ended in 500s.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service_evidence.processes import services

READERS = 64
ROUNDS = 25


@pytest.mark.slow
def test_64_concurrent_gate_readers_are_all_answered(tmp_path: Path) -> None:
    admin_key = "tsk_reads_" + secrets.token_urlsafe(24)
    with services(f"sqlite:///{tmp_path / 'tessera.db'}", admin_key, 1, tmp_path) as (url,):
        headers = {"Authorization": f"Bearer {admin_key}"}
        fqns = [f"gate.read.t{i}" for i in range(8)]
        with httpx.Client(base_url=f"{url}/api/v1", headers=headers, timeout=60) as client:
            for fqn in fqns:
                body = {"fqn": fqn, "schema": {"type": "object"}, "owner_team": "admin"}
                client.post("/publish", json=body).raise_for_status()
        statuses = asyncio.run(_read_concurrently(url, headers, fqns))
    assert statuses == [200] * (READERS * ROUNDS), {str(s): statuses.count(s) for s in set(statuses)}


async def _read_concurrently(url: str, headers: dict[str, str], fqns: list[str]) -> list[Any]:
    limits = httpx.Limits(max_connections=READERS, max_keepalive_connections=READERS)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as http:

        async def read(index: int) -> list[Any]:
            statuses: list[Any] = []
            for round_ in range(ROUNDS):
                try:
                    response = await http.get(f"/api/v1/assets/{fqns[(index + round_) % len(fqns)]}/gate")
                    statuses.append(response.status_code)
                except httpx.TransportError as exc:
                    statuses.append(type(exc).__name__)
            return statuses

        answers = await asyncio.gather(*(read(i) for i in range(READERS)))
    return [s for a in answers for s in a]
