"""The structural diff: walk two canonical schemas in parallel and list typed changes.

``diff_schemas(old, new)`` expects canonical schemas (:func:`normalize_jsonschema`). The walk
is a keyword -> handler dispatch (:data:`KEYWORD_HANDLERS`); each handler compares one group of
keywords of two nodes and appends :class:`DiffRecord` s. Recursive ``$ref`` pairs are memoised
and a pair already being compared is assumed equal (a fix-point, as Confluent does), so
recursive schemas terminate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tessera_core.diff.kinds import KINDS
from tessera_core.diff.model import EMPTY, DiffRecord, flip, fold_relations
from tessera_core.schema.vocabulary import (
    REVERSE,
    Node,
    canonical_json,
    is_annotation_key,
    is_unconstrained,
)
from tessera_core.types import Relation

Handler = Callable[
    ["DiffContext", dict[str, Any], dict[str, Any], str, bool, "Facts", list[DiffRecord]], None
]


class Facts:
    """What the type comparison of one node pair found out (read by later handlers)."""

    __slots__ = ("array", "enum", "numeric", "object", "sql", "string")

    def __init__(self) -> None:
        self.enum = False
        self.sql = False
        self.string = self.numeric = self.array = self.object = True


class DiffContext:
    """One diff run over an old and a new canonical root."""

    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        self.old_defs: dict[str, Any] = old_root.get("$defs", {})
        self.new_defs: dict[str, Any] = new_root.get("$defs", {})
        self.defs_equal = self.old_defs == self.new_defs
        self.memo: dict[tuple[str, str, bool], list[DiffRecord]] = {}
        self.active: set[tuple[str, str, bool]] = set()

    # -- records ------------------------------------------------------------------------

    @staticmethod
    def record(
        kind: str, path: str, reverse: bool, old: Any = None, new: Any = None, *, tolerant: bool = False
    ) -> DiffRecord:
        """A record of ``kind`` at ``path`` with the kind's relation (flipped when ``reverse``)."""
        return DiffRecord(kind, path, flip(KINDS[kind].relation, reverse), old, new, tolerant)

    @staticmethod
    def relation(records: Sequence[DiffRecord], reverse: bool) -> Relation:
        """Relation of a sub-schema pair, from its records, in the local orientation."""
        return flip(fold_relations(r.relation for r in records), reverse)

    # -- walking ------------------------------------------------------------------------

    def diff(self, old: Node, new: Node, path: str, reverse: bool) -> list[DiffRecord]:
        """All changes between two canonical sub-schemas."""
        if old is new or (self.defs_equal and old == new and type(old) is type(new)):
            return []
        old_ref = isinstance(old, dict) and "$ref" in old
        new_ref = isinstance(new, dict) and "$ref" in new
        if not (old_ref or new_ref):
            return self._diff_nodes(old, new, path, reverse)
        key = (
            old["$ref"] if old_ref else canonical_json(old),  # type: ignore[index]
            new["$ref"] if new_ref else canonical_json(new),  # type: ignore[index]
            reverse,
        )
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            return []  # cycle: assume equal; a real difference shows at a finite depth
        self.active.add(key)
        try:
            result = self._diff_nodes(
                self._deref(old, self.old_defs) if old_ref else old,
                self._deref(new, self.new_defs) if new_ref else new,
                path,
                reverse,
            )
        finally:
            self.active.discard(key)
        self.memo[key] = result
        return result

    @staticmethod
    def _deref(node: Any, defs: dict[str, Any]) -> Node:
        name = node["$ref"].removeprefix("#/$defs/")
        target: Node = defs.get(name, EMPTY)
        rest = {k: v for k, v in node.items() if k not in ("$ref", "$defs")}
        if not rest:
            return target
        if is_unconstrained(rest) and isinstance(target, dict):
            return {**target, **rest}
        return {"allOf": [target, rest]}

    def _diff_nodes(self, old: Node, new: Node, path: str, reverse: bool) -> list[DiffRecord]:
        if old is False and new is False:
            return []
        if (isinstance(old, dict) and old.get(REVERSE) is True) or (
            isinstance(new, dict) and new.get(REVERSE) is True
        ):
            reverse = not reverse
        if old is False:
            return [self.record("schema-allowed", path, reverse, False, new)]
        if new is False:
            return [self.record("schema-forbidden", path, reverse, old, False)]
        assert isinstance(old, dict)
        assert isinstance(new, dict)
        out: list[DiffRecord] = []
        if _pure(old, _UNIONS) or _pure(new, _UNIONS):
            handlers = (_union_view, *ANNOTATION_HANDLERS)
        elif _pure(old, _ALL_OF) or _pure(new, _ALL_OF):
            handlers = (_all_of_view, *ANNOTATION_HANDLERS)
        else:
            handlers = KEYWORD_HANDLERS
        facts = Facts()
        for handler in handlers:
            handler(self, old, new, path, reverse, facts, out)
        return out


_UNIONS = frozenset({"anyOf", "oneOf"})
_ALL_OF = frozenset({"allOf"})


def _pure(node: dict[str, Any], keys: frozenset[str]) -> bool:
    """Whether the only assertion of ``node`` is one of ``keys`` (a pure combinator)."""
    found = False
    for key in node:
        if key in keys:
            found = True
        elif not is_annotation_key(key):
            return False
    return found


def _union_view(
    ctx: DiffContext,
    old: dict[str, Any],
    new: dict[str, Any],
    path: str,
    rev: bool,
    facts: Facts,
    out: list[DiffRecord],
) -> None:
    from tessera_core.diff.combinators import diff_union_views

    diff_union_views(ctx, old, new, path, rev, out)


def _all_of_view(
    ctx: DiffContext,
    old: dict[str, Any],
    new: dict[str, Any],
    path: str,
    rev: bool,
    facts: Facts,
    out: list[DiffRecord],
) -> None:
    from tessera_core.diff.combinators import diff_all_of_views

    diff_all_of_views(ctx, old, new, path, rev, out)


def diff_schemas(old: dict[str, Any], new: dict[str, Any]) -> tuple[DiffRecord, ...]:
    """Structural changes from ``old`` to ``new`` (both canonical), each once, in walk order."""
    ctx = DiffContext(old, new)
    records = ctx.diff(old, new, "", False)
    seen: set[tuple[str, str]] = set()
    unique: list[DiffRecord] = []
    for record in records:
        if (record.kind, record.path) not in seen:
            seen.add((record.kind, record.path))
            unique.append(record)
    return tuple(unique)


def _handlers() -> tuple[tuple[Handler, ...], tuple[Handler, ...]]:
    from tessera_core.diff import combinators, scalars, structures

    annotations: tuple[Handler, ...] = (
        scalars.diff_annotations,
        scalars.diff_guarantees,
        scalars.diff_unknown,
    )
    keywords: tuple[Handler, ...] = (
        scalars.diff_sql_type,
        scalars.diff_enum,
        scalars.diff_type,
        scalars.diff_numbers,
        scalars.diff_counts,
        scalars.diff_strings,
        structures.diff_arrays,
        structures.diff_objects,
        combinators.diff_combinator_keywords,
        combinators.diff_not,
        combinators.diff_conditional,
        *annotations,
    )
    return annotations, keywords


ANNOTATION_HANDLERS, KEYWORD_HANDLERS = _handlers()
