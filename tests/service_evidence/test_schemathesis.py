"""Fuzz the HTTP API with schemathesis against the service's own OpenAPI spec: no 500s, ever.

The real service (the shared ``tessera_server`` fixture: SQLite, and PostgreSQL when configured) is called
over loopback with an admin key, so every operation is reachable, for valid and invalid inputs alike. Each
operation gets a bounded number of examples (``TESSERA_FUZZ_EXAMPLES``, default 25) so the whole run takes a
minute or two. The one check is schemathesis' ``not_a_server_error``: bad input must be a 4xx that says what
to fix, never a 500.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

EXAMPLES = int(os.environ.get("TESSERA_FUZZ_EXAMPLES", "25"))


def _openapi_document() -> dict[str, Any]:
    """The app's own OpenAPI document (building the app touches no database; the lifespan would)."""
    from service.app import create_app
    from service.settings import Settings

    return create_app(Settings(database_url="sqlite:///unused-by-openapi.db")).openapi()


schema = schemathesis.openapi.from_dict(_openapi_document())


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any, tessera_server: Any) -> None:
    case.call_and_validate(
        base_url=tessera_server.base_url,
        headers={"Authorization": f"Bearer {tessera_server.admin_key}"},
        checks=[not_a_server_error],
        timeout=60,
    )
