"""The vocabulary of canonical schemas, and read-only helpers over canonical nodes.

Shared by the normalizer (:mod:`tessera_core.schema.jsonschema`, :mod:`tessera_core.schema.canonicalize`)
and the structural diff (:mod:`tessera_core.diff`): which keywords hold sub-schemas, which are
annotations, the extension keys with engine semantics, and what a node's content model is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Literal, TypeAlias

#: A canonical sub-schema: a dict, or ``False`` (nothing is valid). ``True`` is always ``{}``.
Node: TypeAlias = "dict[str, Any] | bool"

ContentModel = Literal["open", "closed", "partially-open"]

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

#: Keywords whose value is one sub-schema.
SINGLE_SCHEMA_KEYWORDS: frozenset[str] = frozenset(
    {
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "contains",
        "not",
        "if",
        "then",
        "else",
        "additionalItems",
    }
)
#: Keywords whose value is a list of sub-schemas.
LIST_SCHEMA_KEYWORDS: frozenset[str] = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
#: Keywords whose value maps names (or patterns) to sub-schemas.
MAP_SCHEMA_KEYWORDS: frozenset[str] = frozenset({"properties", "patternProperties", "dependentSchemas"})

#: Keywords that never change which documents are valid.
ANNOTATION_KEYWORDS: frozenset[str] = frozenset(
    {
        "title",
        "description",
        "examples",
        "example",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
        "default",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$vocabulary",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
        "discriminator",
        "xml",
        "externalDocs",
    }
)

#: Data guarantees carried as extension keys: adding one narrows, removing one widens.
GUARANTEE_KEYWORDS: frozenset[str] = frozenset({"x-unique", "x-primary-key", "x-checks", "x-relationship"})
SQL_TYPE = "x-sql-type"
REVERSE = "x-tessera-reverse"
TOLERANT = "x-tessera-tolerant"
#: Former names of a property (Avro field ``aliases``): an annotation that lets the diff match a
#: renamed property with its old name.
ALIASES = "x-aliases"
#: Extension keys with engine semantics (every other ``x-*`` key is an annotation).
SEMANTIC_EXTENSIONS: frozenset[str] = GUARANTEE_KEYWORDS | {SQL_TYPE, REVERSE, TOLERANT}

#: The JSON types other than ``null`` (nullability is tracked on its own).
NON_NULL_TYPES: frozenset[str] = frozenset({"array", "boolean", "integer", "number", "object", "string"})
#: Patterns that match every string.
TRIVIAL_PATTERNS: frozenset[str] = frozenset({"", ".*", "^.*$", "^.*", ".*$", "(.*)", "^(.*)$", "[\\s\\S]*"})


def is_annotation_key(key: str) -> bool:
    """Whether ``key`` is an annotation (never affects which documents are valid)."""
    if key.startswith("x-"):
        return key not in SEMANTIC_EXTENSIONS
    return key in ANNOTATION_KEYWORDS


def is_unconstrained(node: Node) -> bool:
    """Whether ``node`` accepts every document (``{}`` or annotations only)."""
    if isinstance(node, bool):
        return node
    return all(is_annotation_key(key) or key in (REVERSE, TOLERANT) for key in node)


_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """A deterministic JSON text used to sort and deduplicate values and schemas."""
    return _CANONICAL_ENCODER.encode(value)


def content_model(node: Mapping[str, Any]) -> ContentModel:
    """The content model of an object schema.

    ``open``: any extra property is accepted as is; ``closed``: no property outside
    ``properties``; ``partially-open``: extra properties must match a schema
    (``additionalProperties: {...}``, ``patternProperties``, ``unevaluatedProperties: {...}``).
    """
    if "patternProperties" in node:
        return "partially-open"
    catch_all = node.get("additionalProperties", node.get("unevaluatedProperties", {}))
    if catch_all is False:
        return "closed"
    return "open" if is_unconstrained(catch_all) else "partially-open"


def catch_all_schema(node: Mapping[str, Any], name: str) -> Node:
    """The schema a property ``name`` not listed in ``properties`` must satisfy."""
    matching = [
        schema for pattern, schema in node.get("patternProperties", {}).items() if _search(pattern, name)
    ]
    if len(matching) == 1:
        return matching[0]  # type: ignore[no-any-return]
    if matching:
        return {"allOf": matching}
    if "additionalProperties" in node:
        return node["additionalProperties"]  # type: ignore[no-any-return]
    return node.get("unevaluatedProperties", {})  # type: ignore[no-any-return]


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def as_fraction(value: float | int) -> Fraction:
    """The exact decimal value of a JSON number (``0.1`` is 1/10, not the binary float)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def tightest_bound(node: Mapping[str, Any], side: Literal["upper", "lower"]) -> tuple[float, bool] | None:
    """The effective numeric bound of ``node`` as ``(value, exclusive)``, or ``None``."""
    inclusive_key, exclusive_key = (
        ("maximum", "exclusiveMaximum") if side == "upper" else ("minimum", "exclusiveMinimum")
    )
    candidates: list[tuple[float, bool]] = []
    if isinstance(node.get(inclusive_key), (int, float)) and not isinstance(node.get(inclusive_key), bool):
        candidates.append((node[inclusive_key], False))
    if isinstance(node.get(exclusive_key), (int, float)) and not isinstance(node.get(exclusive_key), bool):
        candidates.append((node[exclusive_key], True))
    if not candidates:
        return None
    if side == "upper":  # smaller value wins; on a tie the exclusive bound is tighter
        return min(candidates, key=lambda c: (c[0], 0 if c[1] else 1))
    return max(candidates, key=lambda c: (c[0], 1 if c[1] else 0))
