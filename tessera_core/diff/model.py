"""Typed change records produced by the structural diff (no verdict)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tessera_core.types import Relation

#: The unconstrained schema, shared so that identity checks stay cheap.
EMPTY: dict[str, Any] = {}

_FLIP = {Relation.WIDENING: Relation.NARROWING, Relation.NARROWING: Relation.WIDENING}


@dataclass(frozen=True, slots=True)
class DiffRecord:
    """One structural change.

    ``kind`` is a :data:`tessera_core.diff.kinds.KINDS` id; ``path`` a JSON pointer into the
    canonical schema; ``relation`` the kind's relation in the document's orientation (flipped
    under ``x-tessera-reverse`` and ``not``); ``tolerant`` is set inside a tolerant-reader object.
    """

    kind: str
    path: str
    relation: Relation
    old: Any = None
    new: Any = None
    tolerant: bool = False


def flip(relation: Relation, reverse: bool = True) -> Relation:
    """``relation`` seen from the other direction (when ``reverse``)."""
    return _FLIP.get(relation, relation) if reverse else relation


def fold_relations(relations: Iterable[Relation]) -> Relation:
    """The relation of several independent changes taken together."""
    widening = narrowing = False
    for relation in relations:
        if relation is Relation.INCOMPARABLE:
            return Relation.INCOMPARABLE
        widening |= relation is Relation.WIDENING
        narrowing |= relation is Relation.NARROWING
    if widening and narrowing:
        return Relation.INCOMPARABLE
    if widening:
        return Relation.WIDENING
    if narrowing:
        return Relation.NARROWING
    return Relation.EQUIVALENT


def escape(token: str) -> str:
    """Escape one JSON-pointer reference token."""
    return token.replace("~", "~0").replace("/", "~1")
