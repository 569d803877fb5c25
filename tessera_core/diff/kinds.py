"""Every kind of structural change the diff can report, with its set relation.

The relation is a fact about the two schemas (old -> new), not a verdict: ``widening`` means
every document valid under the old node is valid under the new one. ``tolerant`` kinds are the
property additions/removals (and content-model changes) that tolerant readers do not notice;
the compatibility layer may excuse them (lenient policy, ``x-tessera-tolerant`` objects).
Severity and messages live in :mod:`tessera_core.compat.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from tessera_core.types import Relation

W, N, X, A = Relation.WIDENING, Relation.NARROWING, Relation.INCOMPARABLE, Relation.ANNOTATION


@dataclass(frozen=True, slots=True)
class ChangeKind:
    """One kind of change: stable kebab-case id, relation (old -> new), tolerant-reader flag."""

    id: str
    relation: Relation
    tolerant: bool = False


def _counts() -> list[ChangeKind]:
    kinds: list[ChangeKind] = []
    for name in ("length", "items", "properties", "contains"):
        kinds += [
            ChangeKind(f"max-{name}-increased", W),
            ChangeKind(f"max-{name}-decreased", N),
            ChangeKind(f"max-{name}-added", N),
            ChangeKind(f"max-{name}-removed", W),
            ChangeKind(f"min-{name}-increased", N),
            ChangeKind(f"min-{name}-decreased", W),
            ChangeKind(f"min-{name}-added", N),
            ChangeKind(f"min-{name}-removed", W),
        ]
    return kinds


_KINDS: list[ChangeKind] = [
    # whole sub-schemas
    ChangeKind("schema-allowed", W),
    ChangeKind("schema-forbidden", N),
    # types and nullability
    ChangeKind("type-widened", W),
    ChangeKind("type-narrowed", N),
    ChangeKind("type-changed", X),
    ChangeKind("became-nullable", W),
    ChangeKind("became-not-nullable", N),
    # enums (const is a one-value enum)
    ChangeKind("enum-value-added", W),
    ChangeKind("enum-value-removed", N),
    ChangeKind("enum-added", N),
    ChangeKind("enum-removed", W),
    ChangeKind("enum-replaced", X),
    # numbers
    ChangeKind("maximum-increased", W),
    ChangeKind("maximum-decreased", N),
    ChangeKind("maximum-added", N),
    ChangeKind("maximum-removed", W),
    ChangeKind("minimum-increased", N),
    ChangeKind("minimum-decreased", W),
    ChangeKind("minimum-added", N),
    ChangeKind("minimum-removed", W),
    ChangeKind("multiple-of-added", N),
    ChangeKind("multiple-of-removed", W),
    ChangeKind("multiple-of-reduced", W),
    ChangeKind("multiple-of-expanded", N),
    ChangeKind("multiple-of-changed", X),
    # counts: lengths, items, properties, contains
    *_counts(),
    # strings
    ChangeKind("pattern-added", N),
    ChangeKind("pattern-removed", W),
    ChangeKind("pattern-changed", X),
    ChangeKind("format-added", N),
    ChangeKind("format-removed", W),
    ChangeKind("format-changed", X),
    # arrays
    ChangeKind("unique-items-added", N),
    ChangeKind("unique-items-removed", W),
    ChangeKind("contains-added", N),
    ChangeKind("contains-removed", W),
    # objects
    ChangeKind("property-added", W, tolerant=True),
    ChangeKind("property-removed", N, tolerant=True),
    ChangeKind("property-added-to-open-model", N, tolerant=True),
    ChangeKind("property-removed-from-open-model", W, tolerant=True),
    ChangeKind("property-renamed", W, tolerant=True),
    ChangeKind("required-added", N),
    ChangeKind("required-removed", W),
    ChangeKind("additional-properties-closed", N, tolerant=True),
    ChangeKind("additional-properties-opened", W, tolerant=True),
    ChangeKind("additional-properties-narrowed", N, tolerant=True),
    ChangeKind("additional-properties-widened", W, tolerant=True),
    ChangeKind("unevaluated-properties-closed", N, tolerant=True),
    ChangeKind("unevaluated-properties-opened", W, tolerant=True),
    ChangeKind("unevaluated-properties-narrowed", N, tolerant=True),
    ChangeKind("unevaluated-properties-widened", W, tolerant=True),
    ChangeKind("pattern-property-added", N),
    ChangeKind("pattern-property-removed", W),
    ChangeKind("dependent-required-added", N),
    ChangeKind("dependent-required-removed", W),
    ChangeKind("dependent-schema-added", N),
    ChangeKind("dependent-schema-removed", W),
    # combinators
    ChangeKind("any-of-branch-added", W),
    ChangeKind("any-of-branch-removed", N),
    ChangeKind("one-of-branch-added", W),
    ChangeKind("one-of-branch-removed", N),
    ChangeKind("one-of-changed", X),
    ChangeKind("one-of-became-any-of", W),
    ChangeKind("any-of-became-one-of", N),
    ChangeKind("all-of-conjunct-added", N),
    ChangeKind("all-of-conjunct-removed", W),
    ChangeKind("not-added", N),
    ChangeKind("not-removed", W),
    ChangeKind("conditional-added", N),
    ChangeKind("conditional-removed", W),
    ChangeKind("conditional-changed", X),
    # annotations
    ChangeKind("annotation-changed", A),
    ChangeKind("default-changed", A),
    ChangeKind("deprecated-added", A),
    ChangeKind("deprecated-removed", A),
    # data guarantees (x-unique, x-primary-key, x-checks, x-relationship)
    ChangeKind("guarantee-added", N),
    ChangeKind("guarantee-removed", W),
    ChangeKind("guarantee-changed", X),
    # SQL types (x-sql-type on both sides, decided by the type lattice)
    ChangeKind("sql-type-widened", W),
    ChangeKind("sql-type-narrowed", N),
    ChangeKind("sql-type-changed", X),
]

#: Change kind id -> :class:`ChangeKind`, in catalogue order.
KINDS: MappingProxyType[str, ChangeKind] = MappingProxyType({kind.id: kind for kind in _KINDS})
