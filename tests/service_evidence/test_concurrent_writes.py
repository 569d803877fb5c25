"""Many concurrent writers: every publish and registration is answered, none ends in a pool timeout.

A request session holds its pooled connection from the endpoint's worker thread until its teardown in
another one; without a bound on in-flight request sessions, 64 writers against a 15-connection pool
deadlocked worker threads against connections and ended in HTTP 500 (``QueuePool limit ... reached``),
503 and dropped connections. The service runs as a real ``tessera serve`` process on the embedded default.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service_evidence.processes import services

WRITERS = 64
ROUNDS = 3


@pytest.mark.slow
def test_64_concurrent_writers_are_all_answered(tmp_path: Path) -> None:
    admin_key = "tsk_writes_" + secrets.token_urlsafe(24)
    with services(f"sqlite:///{tmp_path / 'tessera.db'}", admin_key, 1, tmp_path) as (url,):
        statuses = asyncio.run(_write_concurrently(url, {"Authorization": f"Bearer {admin_key}"}))
        with httpx.Client(
            base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {admin_key}"}
        ) as client:
            versions = {
                i: [c["version"] for c in client.get(f"/assets/w.t{i}/contracts").json()]
                for i in range(WRITERS)
            }
    assert statuses == [200] * (WRITERS * ROUNDS * 2), {str(s): statuses.count(s) for s in set(statuses)}
    # every writer's compatible publishes landed, in order: 1.0.0 then two minor versions
    assert all(sorted(v) == ["1.0.0", "1.1.0", "1.2.0"] for v in versions.values()), versions


async def _write_concurrently(url: str, headers: dict[str, str]) -> list[Any]:
    limits = httpx.Limits(max_connections=WRITERS, max_keepalive_connections=WRITERS)
    async with httpx.AsyncClient(
        base_url=f"{url}/api/v1", headers=headers, limits=limits, timeout=120
    ) as http:

        async def write(index: int) -> list[Any]:
            statuses: list[Any] = []
            columns: dict[str, Any] = {}
            for round_ in range(ROUNDS):
                columns[f"c{round_}"] = {"type": "integer"}
                publish = {
                    "fqn": f"w.t{index}",
                    "schema": {"type": "object", "properties": dict(columns), "additionalProperties": False},
                    "owner_team": "admin",
                }
                register = {"fqn": f"w.t{index}", "team": "admin", "consumer_ref": f"ref{round_}"}
                for path, body in (("/publish", publish), ("/registrations", register)):
                    try:
                        statuses.append((await http.post(path, json=body)).status_code)
                    except httpx.TransportError as exc:
                        statuses.append(type(exc).__name__)
            return statuses

        answers = await asyncio.gather(*(write(i) for i in range(WRITERS)))
    return [s for a in answers for s in a]
