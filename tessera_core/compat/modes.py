"""Which relations each mode accepts (DESIGN.md §3, defined by instance-set inclusion)."""

from __future__ import annotations

from types import MappingProxyType

from tessera_core.types import Mode, Relation

_E, _W, _N, _X, _A = (
    Relation.EQUIVALENT,
    Relation.WIDENING,
    Relation.NARROWING,
    Relation.INCOMPARABLE,
    Relation.ANNOTATION,
)

#: Base mode -> relations a change may have without breaking it.
ACCEPTED: MappingProxyType[Mode, frozenset[Relation]] = MappingProxyType(
    {
        Mode.BACKWARD: frozenset({_E, _A, _W}),  # L(old) ⊆ L(new): new readers read old data
        Mode.FORWARD: frozenset({_E, _A, _N}),  # L(new) ⊆ L(old): old readers read new data
        Mode.FULL: frozenset({_E, _A}),
        Mode.NONE: frozenset({_E, _A, _W, _N, _X}),
    }
)


def accepts(mode: Mode, relation: Relation) -> bool:
    """Whether a change with ``relation`` is compatible under ``mode`` (transitive modes use their base)."""
    return relation in ACCEPTED[mode.base]
