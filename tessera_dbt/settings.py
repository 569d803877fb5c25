"""Where the dbt integration finds the service: ``TESSERA_URL`` and ``TESSERA_API_KEY``, from the
environment of the Python process only (never through Jinja, where dbt would log or cache them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tessera_dbt.errors import ConfigurationError

if TYPE_CHECKING:
    from tessera_core.client import TesseraClient

ENV_URL = "TESSERA_URL"
ENV_API_KEY = "TESSERA_API_KEY"
USER_AGENT = "tessera-dbt/0.1"


def client_from_env(environ: Mapping[str, str] | None = None) -> TesseraClient:
    """A client for ``TESSERA_URL`` authenticated with ``TESSERA_API_KEY``; says what to set if missing."""
    from tessera_core.client import TesseraClient

    env = os.environ if environ is None else environ
    url = env.get(ENV_URL, "").strip()
    key = env.get(ENV_API_KEY, "").strip()
    if not url:
        raise ConfigurationError(
            f"{ENV_URL} is not set: export {ENV_URL}=https://tessera.example.com and {ENV_API_KEY}=<key> "
            "in the environment that runs dbt"
        )
    if not key:
        raise ConfigurationError(
            f"{ENV_API_KEY} is not set: export an API key of your team (tessera keys create) in the "
            "environment that runs dbt"
        )
    return TesseraClient(url, key, user_agent=USER_AGENT)
