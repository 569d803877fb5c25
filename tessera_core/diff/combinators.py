"""Diff handlers for ``anyOf`` / ``oneOf`` / ``allOf`` (bipartite matching), ``not``, ``if/then/else``.

Branches are matched like Confluent does: each (old, new) branch pair is diffed, pairs whose
relation is known (not incomparable) are matched, equivalent pairs first; the records of matched
pairs are reported. An unmatched branch is reported as added/removed unless another branch of
the other side already covers it, which keeps the verdict sound for every mode:
``L(old) ⊆ L(new)`` holds when every reported record widens.

``oneOf`` is compared like ``anyOf`` when the branches on both sides are pairwise disjoint by
JSON type (then exclusivity is automatic). When some branches may overlap, any change to the list
is ``one-of-changed`` (incomparable): a document could start matching two branches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tessera_core.diff.model import EMPTY, DiffRecord
from tessera_core.schema.vocabulary import canonical_json, is_annotation_key
from tessera_core.types import Relation

if TYPE_CHECKING:
    from tessera_core.diff.engine import DiffContext, Facts

Schema = dict[str, Any]

_ALL_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_SUBSET = (Relation.EQUIVALENT, Relation.WIDENING)  # old ⊆ new
_SUPERSET = (Relation.EQUIVALENT, Relation.NARROWING)  # new ⊆ old
_UNION_KEYS = ("anyOf", "oneOf")
_BRANCH_KINDS = {
    "anyOf": ("any-of-branch-added", "any-of-branch-removed"),
    "oneOf": ("one-of-branch-added", "one-of-branch-removed"),
}


def _footprint(branch: Any) -> frozenset[str]:
    """JSON types a branch can accept (``number`` includes ``integer``)."""
    if branch is False:
        return frozenset()
    if "enum" in branch:
        return frozenset(_value_type(v) for v in branch["enum"])
    if "type" in branch:
        types = set(branch["type"])
        if "number" in types:
            types.add("integer")
        return frozenset(types)
    return _ALL_TYPES


def _value_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(value), "object")


def exclusive(branches: list[Any]) -> bool:
    """Whether ``oneOf`` branches are pairwise disjoint by type (so oneOf == anyOf)."""
    seen: set[str] = set()
    for branch in branches:
        footprint = _footprint(branch)
        if seen & footprint:
            return False
        seen |= footprint
    return True


def _assertions(node: Schema) -> Schema:
    return {k: v for k, v in node.items() if not is_annotation_key(k)}


def _union_key(node: Schema) -> str | None:
    return next((k for k in _UNION_KEYS if k in node), None)


def _match(
    ctx: DiffContext,
    olds: list[Any],
    news: list[Any],
    new_paths: list[str],
    rev: bool,
) -> tuple[dict[int, int], list[list[Relation]], dict[tuple[int, int], list[DiffRecord]]]:
    relations: list[list[Relation]] = []
    records: dict[tuple[int, int], list[DiffRecord]] = {}
    candidates: list[tuple[int, int, int, int]] = []
    for i, old in enumerate(olds):
        row: list[Relation] = []
        for j, new in enumerate(news):
            found = ctx.diff(old, new, new_paths[j], rev)
            relation = ctx.relation(found, rev)
            row.append(relation)
            records[i, j] = found
            if relation is not Relation.INCOMPARABLE:
                candidates.append((0 if relation is Relation.EQUIVALENT else 1, len(found), i, j))
        relations.append(row)
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, _, i, j in sorted(candidates):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs, relations, records


def _diff_lists(
    ctx: DiffContext,
    olds: list[Any],
    news: list[Any],
    old_paths: list[str],
    new_paths: list[str],
    rev: bool,
    kinds: tuple[str, str],
    conjunctive: bool,
    out: list[DiffRecord],
) -> None:
    """Match two branch lists; ``kinds`` = (added, removed) change kinds."""
    if ctx.defs_equal and olds == news:
        return
    pairs, relations, records = _match(ctx, olds, news, new_paths, rev)
    matched_new = set(pairs.values())
    # disjunction: an unmatched old branch is harmless if inside some new branch; conjunction: the reverse
    old_ok, new_ok = (_SUPERSET, _SUBSET) if conjunctive else (_SUBSET, _SUPERSET)
    for i in range(len(olds)):
        if i in pairs:
            out += records[i, pairs[i]]
        elif not any(relation in old_ok for relation in relations[i]):
            out.append(ctx.record(kinds[1], old_paths[i], rev, olds[i], None))
    for j in range(len(news)):
        if j not in matched_new and not any(relations[i][j] in new_ok for i in range(len(olds))):
            out.append(ctx.record(kinds[0], new_paths[j], rev, None, news[j]))


def _same_branches(olds: list[Any], news: list[Any]) -> bool:
    """Equal as ``oneOf`` lists: same distinct branches, each once or repeated on both sides.

    A branch present twice can never be the single match, so only "once" vs "repeated" matters.
    """

    def classes(branches: list[Any]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for branch in branches:
            key = canonical_json(branch)
            counts[key] = min(counts.get(key, 0) + 1, 2)
        return counts

    return classes(olds) == classes(news)


def _overlapping_one_of(old_key: str | None, olds: list[Any], new_key: str | None, news: list[Any]) -> bool:
    return (old_key == "oneOf" and not exclusive(olds)) or (new_key == "oneOf" and not exclusive(news))


def diff_union_views(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, out: list[DiffRecord]
) -> None:
    """At least one side is a pure ``anyOf``/``oneOf``: the other is a one-branch union."""
    old_key, new_key = _union_key(old), _union_key(new)
    olds = old[old_key] if old_key else [_assertions(old)]
    news = new[new_key] if new_key else [_assertions(new)]
    if old_key == "oneOf" and new_key == "anyOf":
        out.append(ctx.record("one-of-became-any-of", path, rev))
    elif old_key == "anyOf" and new_key == "oneOf":
        out.append(ctx.record("any-of-became-one-of", path, rev))
    if not (ctx.defs_equal and _same_branches(olds, news)) and _overlapping_one_of(
        old_key, olds, new_key, news
    ):
        out.append(ctx.record("one-of-changed", path, rev, olds, news))
        return
    old_paths = [f"{path}/{old_key}/{i}" if old_key else path for i in range(len(olds))]
    new_paths = [f"{path}/{new_key}/{j}" if new_key else path for j in range(len(news))]
    added = _BRANCH_KINDS[new_key or old_key or "anyOf"][0]
    removed = _BRANCH_KINDS[old_key or new_key or "anyOf"][1]
    _diff_lists(ctx, olds, news, old_paths, new_paths, rev, (added, removed), False, out)


def diff_all_of_views(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, out: list[DiffRecord]
) -> None:
    """At least one side is a pure ``allOf``: the other is a one-conjunct ``allOf``."""
    olds = old["allOf"] if "allOf" in old and len(_assertions(old)) == 1 else [_assertions(old)]
    news = new["allOf"] if "allOf" in new and len(_assertions(new)) == 1 else [_assertions(new)]
    old_paths = [f"{path}/allOf/{i}" if len(olds) > 1 or "allOf" in old else path for i in range(len(olds))]
    new_paths = [f"{path}/allOf/{j}" if len(news) > 1 or "allOf" in new else path for j in range(len(news))]
    kinds = ("all-of-conjunct-added", "all-of-conjunct-removed")
    _diff_lists(ctx, olds, news, old_paths, new_paths, rev, kinds, True, out)


def diff_combinator_keywords(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """``anyOf``/``oneOf``/``allOf`` next to other keywords (absent union = ``[{}]``, absent allOf = ``[]``)."""
    for key in _UNION_KEYS:
        if key in old or key in new:
            olds, news = old.get(key, [EMPTY]), new.get(key, [EMPTY])
            if key == "oneOf" and _overlapping_one_of(key, olds, key, news):
                if not (ctx.defs_equal and _same_branches(olds, news)):
                    out.append(ctx.record("one-of-changed", f"{path}/oneOf", rev, olds, news))
                continue
            old_paths = [f"{path}/{key}/{i}" for i in range(len(olds))]
            new_paths = [f"{path}/{key}/{j}" for j in range(len(news))]
            _diff_lists(ctx, olds, news, old_paths, new_paths, rev, _BRANCH_KINDS[key], False, out)
    if "allOf" in old or "allOf" in new:
        olds, news = old.get("allOf", []), new.get("allOf", [])
        old_paths = [f"{path}/allOf/{i}" for i in range(len(olds))]
        new_paths = [f"{path}/allOf/{j}" for j in range(len(news))]
        kinds = ("all-of-conjunct-added", "all-of-conjunct-removed")
        _diff_lists(ctx, olds, news, old_paths, new_paths, rev, kinds, True, out)


def diff_not(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """``not``: the inner schemas are compared in the opposite direction."""
    if "not" in old and "not" in new:
        out += ctx.diff(old["not"], new["not"], f"{path}/not", not rev)
    elif "not" in old or "not" in new:
        kind = "not-added" if "not" in new else "not-removed"
        out.append(ctx.record(kind, f"{path}/not", rev, old.get("not"), new.get("not")))


def diff_conditional(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """``if``/``then``/``else``: branches compared when the condition is unchanged."""
    old_if, new_if = old.get("if"), new.get("if")
    if old_if is None and new_if is None:
        return
    if old_if is not None and new_if is not None and canonical_json(old_if) == canonical_json(new_if):
        for key in ("then", "else"):
            out += ctx.diff(old.get(key, EMPTY), new.get(key, EMPTY), f"{path}/{key}", rev)
        return
    kind = (
        "conditional-added"
        if old_if is None
        else "conditional-removed"
        if new_if is None
        else "conditional-changed"
    )
    out.append(ctx.record(kind, f"{path}/if", rev, old_if, new_if))
