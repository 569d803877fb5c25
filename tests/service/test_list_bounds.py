"""Paging parameters out of any database's range are refused with a 422 that names them (never a 500)."""

from __future__ import annotations

import httpx


def test_an_absurd_offset_is_a_clear_422(tessera_server) -> None:
    base_url, admin_key = tessera_server
    answer = httpx.get(
        f"{base_url}/api/v1/assets",
        params={"offset": 7455449609391748153344, "limit": 10},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert answer.status_code == 422
    assert "query.offset" in answer.json()["error"]["message"]
    within = httpx.get(
        f"{base_url}/api/v1/assets",
        params={"offset": 1_000_000_000, "limit": 10},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert within.status_code == 200
    assert within.json() == []
