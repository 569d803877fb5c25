"""Property-based tests of the engine on random schemas (hypothesis).

* a schema compared with itself has no changes (and normalization is idempotent);
* ``forward(a, b) == backward(b, a)`` and ``full == backward and forward``;
* soundness: when ``backward(old, new)`` says compatible, documents generated from ``old`` (and
  arbitrary documents ``old`` accepts) validate against ``new`` with ``jsonschema``.

The schema generator covers objects (open/closed/partially open, required), arrays (items,
tuples, uniqueItems, counts), strings (lengths, patterns), numbers (intervals, multipleOf),
enums/consts, nullability, anyOf/oneOf (type-disjoint branches)/allOf/not, and ``$ref``.
``mutate`` derives a related new version so that compatible pairs are common.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tessera_core import CanonicalSchema, check_compatibility, normalize_jsonschema
from tessera_core.diff import diff_schemas

NAMES = ("a", "b", "c")
PATTERNS = ("^a", "^b", "a$", "^[ab]+$")
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", "a", "b", "ab", "ba"]))
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from((*NAMES, "z")), inner, max_size=3)
    ),
    max_leaves=6,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- schemas ------------------------------------------------------------------------------------


@st.composite
def string_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if draw(st.booleans()):
        schema["minLength"] = draw(st.integers(0, 2))
    if draw(st.booleans()):
        schema["maxLength"] = draw(st.integers(2, 4))
    if draw(st.integers(0, 3)) == 0:
        schema["pattern"] = draw(st.sampled_from(PATTERNS))
    return schema


@st.composite
def number_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": draw(st.sampled_from(["integer", "number"]))}
    for keyword in ("minimum", "exclusiveMinimum"):
        if draw(st.integers(0, 2)) == 0:
            schema[keyword] = draw(st.integers(-3, 0))
    for keyword in ("maximum", "exclusiveMaximum"):
        if draw(st.integers(0, 2)) == 0:
            schema[keyword] = draw(st.integers(1, 4))
    if draw(st.integers(0, 3)) == 0:
        schema["multipleOf"] = draw(st.sampled_from([1, 2, 3, 0.5]))
    return schema


def enum_schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.lists(SCALARS, min_size=1, max_size=3).map(lambda values: {"enum": values}),
        SCALARS.map(lambda value: {"const": value}),
    )


LEAVES = st.one_of(
    string_schemas(),
    number_schemas(),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    enum_schemas(),
    st.just({}),
)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str) and schema["type"] != "null":
        return {**schema, "type": [schema["type"], "null"]}
    return schema


@st.composite
def object_schemas(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    schema: dict[str, Any] = {"type": "object", "properties": {name: draw(children) for name in names}}
    required = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=2))
    if required:
        schema["required"] = required
    model = draw(st.sampled_from(["open", "closed", "schema", "pattern"]))
    if model == "closed":
        schema["additionalProperties"] = False
    elif model == "schema":
        schema["additionalProperties"] = draw(LEAVES)
    elif model == "pattern":
        schema["patternProperties"] = {"^z": draw(LEAVES)}
        schema["additionalProperties"] = False
    return schema


@st.composite
def array_schemas(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    if draw(st.booleans()):
        schema["prefixItems"] = draw(st.lists(children, min_size=1, max_size=2))
        schema["items"] = draw(st.one_of(st.just(False), LEAVES))
    elif draw(st.booleans()):
        schema["items"] = draw(children)
    if draw(st.integers(0, 2)) == 0:
        schema["minItems"] = draw(st.integers(0, 2))
    if draw(st.integers(0, 2)) == 0:
        schema["maxItems"] = draw(st.integers(1, 3))
    if draw(st.integers(0, 3)) == 0:
        schema["uniqueItems"] = True
    return schema


@st.composite
def combinator_schemas(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["anyOf", "oneOf", "allOf", "not"]))
    if kind == "not":
        return {"not": draw(LEAVES)}
    if kind == "oneOf":  # type-disjoint branches: oneOf behaves like anyOf
        types = draw(
            st.lists(
                st.sampled_from(["string", "integer", "boolean", "null", "object"]),
                unique=True,
                min_size=2,
                max_size=3,
            )
        )
        return {"oneOf": [{"type": t} for t in types]}
    return {kind: draw(st.lists(children, min_size=1, max_size=3))}


def schemas() -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            object_schemas(children),
            array_schemas(children),
            combinator_schemas(children),
            children.map(_nullable),
        )

    body = st.recursive(LEAVES, extend, max_leaves=8)
    with_refs = st.tuples(body, body).map(
        lambda pair: {
            "$defs": {"d": pair[1]},
            "type": "object",
            "properties": {"a": pair[0], "r": {"$ref": "#/$defs/d"}},
        }
    )
    return st.one_of(body, body, body, with_refs, st.just(False))


# -- mutations: a related new version --------------------------------------------------------------

_MUTATIONS = (
    "bump_bound",
    "drop_key",
    "add_property",
    "toggle_required",
    "toggle_closed",
    "nullable",
    "enum_value",
    "retype",
    "wrap_any_of",
)


def _nodes(schema: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every schema object inside ``schema`` (not the maps that hold them, not enum values)."""
    if not isinstance(schema, dict):
        return out
    out.append(schema)
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs"):
            for sub in value.values():
                _nodes(sub, out)
        elif key in ("items", "additionalProperties", "not"):
            _nodes(value, out)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for sub in value:
                _nodes(sub, out)
    return out


@st.composite
def mutated(draw: st.DrawFn, schema: Any) -> Any:
    new = copy.deepcopy(schema)
    nodes = [n for n in _nodes(new, []) if "$ref" not in n]
    for _ in range(draw(st.integers(1, 2))):
        if not nodes:
            break
        node = draw(st.sampled_from(nodes))
        mutation = draw(st.sampled_from(_MUTATIONS))
        numeric = [
            k
            for k in (
                "minimum",
                "maximum",
                "minLength",
                "maxLength",
                "minItems",
                "maxItems",
                "exclusiveMaximum",
            )
            if k in node
        ]
        if mutation == "bump_bound" and numeric:
            key = draw(st.sampled_from(numeric))
            node[key] = max(0, node[key] + draw(st.sampled_from([-1, 1])))
        elif mutation == "drop_key" and set(node) - {"$defs"}:
            node.pop(draw(st.sampled_from(sorted(set(node) - {"$defs"}))))
        elif mutation == "add_property" and node.get("type") == "object":
            node.setdefault("properties", {})[draw(st.sampled_from(NAMES))] = draw(LEAVES)
        elif mutation == "toggle_required" and node.get("type") == "object":
            name = draw(st.sampled_from(NAMES))
            required = node.setdefault("required", [])
            required.remove(name) if name in required else required.append(name)
        elif mutation == "toggle_closed" and node.get("type") == "object":
            if node.pop("additionalProperties", None) is None:
                node["additionalProperties"] = False
        elif mutation == "nullable" and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        elif mutation == "enum_value" and "enum" in node:
            node["enum"] = [*node["enum"], draw(SCALARS)]
        elif mutation == "retype" and "type" in node:
            node["type"] = draw(st.sampled_from(["string", "integer", "number", "object", "array"]))
        elif mutation == "wrap_any_of" and "$defs" not in node:
            inner = dict(node)
            node.clear()
            node["anyOf"] = [inner, draw(LEAVES)]
    return new


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    old = draw(schemas())
    new = draw(st.one_of(mutated(old), mutated(old), schemas()))
    return old, new


# -- instances -------------------------------------------------------------------------------------


def instances(schema: Any, defs: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Documents shaped by ``schema`` (not always valid: callers filter with the validator)."""
    if not isinstance(schema, dict) or depth > 4:
        return JSON
    if "$ref" in schema:
        return instances(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), defs, depth + 1)
    options: list[st.SearchStrategy[Any]] = [JSON]
    if "enum" in schema:
        options.append(st.sampled_from(schema["enum"]))
    if "const" in schema:
        options.append(st.just(schema["const"]))
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            options.append(instances(branch, defs, depth + 1))
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "string" in types:
        options.append(st.text(alphabet="ab", max_size=5))
    if "integer" in types or "number" in types:
        options.append(st.integers(-5, 6))
        options.append(st.sampled_from([0.5, 1.5, -0.5]))
    if "null" in types:
        options.append(st.none())
    if "boolean" in types:
        options.append(st.booleans())
    if "object" in types:
        props = schema.get("properties", {})
        fixed = {name: instances(sub, defs, depth + 1) for name, sub in props.items()}
        options.append(
            st.tuples(
                st.fixed_dictionaries({}, optional=fixed),
                st.dictionaries(st.sampled_from((*NAMES, "z", "zz")), JSON, max_size=2),
            ).map(lambda parts: {**parts[1], **parts[0]})
        )
    if "array" in types:
        prefix = [instances(sub, defs, depth + 1) for sub in schema.get("prefixItems", [])]
        rest = instances(schema.get("items", {}), defs, depth + 1)
        options.append(
            st.tuples(st.tuples(*prefix) if prefix else st.just(()), st.lists(rest, max_size=3)).map(
                lambda parts: list(parts[0]) + parts[1]
            )
        )
    return st.one_of(*options)


# -- properties ------------------------------------------------------------------------------------


@SETTINGS
@given(schemas())
def test_a_schema_compared_with_itself_has_no_changes(schema: Any) -> None:
    canonical = normalize_jsonschema(schema)
    # plain copies of canonical output (deepcopy, a JSON round trip) are normalized again: a fixpoint
    assert normalize_jsonschema(copy.deepcopy(canonical)) == canonical
    assert normalize_jsonschema(json.loads(json.dumps(canonical))) == canonical
    assert diff_schemas(canonical, canonical) == ()
    report = check_compatibility(schema, copy.deepcopy(schema), "full")
    assert report.compatible
    assert report.changes == ()
    assert report.suggested_bump.value == "none"


@SETTINGS
@given(pairs())
def test_modes_are_consistent(pair: tuple[Any, Any]) -> None:
    a, b = pair
    backward = check_compatibility(a, b, "backward").compatible
    forward = check_compatibility(a, b, "forward").compatible
    assert forward is check_compatibility(b, a, "backward").compatible
    assert check_compatibility(a, b, "full").compatible is (backward and forward)
    assert check_compatibility(a, b, "none").compatible
    # the canonical fast path (no re-normalization) reaches the same report as plain documents
    canonical_a, canonical_b = normalize_jsonschema(a), normalize_jsonschema(b)
    assert check_compatibility(canonical_a, canonical_b, "backward") == check_compatibility(a, b, "backward")
    stored_a = CanonicalSchema.trusted(json.loads(json.dumps(canonical_a)))
    assert check_compatibility(stored_a, canonical_b, "forward") == check_compatibility(a, b, "forward")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(pairs(), st.data())
def test_backward_compatible_means_old_documents_stay_valid(
    pair: tuple[Any, Any], data: st.DataObject
) -> None:
    old, new = pair
    assume(check_compatibility(old, new, "backward").compatible)
    old_validator = Draft202012Validator(old)
    new_validator = Draft202012Validator(new)
    defs = old.get("$defs", {}) if isinstance(old, dict) else {}
    strategy = instances(old, defs)
    for _ in range(8):
        document = data.draw(strategy)
        if old_validator.is_valid(document):
            assert new_validator.is_valid(document), f"{document!r} valid under old but not new"
