"""Diff handlers for types, enums, numbers, strings, counts, annotations, guarantees, SQL types.

Every handler has the signature ``(ctx, old, new, path, reverse, facts, out)`` and appends
records to ``out``. ``facts`` carries what earlier handlers learned about the pair (which
type-specific keyword groups still apply).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tessera_core.diff.model import DiffRecord, escape
from tessera_core.schema.sql_lattice import compare_sql_types
from tessera_core.schema.vocabulary import (
    GUARANTEE_KEYWORDS,
    NON_NULL_TYPES,
    SEMANTIC_EXTENSIONS,
    SQL_TYPE,
    as_fraction,
    canonical_json,
    is_annotation_key,
    tightest_bound,
)
from tessera_core.types import Relation

if TYPE_CHECKING:
    from tessera_core.diff.engine import DiffContext, Facts

Schema = dict[str, Any]

#: Keywords some handler compares; any other non-annotation keyword is diffed as an annotation.
HANDLED_KEYWORDS: frozenset[str] = frozenset(
    {
        "type", "enum", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "multipleOf",
        "maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "uniqueItems", "contains",
        "minContains", "maxContains", "prefixItems", "items", "unevaluatedItems", "properties", "required",
        "additionalProperties", "unevaluatedProperties", "patternProperties", "propertyNames",
        "maxProperties", "minProperties", "dependentRequired", "dependentSchemas", "anyOf", "oneOf",
        "allOf", "not", "if", "then", "else", "$ref", "$defs",
    }
) | SEMANTIC_EXTENSIONS  # fmt: skip

_SQL_RELATION_KINDS = {
    Relation.WIDENING: "sql-type-widened",
    Relation.NARROWING: "sql-type-narrowed",
    Relation.INCOMPARABLE: "sql-type-changed",
}


def diff_sql_type(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """``x-sql-type`` on both sides: the SQL type lattice decides the type part of the node."""
    if SQL_TYPE not in old or SQL_TYPE not in new:
        return
    facts.sql = True
    old_type, new_type = old[SQL_TYPE], new[SQL_TYPE]
    if old_type == new_type:
        return
    relation = compare_sql_types(old_type, new_type)
    kind = _SQL_RELATION_KINDS.get(relation)
    if kind:
        out.append(ctx.record(kind, f"{path}/{SQL_TYPE}", rev, old_type, new_type))


def accepts_null(node: Schema) -> bool:
    """Whether ``null`` passes the node's type/enum (other keywords ignore null)."""
    if "enum" in node:
        return None in node["enum"]
    if "type" in node:
        return "null" in node["type"]
    return True


_NUMERIC = frozenset({"integer", "number"})


def _types(node: Schema) -> frozenset[str]:
    if "type" not in node:
        return NON_NULL_TYPES
    return frozenset(node["type"]) - {"null"}


def _covers(inner: frozenset[str], outer: frozenset[str]) -> bool:
    return all(t in outer or (t == "integer" and "number" in outer) for t in inner)


def diff_type(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Nullability always; the non-null type set unless an enum or the SQL lattice decides."""
    old_null, new_null = accepts_null(old), accepts_null(new)
    if old_null != new_null:
        out.append(ctx.record("became-nullable" if new_null else "became-not-nullable", f"{path}/type", rev))
    if facts.enum:
        return
    old_types, new_types = _types(old), _types(new)
    if old_types != new_types and not facts.sql:
        widened, narrowed = _covers(old_types, new_types), _covers(new_types, old_types)
        kind = "type-widened" if widened else "type-narrowed" if narrowed else "type-changed"
        out.append(ctx.record(kind, f"{path}/type", rev, old.get("type"), new.get("type")))
    both = old_types & new_types
    facts.string = "string" in both
    facts.numeric = bool(old_types & _NUMERIC and new_types & _NUMERIC)
    facts.array = "array" in both
    facts.object = "object" in both


def _enum_values(node: Schema) -> dict[str, Any]:
    return {canonical_json(v): v for v in node["enum"] if v is not None}


def _all_valid(ctx: DiffContext, values: dict[str, Any], schema: Schema, defs: dict[str, Any]) -> bool:
    from jsonschema import Draft202012Validator

    body = {k: v for k, v in schema.items() if not k.startswith("x-")}
    if "$ref" in canonical_json(body):
        body["$defs"] = defs
    validator = Draft202012Validator(body, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return all(validator.is_valid(v) for v in values.values())


def diff_enum(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Enums (and consts): values added/removed, or an enum appearing/disappearing."""
    if "enum" not in old and "enum" not in new:
        return
    facts.enum = True
    facts.string = facts.numeric = facts.array = facts.object = False
    where = f"{path}/enum"
    if "enum" in old and "enum" in new:
        old_values, new_values = _enum_values(old), _enum_values(new)
        added = [new_values[k] for k in new_values.keys() - old_values.keys()]
        removed = [old_values[k] for k in old_values.keys() - new_values.keys()]
        if added:
            out.append(ctx.record("enum-value-added", where, rev, None, sorted(added, key=canonical_json)))
        if removed:
            out.append(
                ctx.record("enum-value-removed", where, rev, sorted(removed, key=canonical_json), None)
            )
    elif "enum" in old:
        fits = _all_valid(ctx, _enum_values(old), new, ctx.new_defs)
        out.append(ctx.record("enum-removed" if fits else "enum-replaced", where, rev, old["enum"], None))
    else:
        fits = _all_valid(ctx, _enum_values(new), old, ctx.old_defs)
        out.append(ctx.record("enum-added" if fits else "enum-replaced", where, rev, None, new["enum"]))


def _bound_key(bound: tuple[float, bool], side: str) -> tuple[Any, int]:
    value, exclusive = bound
    # upper: larger key = wider; lower: larger key = narrower
    return as_fraction(value), (0 if exclusive else 1) if side == "upper" else (1 if exclusive else 0)


def diff_numbers(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Numeric bounds compared as intervals, and ``multipleOf`` by divisibility."""
    if not facts.numeric or facts.sql:
        return
    for side, name, keywords in (
        ("upper", "maximum", ("maximum", "exclusiveMaximum")),
        ("lower", "minimum", ("minimum", "exclusiveMinimum")),
    ):
        old_bound, new_bound = tightest_bound(old, side), tightest_bound(new, side)  # type: ignore[arg-type]
        if old_bound == new_bound:
            continue
        shown = new_bound or old_bound
        assert shown is not None
        where = f"{path}/{keywords[1] if shown[1] else keywords[0]}"
        old_value = old_bound[0] if old_bound else None
        new_value = new_bound[0] if new_bound else None
        if old_bound is None:
            kind = f"{name}-added"
        elif new_bound is None:
            kind = f"{name}-removed"
        elif _bound_key(new_bound, side) > _bound_key(old_bound, side):
            kind = f"{name}-increased"
        else:
            kind = f"{name}-decreased"
        out.append(ctx.record(kind, where, rev, old_value, new_value))
    old_step, new_step = old.get("multipleOf"), new.get("multipleOf")
    if old_step == new_step:
        return
    where = f"{path}/multipleOf"
    if old_step is None:
        kind = "multiple-of-added"
    elif new_step is None:
        kind = "multiple-of-removed"
    elif (as_fraction(old_step) / as_fraction(new_step)).denominator == 1:
        kind = "multiple-of-reduced"
    elif (as_fraction(new_step) / as_fraction(old_step)).denominator == 1:
        kind = "multiple-of-expanded"
    else:
        kind = "multiple-of-changed"
    out.append(ctx.record(kind, where, rev, old_step, new_step))


#: keyword, change-kind stem, keyword group (a ``Facts`` attribute), default when absent
_COUNTS: tuple[tuple[str, str, str, int | None], ...] = (
    ("maxLength", "max-length", "string", None),
    ("minLength", "min-length", "string", 0),
    ("maxItems", "max-items", "array", None),
    ("minItems", "min-items", "array", 0),
    ("maxProperties", "max-properties", "object", None),
    ("minProperties", "min-properties", "object", 0),
    ("maxContains", "max-contains", "array", None),
    ("minContains", "min-contains", "array", 1),
)


def diff_counts(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Length / item / property / contains counts: increased, decreased, added, removed."""
    contains_on_both = "contains" in old and "contains" in new
    for keyword, stem, group, default in _COUNTS:
        old_value, new_value = old.get(keyword, default), new.get(keyword, default)
        if old_value == new_value or not getattr(facts, group):
            continue
        if group == "string" and facts.sql:
            continue
        if keyword.endswith("Contains") and not contains_on_both:
            continue
        if keyword not in old:
            kind = f"{stem}-added"
        elif keyword not in new:
            kind = f"{stem}-removed"
        elif new.get(keyword, 0) > old.get(keyword, 0):
            kind = f"{stem}-increased"
        else:
            kind = f"{stem}-decreased"
        out.append(ctx.record(kind, f"{path}/{keyword}", rev, old.get(keyword), new.get(keyword)))


def diff_strings(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """``pattern`` (equal or not: regex inclusion is undecidable) and ``format``."""
    if not facts.string:
        return
    for keyword in ("pattern", "format"):
        if keyword == "format" and facts.sql:
            continue
        old_value, new_value = old.get(keyword), new.get(keyword)
        if old_value == new_value:
            continue
        stem = keyword
        kind = (
            f"{stem}-added"
            if old_value is None
            else f"{stem}-removed"
            if new_value is None
            else f"{stem}-changed"
        )
        out.append(ctx.record(kind, f"{path}/{keyword}", rev, old_value, new_value))


def diff_annotations(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Annotations: ``description``, ``title``, ``default``, ``deprecated``, ``x-*``..."""
    for key in old.keys() | new.keys():
        if not is_annotation_key(key):
            continue
        old_value, new_value = old.get(key), new.get(key)
        if old_value == new_value and (key in old) == (key in new):
            continue
        if key == "default":
            kind = "default-changed"
        elif key == "deprecated":
            if (old_value is True) == (new_value is True):
                continue
            kind = "deprecated-added" if new_value is True else "deprecated-removed"
        else:
            kind = "annotation-changed"
        out.append(ctx.record(kind, f"{path}/{escape(key)}", rev, old_value, new_value))


def diff_guarantees(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Data guarantees: adding one narrows what producers may write, removing one widens it."""
    for key in GUARANTEE_KEYWORDS:
        old_value, new_value = old.get(key), new.get(key)
        if old_value == new_value:
            continue
        if isinstance(old_value, list) and isinstance(new_value, list):
            old_items = {canonical_json(v) for v in old_value}
            new_items = {canonical_json(v) for v in new_value}
            more, fewer = bool(new_items - old_items), bool(old_items - new_items)
            kind = (
                "guarantee-changed" if more and fewer else "guarantee-added" if more else "guarantee-removed"
            )
        elif old_value in (None, False, []):
            kind = "guarantee-added"
        elif new_value in (None, False, []):
            kind = "guarantee-removed"
        else:
            kind = "guarantee-changed"
        out.append(ctx.record(kind, f"{path}/{key}", rev, old_value, new_value))


def diff_unknown(
    ctx: DiffContext, old: Schema, new: Schema, path: str, rev: bool, facts: Facts, out: list[DiffRecord]
) -> None:
    """Keywords no validator asserts (unknown vocabularies) change nothing: annotations."""
    for key in old.keys() | new.keys():
        if key in HANDLED_KEYWORDS or is_annotation_key(key):
            continue
        if old.get(key) != new.get(key):
            out.append(
                ctx.record("annotation-changed", f"{path}/{escape(key)}", rev, old.get(key), new.get(key))
            )
