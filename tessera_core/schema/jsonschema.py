"""The canonical schema model and the JSON Schema normalizer.

Every source format ends up as *canonical JSON Schema 2020-12*, a subset of JSON Schema in
which equal meaning is (as far as cheaply decidable) equal structure:

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
  ``patternProperties`` / ``unevaluatedProperties`` (see :func:`content_model`).

:func:`normalize_jsonschema` is idempotent.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any, Literal, TypeAlias

from tessera_core.errors import InvalidSchemaError

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
#: Extension keys with engine semantics (every other ``x-*`` key is an annotation).
SEMANTIC_EXTENSIONS: frozenset[str] = GUARANTEE_KEYWORDS | {SQL_TYPE, REVERSE, TOLERANT}

#: The JSON types other than ``null`` (nullability is tracked on its own).
NON_NULL_TYPES: frozenset[str] = frozenset({"array", "boolean", "integer", "number", "object", "string"})
#: Patterns that match every string.
TRIVIAL_PATTERNS: frozenset[str] = frozenset({"", ".*", "^.*$", "^.*", ".*$", "(.*)", "^(.*)$", "[\\s\\S]*"})

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


def canonical_json(value: Any) -> str:
    """A deterministic JSON text used to sort and deduplicate values and schemas."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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


# --------------------------------------------------------------------------------------------
# Normalizer
# --------------------------------------------------------------------------------------------


def normalize_jsonschema(document: Any) -> dict[str, Any]:
    """Normalize a JSON Schema document (draft-04 to 2020-12) to canonical 2020-12.

    Raises :class:`~tessera_core.errors.InvalidSchemaError` for documents that are not schemas
    or hold unresolvable internal references. The result is a fresh dict; the input is not
    modified. Idempotent: ``normalize_jsonschema(normalize_jsonschema(d)) == normalize_jsonschema(d)``.
    """
    if not isinstance(document, (dict, bool)):
        raise InvalidSchemaError(
            f"a JSON Schema must be an object or a boolean, not {type(document).__name__}"
        )
    normalizer = _Normalizer(document)
    root = normalizer.resolve("#", "")
    if root is False:
        root = {"not": {}}
    elif root is True:
        root = {}
    assert isinstance(root, dict)
    if normalizer.defs:
        root = {**root, "$defs": dict(sorted(normalizer.defs.items()))}
    return root


class _Normalizer:
    """One normalization run: holds the document (for ``$ref``) and the recursion state."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.defs: dict[str, Node] = {}
        self.def_names: dict[str, str] = {}
        self.stack: list[str] = []
        self.recursive: set[str] = set()
        self.cache: dict[str, Node] = {}
        self._anchors: dict[str, str] | None = None

    @property
    def anchors(self) -> dict[str, str]:
        """``$anchor`` name -> JSON pointer, collected on first use."""
        if self._anchors is None:
            self._anchors = _collect_anchors(self.document)
        return self._anchors

    # -- references ---------------------------------------------------------------------

    def resolve(self, ref: str, where: str) -> Node:
        pointer = self._pointer_of(ref, where)
        if pointer in self.stack:
            self.recursive.add(pointer)
            return {"$ref": f"#/$defs/{self._def_name(pointer)}"}
        if pointer in self.cache:
            return self.cache[pointer]
        target = _follow_pointer(self.document, pointer, ref, where)
        self.stack.append(pointer)
        try:
            result = self.node(target, pointer)
        finally:
            self.stack.pop()
        if pointer in self.recursive:
            self.defs[self._def_name(pointer)] = result
            result = {"$ref": f"#/$defs/{self._def_name(pointer)}"}
        self.cache[pointer] = result
        return result

    def _pointer_of(self, ref: str, where: str) -> str:
        if not isinstance(ref, str):
            raise InvalidSchemaError("$ref must be a string", pointer=where)
        root_id = self.document.get("$id") if isinstance(self.document, dict) else None
        if root_id and ref.startswith(root_id):
            ref = ref[len(root_id) :] or "#"
        if not ref.startswith("#"):
            raise InvalidSchemaError(f"external $ref {ref!r} cannot be resolved offline", pointer=where)
        fragment = ref[1:]
        if fragment and not fragment.startswith("/"):
            if fragment not in self.anchors:
                raise InvalidSchemaError(f"unknown anchor in $ref {ref!r}", pointer=where)
            return self.anchors[fragment]
        from urllib.parse import unquote

        return unquote(fragment)

    def _def_name(self, pointer: str) -> str:
        if pointer not in self.def_names:
            base = pointer.rsplit("/", 1)[-1].replace("~1", "_").replace("~0", "_") or "root"
            name, n = base, 1
            while name in self.def_names.values():
                n += 1
                name = f"{base}_{n}"
            self.def_names[pointer] = name
        return self.def_names[pointer]

    # -- nodes --------------------------------------------------------------------------

    def node(self, raw: Any, where: str) -> Node:
        if raw is True:
            return {}
        if raw is False:
            return False
        if not isinstance(raw, dict):
            raise InvalidSchemaError(
                f"expected a schema (object or boolean), got {type(raw).__name__}", pointer=where
            )
        if "$ref" in raw:
            target = self.resolve(raw["$ref"], f"{where}/$ref")
            rest = {k: v for k, v in raw.items() if k not in ("$ref", "definitions", "$defs", "$schema")}
            if not rest:
                return target
            combined: Node = conjoin(target, self.node(rest, where))
            return combined
        out: dict[str, Any] = {}
        for key, value in raw.items():
            handler = _KEY_HANDLERS.get(key)
            if handler is None:
                out[key] = value
            else:
                handler(self, out, key, value, f"{where}/{_escape(key)}")
        return canonicalize_node(out)


def _escape(key: str) -> str:
    if "~" not in key and "/" not in key:
        return key
    return key.replace("~", "~0").replace("/", "~1")


def _collect_anchors(document: Any) -> dict[str, str]:
    anchors: dict[str, str] = {}

    def walk(value: Any, pointer: str) -> None:
        if isinstance(value, dict):
            anchor = value.get("$anchor")
            if isinstance(anchor, str):
                anchors.setdefault(anchor, pointer)
            for key, child in value.items():
                if key not in ("enum", "const", "default", "examples") and not key.startswith("x-"):
                    walk(child, f"{pointer}/{_escape(key)}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{pointer}/{index}")

    walk(document, "")
    return anchors


def _follow_pointer(document: Any, pointer: str, ref: str, where: str) -> Any:
    value = document
    if pointer == "":
        return value
    for raw_part in pointer.lstrip("/").split("/"):
        part = raw_part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise InvalidSchemaError(f"$ref {ref!r} does not resolve", pointer=where)
    return value


# -- per-keyword input handlers (shape checks, sub-schema recursion, draft upgrades) -------

_Handler = Callable[[_Normalizer, dict[str, Any], str, Any, str], None]


def _single(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    out[key] = n.node(value, where)


def _items(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if isinstance(value, list):  # draft-07 tuple form
        out["prefixItems"] = [n.node(v, f"{where}/{i}") for i, v in enumerate(value)]
        out["_tuple"] = True
    else:
        out["items"] = n.node(value, where)


def _schema_list(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise InvalidSchemaError(f"{key} must be an array of schemas", pointer=where)
    out[key] = [n.node(v, f"{where}/{i}") for i, v in enumerate(value)]


def _schema_map(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise InvalidSchemaError(f"{key} must be an object", pointer=where)
    out[key] = {name: n.node(v, f"{where}/{_escape(name)}") for name, v in value.items()}


def _drop(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    return None


def _dependencies(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise InvalidSchemaError(f"{key} must be an object", pointer=where)
    for name, dep in value.items():
        if isinstance(dep, list) and key != "dependentSchemas":
            out.setdefault("dependentRequired", {})[name] = dep
        else:
            out.setdefault("dependentSchemas", {})[name] = n.node(dep, f"{where}/{_escape(name)}")


def _type(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    types = [value] if isinstance(value, str) else value
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise InvalidSchemaError("type must be a string or an array of strings", pointer=where)
    unknown = set(types) - NON_NULL_TYPES - {"null"}
    if unknown:
        raise InvalidSchemaError(f"unknown type {sorted(unknown)[0]!r}", pointer=where)
    out["type"] = types


def _additional_items(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    out["_additionalItems"] = n.node(value, where)


def _enum(n: _Normalizer, out: dict[str, Any], key: str, value: Any, where: str) -> None:
    if key == "const":
        value = [value]
    elif not isinstance(value, list):
        raise InvalidSchemaError("enum must be an array", pointer=where)
    if "enum" in out:  # const and enum together: intersection
        keep = {canonical_json(v) for v in value}
        out["enum"] = [v for v in out["enum"] if canonical_json(v) in keep]
    else:
        out["enum"] = list(value)


_KEY_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(SINGLE_SCHEMA_KEYWORDS - {"additionalItems"}, _single),
    **dict.fromkeys(LIST_SCHEMA_KEYWORDS, _schema_list),
    **dict.fromkeys(MAP_SCHEMA_KEYWORDS - {"dependentSchemas"}, _schema_map),
    "dependentSchemas": _dependencies,
    "dependencies": _dependencies,
    "items": _items,
    "additionalItems": _additional_items,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "$schema": _drop,
    "definitions": _drop,
    "$defs": _drop,
}


# --------------------------------------------------------------------------------------------
# Local canonicalization of one node whose children are already canonical
# --------------------------------------------------------------------------------------------


def canonicalize_node(node: dict[str, Any]) -> Node:
    """Canonicalize one schema object whose sub-schemas are already canonical."""
    out = dict(node)
    _upgrade_items(out)
    _nullable(out)
    if not _combinators(out):
        return False
    merged = _merge_all_of(out)
    if not isinstance(merged, dict):
        return False
    out = merged
    if not _types(out):
        return False
    _bounds(out)
    _trivia(out)
    _objects(out)
    _arrays(out)
    if "enum" in out and not _enum_canonical(out):
        return False
    if out.get("not") == {} or (isinstance(out.get("not"), dict) and is_unconstrained(out["not"])):
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


def _types(out: dict[str, Any]) -> bool:
    if "type" not in out:
        return True
    types = set(out["type"])
    if "number" in types:
        types.discard("integer")
    if not types:
        return False
    if types >= NON_NULL_TYPES - {"integer"} | {"null"}:
        del out["type"]
    else:
        out["type"] = sorted(types)
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
    if out.keys().isdisjoint(_BOUND_KEYWORDS):
        return
    for keyword in _PLAIN_NUMBERS:
        if keyword in out:
            value = out[keyword]
            if type(value) is not int:  # fast path: plain ints are already canonical
                out[keyword] = _number(value, keyword)
    integer = _integer_only(out)
    if "exclusiveMaximum" in out or "exclusiveMinimum" in out:
        _exclusive_bounds(out, integer)
    elif integer:
        if isinstance(out.get("maximum"), float):
            out["maximum"] = math.floor(out["maximum"])
        if isinstance(out.get("minimum"), float):
            out["minimum"] = math.ceil(out["minimum"])
    if "multipleOf" in out:
        step = out["multipleOf"]
        if step <= 0:
            raise InvalidSchemaError("multipleOf must be greater than 0")
        if integer and (1 / as_fraction(step)).denominator == 1:
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
    if assertions and "$ref" not in canonical_json(assertions):
        check = _validator(assertions)
        values = {k: v for k, v in values.items() if check(v)}
        for key in assertions:
            del out[key]
    if not values:
        return False
    out["enum"] = [values[k] for k in sorted(values)]
    return True


def _validator(schema: dict[str, Any]) -> Callable[[Any], bool]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid
