"""Tessera's pure core: canonical schemas, the compatibility engine, wire models and the client.

The names below are the public API; everything else is internal. ``tests/core/test_public_api.py``
keeps ``__all__`` honest.
"""

from __future__ import annotations

from tessera_core.client import AsyncTesseraClient as AsyncTesseraClient
from tessera_core.client import AuthenticationError as AuthenticationError
from tessera_core.client import ConflictError as ConflictError
from tessera_core.client import NotFoundError as NotFoundError
from tessera_core.client import PermissionDeniedError as PermissionDeniedError
from tessera_core.client import ServiceUnavailableError as ServiceUnavailableError
from tessera_core.client import TesseraAPIError as TesseraAPIError
from tessera_core.client import TesseraClient as TesseraClient
from tessera_core.client import ValidationError as ValidationError
from tessera_core.errors import InvalidSchemaError as InvalidSchemaError
from tessera_core.errors import TesseraError as TesseraError
from tessera_core.schema.avro import normalize_avro as normalize_avro
from tessera_core.schema.dbt import normalize_dbt as normalize_dbt
from tessera_core.schema.openapi import normalize_openapi as normalize_openapi
from tessera_core.schema.openapi import openapi_operations as openapi_operations
from tessera_core.schema.sql_types import compare_sql_types as compare_sql_types
from tessera_core.schema.sql_types import parse_sql_type as parse_sql_type
from tessera_core.types import Bump as Bump
from tessera_core.types import Mode as Mode
from tessera_core.types import Relation as Relation
from tessera_core.types import SchemaFormat as SchemaFormat
from tessera_core.types import Severity as Severity

__all__ = [
    "AsyncTesseraClient",
    "AuthenticationError",
    "Bump",
    "ConflictError",
    "InvalidSchemaError",
    "Mode",
    "NotFoundError",
    "PermissionDeniedError",
    "Relation",
    "SchemaFormat",
    "ServiceUnavailableError",
    "Severity",
    "TesseraAPIError",
    "TesseraClient",
    "TesseraError",
    "ValidationError",
    "compare_sql_types",
    "normalize_avro",
    "normalize_dbt",
    "normalize_openapi",
    "openapi_operations",
    "parse_sql_type",
]
