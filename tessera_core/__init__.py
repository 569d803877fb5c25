"""Tessera's pure core: canonical schemas, the compatibility engine, wire models and the client.

The names below are the public API; everything else is internal. ``tests/core/test_public_api.py``
keeps ``__all__`` honest.
"""

from __future__ import annotations

from tessera_core.errors import InvalidSchemaError as InvalidSchemaError
from tessera_core.errors import TesseraError as TesseraError
from tessera_core.types import Bump as Bump
from tessera_core.types import Mode as Mode
from tessera_core.types import Relation as Relation
from tessera_core.types import SchemaFormat as SchemaFormat
from tessera_core.types import Severity as Severity

__all__ = [
    "Bump",
    "InvalidSchemaError",
    "Mode",
    "Relation",
    "SchemaFormat",
    "Severity",
    "TesseraError",
]
