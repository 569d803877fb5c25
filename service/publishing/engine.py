"""The only door to the compatibility engine (tessera_core); the service never judges schemas itself.

The engine is imported on first use (it is the heaviest part of tessera_core).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.errors import Unprocessable
from tessera_core import InvalidSchemaError, Mode
from tessera_core.types import Bump, SchemaFormat, Severity

log = logging.getLogger("tessera.service")


@dataclass(frozen=True)
class Verdict:
    """The engine's judgement of a new schema against an asset's history, in wire-ready form."""

    breaking: bool
    changes: list[dict[str, Any]]
    bump: Bump

    @property
    def breaking_changes(self) -> list[dict[str, Any]]:
        """The changes that violate the asset's mode."""
        return [c for c in self.changes if c["severity"] == Severity.BREAKING]


def canonicalize(document: Any, format: SchemaFormat | str) -> dict[str, Any]:
    """Normalize a source document to canonical JSON Schema; 422 with the engine's message when it cannot."""
    from tessera_core import normalize

    try:
        return normalize(document, format)
    except InvalidSchemaError as exc:
        raise Unprocessable(
            f"invalid {format} schema: {exc}", code="invalid_schema", format=str(format)
        ) from exc
    except Exception as exc:  # a document the normalizer chokes on is still bad input, not a 500
        log.warning("normalizer failed on a %s document", format, exc_info=True)
        raise Unprocessable(
            f"invalid {format} schema: {type(exc).__name__}: {exc}", code="invalid_schema", format=str(format)
        ) from exc


def fingerprint(schema: dict[str, Any], guarantees: dict[str, Any] | None) -> str:
    """Identity of a contract's content: the canonical schema plus its guarantees."""
    blob = json.dumps(
        {"schema": schema, "guarantees": guarantees or {}}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def same_document(a: Any, b: Any) -> bool:
    """Whether two JSON documents are the same value: equal, with the same JSON types at every place
    (``1``, ``1.0`` and ``true`` differ, unlike Python's ``==``); object key order does not matter."""
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return len(a) == len(b) and all(k in b and same_document(v, b[k]) for k, v in a.items())
    if kind is list:
        return len(a) == len(b) and all(map(same_document, a, b))
    return bool(a == b)


def judge(mode: str, history: Sequence[dict[str, Any]], new: dict[str, Any]) -> Verdict:
    """Judge ``new`` against the asset's history (oldest..newest) under the asset's ``mode``.

    Every schema here is canonical: the output of :func:`canonicalize` or a canonical schema the
    service stored (contracts, proposals). So the engine is told not to normalize them again
    (``CanonicalSchema.trusted``) and costs one structural diff.
    """
    from tessera_core import CanonicalSchema, check_compatibility, check_transitive_compatibility

    policy = Mode(mode)
    trusted = CanonicalSchema.trusted
    try:
        if policy.transitive:
            report = check_transitive_compatibility([trusted(h) for h in history], trusted(new), policy)
        else:
            report = check_compatibility(trusted(history[-1]), trusted(new), policy)
    except InvalidSchemaError as exc:
        raise Unprocessable(f"cannot compare schemas: {exc}", code="invalid_schema") from exc
    except Exception as exc:  # keep the service answering; the log has the engine's traceback
        log.error("compatibility engine failed", exc_info=True)
        raise Unprocessable(
            f"the compatibility engine could not compare these schemas ({type(exc).__name__}: {exc})",
            code="invalid_schema",
        ) from exc
    changes = [
        {
            "rule": c.rule,
            "path": c.path,
            "severity": str(c.severity),
            "message": c.message,
            "relation": str(c.relation) if c.relation is not None else None,
            "field": c.field,
        }
        for c in report.changes
    ]
    return Verdict(breaking=not report.compatible, changes=changes, bump=Bump(report.suggested_bump))


def next_version(current: str | None, bump: Bump) -> str:
    """The version after ``current`` for ``bump`` (``1.0.0`` first)."""
    from tessera_core.versioning import next_version as _next_version

    return _next_version(current, bump)
