"""dbt plugin entry point: dbt imports top-level ``dbt_*`` modules; this one delegates to tessera_dbt.

Kept tiny on purpose: dbt imports it on every command. Everything that talks to Tessera is imported
only when a ``tessera_*`` macro actually emits a payload.
"""

from __future__ import annotations

from tessera_dbt.plugin import TesseraPlugin

plugins = [TesseraPlugin]
