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
from tessera_core.compat.check import Change as Change
from tessera_core.compat.check import CompatibilityReport as CompatibilityReport
from tessera_core.compat.check import check_compatibility as check_compatibility
from tessera_core.compat.check import check_transitive_compatibility as check_transitive_compatibility
from tessera_core.compat.rules import RULES as RULES
from tessera_core.compat.rules import Rule as Rule
from tessera_core.errors import InvalidSchemaError as InvalidSchemaError
from tessera_core.errors import TesseraError as TesseraError
from tessera_core.schema.avro import normalize_avro as normalize_avro
from tessera_core.schema.canonical_schema import CanonicalSchema as CanonicalSchema
from tessera_core.schema.dbt import normalize_dbt as normalize_dbt
from tessera_core.schema.jsonschema import normalize_jsonschema as normalize_jsonschema
from tessera_core.schema.normalize import detect_format as detect_format
from tessera_core.schema.normalize import normalize as normalize
from tessera_core.schema.openapi import normalize_openapi as normalize_openapi
from tessera_core.schema.openapi import openapi_operations as openapi_operations
from tessera_core.schema.sql_types import compare_sql_types as compare_sql_types
from tessera_core.schema.sql_types import parse_sql_type as parse_sql_type
from tessera_core.types import Bump as Bump
from tessera_core.types import Mode as Mode
from tessera_core.types import Relation as Relation
from tessera_core.types import SchemaFormat as SchemaFormat
from tessera_core.types import Severity as Severity
from tessera_core.versioning import next_version as next_version

__all__ = [
    "RULES",
    "AsyncTesseraClient",
    "AuthenticationError",
    "Bump",
    "CanonicalSchema",
    "Change",
    "CompatibilityReport",
    "ConflictError",
    "InvalidSchemaError",
    "Mode",
    "NotFoundError",
    "PermissionDeniedError",
    "Relation",
    "Rule",
    "SchemaFormat",
    "ServiceUnavailableError",
    "Severity",
    "TesseraAPIError",
    "TesseraClient",
    "TesseraError",
    "ValidationError",
    "check_compatibility",
    "check_transitive_compatibility",
    "compare_sql_types",
    "detect_format",
    "next_version",
    "normalize",
    "normalize_avro",
    "normalize_dbt",
    "normalize_jsonschema",
    "normalize_openapi",
    "openapi_operations",
    "parse_sql_type",
]
