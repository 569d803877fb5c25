"""``normalize(document, format)``: any supported source format to canonical JSON Schema.

Format normalizers other than JSON Schema live in their own modules and are imported on first
use (:data:`NORMALIZERS`), so a missing or broken one only affects its own format.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from tessera_core.errors import InvalidSchemaError, TesseraError
from tessera_core.schema.canonical_schema import CanonicalSchema
from tessera_core.schema.jsonschema import normalize_jsonschema
from tessera_core.types import SchemaFormat

#: Format -> (module, function) producing canonical JSON Schema from a document of that format.
NORMALIZERS: dict[SchemaFormat, tuple[str, str]] = {
    SchemaFormat.JSONSCHEMA: ("tessera_core.schema.jsonschema", "normalize_jsonschema"),
    SchemaFormat.DBT: ("tessera_core.schema.dbt", "canonical_dbt_schema"),  # one pass, same result
    SchemaFormat.AVRO: ("tessera_core.schema.avro", "normalize_avro"),
    SchemaFormat.OPENAPI: ("tessera_core.schema.openapi", "normalize_openapi"),
}

#: File suffixes that decide the format on their own.
_SUFFIX_FORMATS: dict[str, SchemaFormat] = {".avsc": SchemaFormat.AVRO}


def schema_format(value: SchemaFormat | str) -> SchemaFormat:
    """Parse a format name; raises :class:`InvalidSchemaError` for unknown ones."""
    try:
        return SchemaFormat(value)
    except ValueError:
        known = ", ".join(f.value for f in SchemaFormat)
        raise InvalidSchemaError(f"unknown schema format {value!r}; expected one of {known}") from None


def _normalizer(fmt: SchemaFormat) -> Callable[[Any], dict[str, Any]]:
    module_name, function_name = NORMALIZERS[fmt]
    try:
        module = importlib.import_module(module_name)
        function: Callable[[Any], dict[str, Any]] = getattr(module, function_name)
    except (ImportError, AttributeError):
        raise TesseraError(f"the {fmt.value} normalizer is not available in this installation") from None
    return function


def normalize(document: Any, format: SchemaFormat | str = SchemaFormat.JSONSCHEMA) -> CanonicalSchema:
    """Normalize ``document`` of the given format to canonical JSON Schema 2020-12.

    The result is a :class:`~tessera_core.schema.canonical_schema.CanonicalSchema`: a read-only
    dict that :func:`tessera_core.check_compatibility` compares without normalizing it again.
    Store it as JSON and wrap it with ``CanonicalSchema.trusted(...)`` when loading it back.
    Raises :class:`InvalidSchemaError` when the document is not valid for its format.
    """
    fmt = schema_format(format)
    if fmt is SchemaFormat.JSONSCHEMA:
        return normalize_jsonschema(document)
    return normalize_jsonschema(_normalizer(fmt)(document))


def detect_format(document: Any, filename: str | None = None) -> SchemaFormat:
    """Guess the format of a parsed document (and its file name, when known).

    ``.avsc`` files and ``{"type": "record"}`` documents are Avro; documents with an ``openapi``
    (or ``swagger``) key are OpenAPI; documents with ``models`` or ``columns`` are dbt; anything
    else is JSON Schema.
    """
    if filename:
        for suffix, fmt in _SUFFIX_FORMATS.items():
            if filename.lower().endswith(suffix):
                return fmt
    if isinstance(document, dict):
        if document.get("type") == "record" or (
            document.get("type") in ("enum", "fixed") and "name" in document
        ):
            return SchemaFormat.AVRO
        if "openapi" in document or "swagger" in document:
            return SchemaFormat.OPENAPI
        if "models" in document or "columns" in document:
            return SchemaFormat.DBT
    return SchemaFormat.JSONSCHEMA
