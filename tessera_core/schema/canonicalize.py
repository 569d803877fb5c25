"""Local canonicalization: the rules that make one schema object canonical once its children are.

Canonical JSON Schema 2020-12 is a subset of JSON Schema in which equal meaning is (as far as
cheaply decidable) equal structure:

* sub-schemas are dicts, or ``False`` (nothing valid); ``True`` is written ``{}``;
* ``type`` is absent (any type) or a sorted list, ``integer`` dropped when ``number`` is present;
* ``const`` is a one-value ``enum``; ``enum`` values are deduplicated, sorted, filtered by the
  node's other assertions, which are then dropped (the enum says it all);
* OpenAPI ``nullable: true`` becomes ``"null"`` in ``type`` (or ``null`` in ``enum``);
* numeric bounds are the tightest interval: one lower and one upper bound, inclusive or exclusive,
  and inclusive integers when the type is ``integer`` (``exclusiveMaximum: 11`` == ``maximum: 10``);
* internal ``$ref`` is inlined; only recursive references stay, as ``#/$defs/<name>``;
* draft-07 input is upgraded: ``definitions``, ``dependencies``, tuple ``items`` + ``additionalItems``
  (-> ``prefixItems`` + ``items``), draft-04 boolean ``exclusiveMaximum``;
* trivial keywords are dropped (``minLength: 0``, ``pattern: ".*"``, ``additionalProperties: true``,
  ``{}`` properties of open objects, ``false`` properties of closed ones, trailing tuple items equal to
  ``items``...), single-branch ``anyOf``/``oneOf``/``allOf`` are unwrapped, ``allOf`` conjuncts merge
  into their parent when that keeps the meaning, branch lists are sorted and deduplicated;
* every object has an explicit content model through ``additionalProperties`` /
  ``patternProperties`` / ``unevaluatedProperties`` (see :func:`~tessera_core.schema.vocabulary.content_model`).

:func:`canonicalize_node` applies these rules to one node; :func:`conjoin` builds the canonical
conjunction of two canonical nodes (``allOf`` merging, ``$ref`` siblings).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.vocabulary import (
    NON_NULL_TYPES,
    SEMANTIC_EXTENSIONS,
    TRIVIAL_PATTERNS,
    Node,
    as_fraction,
    canonical_json,
    content_model,
    is_annotation_key,
    is_unconstrained,
    tightest_bound,
)

#: Keywords that only make sense together in one schema object: merging two ``allOf``
#: conjuncts must not split a group across them (``additionalProperties`` sees only the
#: ``properties`` of its own object).
_DEPENDENT_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"properties", "patternProperties", "additionalProperties"}),
    frozenset({"prefixItems", "items"}),
    frozenset({"contains", "minContains", "maxContains"}),
    frozenset({"if", "then", "else"}),
)
_NEVER_MERGE: frozenset[str] = frozenset({"unevaluatedProperties", "unevaluatedItems", "$ref"})

#: Assertion keywords whose meaning is fully captured by a filtered ``enum``.
_ENUM_ABSORBS_EXCEPT: frozenset[str] = frozenset({"enum", "$ref"})

_TRIVIAL_VALUES: dict[str, Any] = {
    "minLength": 0,
    "minItems": 0,
    "minProperties": 0,
    "uniqueItems": False,
    "minContains": 1,
}


def canonicalize_node(node: dict[str, Any]) -> Node:
    """Canonicalize one schema object whose sub-schemas are already canonical."""
    return canonicalize_owned(dict(node))


#: Keywords that need the structural steps (draft upgrades, nullable, combinators).
_STRUCTURAL_KEYWORDS = frozenset({"_tuple", "_additionalItems", "nullable", "anyOf", "oneOf", "allOf", "not"})


def canonicalize_owned(out: dict[str, Any]) -> Node:
    """:func:`canonicalize_node` on a dict the caller hands over (it is modified, not copied).

    Each step runs only when its keywords are present: most nodes of wide schemas are leaves
    with a type, bounds and annotations, and this runs once per node.
    """
    if not out.keys().isdisjoint(_STRUCTURAL_KEYWORDS):
        _upgrade_items(out)
        _nullable(out)
        if not _combinators(out):
            return False
        merged = _merge_all_of(out)
        if not isinstance(merged, dict):
            return False
        out = merged
    if "type" in out and not _types(out):
        return False
    _bounds(out)
    _trivia(out)
    if "properties" in out or "patternProperties" in out:
        _objects(out)
    if "prefixItems" in out:
        _arrays(out)
    if "enum" in out and not _enum_canonical(out):
        return False
    if "not" in out and isinstance(out["not"], dict) and is_unconstrained(out["not"]):
        return False
    return dict(sorted(out.items()))


def _upgrade_items(out: dict[str, Any]) -> None:
    additional = out.pop("_additionalItems", None)
    if out.pop("_tuple", False) and additional is not None:
        out["items"] = additional
    # additionalItems without tuple items is ignored by every draft


def _nullable(out: dict[str, Any]) -> None:
    nullable = out.pop("nullable", None)
    if nullable is True:
        if "type" in out and "null" not in out["type"]:
            out["type"] = [*out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]


def _sorted_unique(schemas: Iterable[Node]) -> list[Node]:
    seen: dict[str, Node] = {}
    for schema in schemas:
        seen.setdefault(canonical_json(schema), schema)
    return [seen[k] for k in sorted(seen)]


def _combinators(out: dict[str, Any]) -> bool:
    """Simplify anyOf/oneOf/allOf/not in place; ``False`` when the node can match nothing."""
    for key in ("anyOf", "oneOf"):
        if key not in out:
            continue
        branches = [b for b in out[key] if b is not False]
        if not branches:
            return False
        if key == "anyOf" and any(is_unconstrained(b) for b in branches):
            del out[key]
            continue
        out[key] = _sorted_unique(branches) if key == "anyOf" else _sorted_oneof(branches)
    if "allOf" in out:
        conjuncts = [c for c in out["allOf"] if not is_unconstrained(c)]
        if any(c is False for c in conjuncts):
            return False
        out["allOf"] = _sorted_unique(conjuncts)
    if "not" in out and out["not"] is False:
        del out["not"]
    return True


def _sorted_oneof(branches: list[Node]) -> list[Node]:
    # duplicates matter for oneOf (a value matching two equal branches is invalid), so keep them
    return sorted(branches, key=canonical_json)


def _merge_all_of(out: dict[str, Any]) -> Node:
    """Merge single-branch unions and ``allOf`` conjuncts into the node when that is exact."""
    for key in ("anyOf", "oneOf"):
        if key in out and len(out[key]) == 1:
            (branch,) = out.pop(key)
            out.setdefault("allOf", []).append(branch)
    if "allOf" not in out:
        return out
    pending = out.pop("allOf")
    remaining: list[Node] = []
    result: Node = out
    for conjunct in pending:
        combined = conjoin(result, conjunct, exact_only=True)
        if combined is None:
            remaining.append(conjunct)
        else:
            result = combined
            if result is False:
                return False
    assert isinstance(result, dict)
    if remaining:
        result = {**result, "allOf": _sorted_unique([*result.get("allOf", []), *remaining])}
    return result


def conjoin(a: Node, b: Node, *, exact_only: bool = False) -> Any:
    """The schema valid exactly where both ``a`` and ``b`` are (canonical children assumed).

    With ``exact_only`` returns ``None`` when the two cannot be merged into one object
    without an ``allOf``.
    """
    if a is False or b is False:
        return False
    assert isinstance(a, dict)
    assert isinstance(b, dict)
    if is_unconstrained(b):
        return {**b, **a}
    if is_unconstrained(a):
        return {**a, **b}
    shared = {k for k in a.keys() & b.keys() if not is_annotation_key(k)}
    mergeable = shared <= {"type"} and not ((a.keys() | b.keys()) & _NEVER_MERGE)
    if mergeable:
        for group in _DEPENDENT_GROUPS:
            if a.keys() & group and b.keys() & group:
                mergeable = False
                break
    if not mergeable:
        if exact_only:
            return None
        return canonicalize_node({"allOf": [a, b]})
    merged = {**b, **a}
    if "type" in shared:
        merged["type"] = _intersect_types(a["type"], b["type"])
    if exact_only:
        # the merged node is canonicalized by the caller
        return merged
    return canonicalize_node(merged)


def _intersect_types(a: list[str], b: list[str]) -> list[str]:
    def expand(types: list[str]) -> set[str]:
        return set(types) | ({"integer"} if "number" in types else set())

    return sorted(expand(a) & expand(b))


#: Every JSON type: a ``type`` list covering them all constrains nothing.
_ALL_TYPES = NON_NULL_TYPES - {"integer"} | {"null"}
#: ``type`` list as written -> canonical list (``None``: drop ``type``; ``[]``: nothing is valid).
_TYPE_LISTS: dict[tuple[str, ...], list[str] | None] = {}


def _canonical_types(types: tuple[str, ...]) -> list[str] | None:
    if types in _TYPE_LISTS:
        return _TYPE_LISTS[types]
    found = set(types)
    if "number" in found:
        found.discard("integer")
    canonical = None if found >= _ALL_TYPES else sorted(found)
    if len(types) <= len(_ALL_TYPES):  # bounded: lists with repeats are computed, not cached
        _TYPE_LISTS[types] = canonical
    return canonical


def _types(out: dict[str, Any]) -> bool:
    canonical = _canonical_types(tuple(out["type"]))
    if canonical is None:
        del out["type"]
        return True
    if not canonical:
        return False
    out["type"] = list(canonical)  # a fresh list per node: outputs share no mutable state
    return True


def _number(value: Any, where: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidSchemaError(f"{where} must be a number")
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return int(value)
    return value


def _integer_only(out: Mapping[str, Any]) -> bool:
    types = set(out.get("type", ()))
    return bool(types) and types <= {"integer", "null"}


_BOUND_KEYWORDS = frozenset(
    {
        "maximum",
        "minimum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "multipleOf",
        "maxLength",
        "minLength",
        "maxItems",
        "minItems",
    }
)


_PLAIN_NUMBERS = ("maximum", "minimum", "multipleOf", "maxLength", "minLength", "maxItems", "minItems")


def _bounds(out: dict[str, Any]) -> None:
    present = out.keys() & _BOUND_KEYWORDS
    if not present:
        return
    for keyword in _PLAIN_NUMBERS:
        if keyword in present and type(out[keyword]) is not int:  # plain ints are canonical already
            out[keyword] = _number(out[keyword], keyword)
    if "exclusiveMaximum" in present or "exclusiveMinimum" in present:
        _exclusive_bounds(out, _integer_only(out))
    elif (type(out.get("maximum")) is float or type(out.get("minimum")) is float) and _integer_only(out):
        if isinstance(out.get("maximum"), float):
            out["maximum"] = math.floor(out["maximum"])
        if isinstance(out.get("minimum"), float):
            out["minimum"] = math.ceil(out["minimum"])
    if "multipleOf" in present:
        step = out["multipleOf"]
        if step <= 0:
            raise InvalidSchemaError("multipleOf must be greater than 0")
        if _integer_only(out) and (1 / as_fraction(step)).denominator == 1:
            del out["multipleOf"]


def _exclusive_bounds(out: dict[str, Any], integer: bool) -> None:
    """Reduce inclusive and exclusive bounds to the tightest one per side (integers: inclusive)."""
    for side in ("Maximum", "Minimum"):
        exclusive = out.get(f"exclusive{side}")
        if isinstance(exclusive, bool):  # draft-04
            del out[f"exclusive{side}"]
            inclusive = out.get(side.lower())
            if exclusive and inclusive is not None:
                del out[side.lower()]
                out[f"exclusive{side}"] = inclusive
        elif exclusive is not None:
            out[f"exclusive{side}"] = _number(exclusive, f"exclusive{side}")
    upper = tightest_bound(out, "upper")
    lower = tightest_bound(out, "lower")
    for key in ("maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"):
        out.pop(key, None)
    if upper is not None:
        value, exclusive = upper
        if integer:
            value, exclusive = (math.ceil(value) - 1 if exclusive else math.floor(value)), False
        out["exclusiveMaximum" if exclusive else "maximum"] = value
    if lower is not None:
        value, exclusive = lower
        if integer:
            value, exclusive = (math.floor(value) + 1 if exclusive else math.ceil(value)), False
        out["exclusiveMinimum" if exclusive else "minimum"] = value


_TRIVIA_KEYWORDS = frozenset(
    {
        *_TRIVIAL_VALUES,
        "pattern",
        "additionalProperties",
        "unevaluatedProperties",
        "items",
        "unevaluatedItems",
        "propertyNames",
        "if",
        "then",
        "else",
        "contains",
        "minContains",
        "maxContains",
        "required",
        "dependentRequired",
        "dependentSchemas",
        "allOf",
        "anyOf",
        "oneOf",
    }
)


def _trivia(out: dict[str, Any]) -> None:
    if out.keys().isdisjoint(_TRIVIA_KEYWORDS):
        return
    for key, trivial in _TRIVIAL_VALUES.items():
        if key in out and out[key] == trivial and type(out[key]) is type(trivial):
            del out[key]
    if out.get("pattern") in TRIVIAL_PATTERNS:
        del out["pattern"]
    for key in (
        "additionalProperties",
        "unevaluatedProperties",
        "items",
        "unevaluatedItems",
        "propertyNames",
        "then",
        "else",
    ):
        if key in out and out[key] is not False and is_unconstrained(out[key]):
            del out[key]
    if "if" in out and not ("then" in out or "else" in out):
        del out["if"]
    if "if" not in out:
        out.pop("then", None)
        out.pop("else", None)
    if "contains" not in out:
        out.pop("minContains", None)
        out.pop("maxContains", None)
    if "required" in out:
        if not isinstance(out["required"], list):
            raise InvalidSchemaError("required must be an array of property names")
        out["required"] = sorted(set(out["required"]))
        if not out["required"]:
            del out["required"]
    if "dependentRequired" in out:
        deps = {k: sorted(set(v)) for k, v in out["dependentRequired"].items() if v}
        if deps:
            out["dependentRequired"] = dict(sorted(deps.items()))
        else:
            del out["dependentRequired"]
    if "dependentSchemas" in out:
        schemas = {k: v for k, v in out["dependentSchemas"].items() if not is_unconstrained(v)}
        if schemas:
            out["dependentSchemas"] = dict(sorted(schemas.items()))
        else:
            del out["dependentSchemas"]
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out and not out[key]:
            del out[key]


def _objects(out: dict[str, Any]) -> None:
    if "properties" in out:
        properties = out["properties"]
        model = content_model(out)
        has_unevaluated = "unevaluatedProperties" in out
        if model == "closed":
            properties = {k: v for k, v in properties.items() if v is not False or has_unevaluated}
        elif model == "open" and not has_unevaluated:
            properties = {k: v for k, v in properties.items() if not is_unconstrained(v)}
        if properties:
            out["properties"] = dict(sorted(properties.items()))
        else:
            del out["properties"]
    if "patternProperties" in out:
        if out["patternProperties"]:
            out["patternProperties"] = dict(sorted(out["patternProperties"].items()))
        else:
            del out["patternProperties"]


def _arrays(out: dict[str, Any]) -> None:
    if "prefixItems" not in out or ("items" not in out and "unevaluatedItems" in out):
        return
    prefix = list(out["prefixItems"])
    rest = out.get("items", {})
    while prefix and canonical_json(prefix[-1]) == canonical_json(rest):
        prefix.pop()
    if prefix:
        out["prefixItems"] = prefix
    else:
        del out["prefixItems"]


def _enum_canonical(out: dict[str, Any]) -> bool:
    """Filter the enum by the node's other assertions, then drop them; ``False`` if empty."""
    values = {canonical_json(v): v for v in out["enum"]}
    assertions = {
        k: v
        for k, v in out.items()
        if not is_annotation_key(k) and k not in _ENUM_ABSORBS_EXCEPT and k not in SEMANTIC_EXTENSIONS
    }
    if assertions:
        spelled = canonical_json(assertions)
        if "$ref" not in spelled:
            values = {k: v for k, v in values.items() if _admits(spelled, k, v)}
            for key in assertions:
                del out[key]
    if not values:
        return False
    out["enum"] = [values[k] for k in sorted(values)]
    return True


#: (assertions, value), both as canonical JSON -> whether the value satisfies the assertions.
#: Wide tables repeat a few (type, accepted values) pairs thousands of times; building a
#: validator costs ~100 µs. Bounded: cleared when full.
_ADMITS: dict[tuple[str, str], bool] = {}
_VALIDATORS: dict[str, Callable[[Any], bool]] = {}
_CACHE_LIMIT = 4096


def _admits(assertions: str, spelled_value: str, value: Any) -> bool:
    key = (assertions, spelled_value)
    known = _ADMITS.get(key)
    if known is None:
        check = _VALIDATORS.get(assertions)
        if check is None:
            if len(_VALIDATORS) >= _CACHE_LIMIT:
                _VALIDATORS.clear()
            check = _VALIDATORS[assertions] = _validator(json.loads(assertions))
        if len(_ADMITS) >= 16 * _CACHE_LIMIT:
            _ADMITS.clear()
        known = _ADMITS[key] = check(value)
    return known


def _validator(schema: dict[str, Any]) -> Callable[[Any], bool]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid
