"""Properties of the SQL lattice: antisymmetry, transitivity, and agreement with the JSON Schema bounds."""

from __future__ import annotations

from decimal import Decimal, localcontext

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from tessera_core.schema.sql_types import compare_sql_types, json_schema_for_sql_type
from tessera_core.types import Relation

E, W, N, X = Relation.EQUIVALENT, Relation.WIDENING, Relation.NARROWING, Relation.INCOMPARABLE

ints = st.sampled_from(["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"])
decimals = st.builds(
    lambda p, s: f"decimal({p},{min(s, p)})", st.integers(1, 38), st.integers(0, 12)
) | st.just("decimal")
strings = st.builds(lambda n: f"string({n})", st.integers(1, 300)) | st.just("string")
temporal = st.sampled_from(["date", "timestamp_ntz(3)", "timestamp_ntz(6)", "timestamp_tz(6)", "time(6)"])
scalars = (
    ints | decimals | strings | temporal | st.sampled_from(["float32", "float64", "bool", "opaque:geography"])
)
types = scalars | st.builds(lambda t: f"array<{t}>", scalars)


@settings(max_examples=300, deadline=None)
@given(types, types)
def test_relation_is_antisymmetric(a: str, b: str) -> None:
    mirror = {W: N, N: W, E: E, X: X}
    assert compare_sql_types(b, a) is mirror[compare_sql_types(a, b)]


@settings(max_examples=300, deadline=None)
@given(types, types, types)
def test_widening_is_transitive(a: str, b: str, c: str) -> None:
    if compare_sql_types(a, b) in (W, E) and compare_sql_types(b, c) in (W, E):
        assert compare_sql_types(a, c) in (W, E)


def _extremes(canonical: str) -> list[object]:
    """Boundary values of a numeric or string type (the values most likely to fall out of a wider one)."""
    schema = json_schema_for_sql_type(canonical)
    if "minimum" in schema:
        return [schema["minimum"], schema["maximum"], 0]
    if "exclusiveMaximum" in schema:
        if "multipleOf" not in schema:
            top = schema["exclusiveMaximum"] - 1
            return [top, -top, 0]
        with localcontext() as ctx:
            ctx.prec = 200  # exact: floats (or 28-digit decimals) would round onto the bound
            step = Decimal(str(schema["multipleOf"]))
            top = Decimal(schema["exclusiveMaximum"]) - step
            bottom = -top
        return [top, bottom, step]
    if schema.get("type") == "string" and "maxLength" in schema:
        return ["x" * schema["maxLength"]]
    return []


@settings(max_examples=300, deadline=None)
@given(ints | decimals | strings, ints | decimals | strings)
def test_a_widening_never_contradicts_the_encoded_bounds(a: str, b: str) -> None:
    if compare_sql_types(a, b) not in (W, E):
        return
    target = {k: v for k, v in json_schema_for_sql_type(b).items() if k != "multipleOf"}
    for value in _extremes(a):
        assert jsonschema.Draft202012Validator(target).is_valid(value), (a, b, value)
