"""``normalize(doc, "dbt")`` runs one pass; it must equal the two-pass result exactly.

The two-pass result (``normalize_jsonschema(normalize_dbt(doc))``) is the reference: the same
canonical dict, with the same key order (what a stored contract and its fingerprint hold).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tessera_core import (
    CanonicalSchema,
    InvalidSchemaError,
    check_compatibility,
    normalize,
    normalize_jsonschema,
)
from tessera_core.schema.dbt import canonical_dbt_schema, normalize_dbt
from tessera_core.schema.sql_types import ADAPTERS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "dbt"

TYPES = [
    "integer", "bigint", "smallint", "int", "number(38,0)", "numeric(12,2)", "decimal", "float",
    "double precision", "real", "varchar(40)", "varchar", "text", "string", "char(3)", "boolean",
    "date", "time", "timestamp", "timestamptz", "timestamp_ntz", "json", "jsonb", "variant", "uuid",
    "bytea", "binary", "integer[]", "array<int>", "array<string>", "map<string,int>",
    "struct<a:int,b:string>", "struct<`odd name`:int>", "geography", "INT64", "FLOAT64", "super",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(["a", "b", "1", "2", "1.5", "true", "false", "2024-01-01", ""]),
    st.integers(-2, 3),
    st.booleans(),
    st.none(),
    st.just(1.5),
)


@st.composite
def columns(draw: st.DrawFn, name: str) -> dict[str, Any]:
    column: dict[str, Any] = {"name": name}
    if draw(st.integers(0, 5)):
        column["data_type"] = draw(st.sampled_from(TYPES))
    if draw(st.booleans()):
        column["description"] = draw(st.sampled_from(["", "the id", "Ünïcode ✓"]))
    kinds = draw(
        st.lists(st.sampled_from(["not_null", "primary_key", "unique", "check", "foreign_key"]), max_size=3)
    )
    constraints: list[dict[str, Any]] = []
    for kind in kinds:
        constraint: dict[str, Any] = {"type": kind}
        if kind == "check":
            constraint["expression"] = draw(st.sampled_from(["x > 0", " x < 10 "]))
        if kind == "foreign_key":
            constraint.update(to="ref('customers')", to_columns=["id"])
        constraints.append(constraint)
    if constraints:
        column["constraints"] = constraints
    tests: list[Any] = []
    for test in draw(
        st.lists(st.sampled_from(["not_null", "unique", "accepted", "where", "relationships"]), max_size=3)
    ):
        if test == "accepted":
            tests.append({"accepted_values": {"values": draw(st.lists(VALUES, min_size=1, max_size=4))}})
        elif test == "where":
            tests.append({"name": "not_null", "config": {"where": "x > 0"}})
        elif test == "relationships":
            tests.append({"name": "relationships", "to": "source('raw', 'customers')", "field": "id"})
        else:
            tests.append(test)
    if tests:
        column["data_tests"] = tests
    return column


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(
        st.lists(st.sampled_from(["id", "b", "a", "Z", "amount", "x/y", "tilde~"]), unique=True, max_size=6)
    )
    document: dict[str, Any] = {
        "name": "m",
        "adapter": draw(st.sampled_from([*ADAPTERS, "trino", "PostgreSQL"])),
        "columns": [draw(columns(name)) for name in names],
    }
    if names and draw(st.booleans()):
        document["constraints"] = [
            {"type": draw(st.sampled_from(["primary_key", "unique"])), "columns": names[:2]}
        ]
    if draw(st.booleans()):
        document["description"] = "wide model"
        document["config"] = {"materialized": "table", "contract": {"enforced": True}}
    return document


def two_pass(document: Any) -> Any:
    return normalize_jsonschema(normalize_dbt(document))


def same(a: Any, b: Any) -> bool:
    """Equal, including key order at every level (what storage and fingerprints see)."""
    return json.dumps(a) == json.dumps(b)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_one_pass_equals_two_passes(document: dict[str, Any]) -> None:
    one = normalize(document, "dbt")
    assert isinstance(one, CanonicalSchema)
    assert same(one, two_pass(document))
    assert same(normalize_jsonschema(json.loads(json.dumps(one))), one)  # canonical: a fixpoint


@pytest.mark.parametrize(
    ("name", "model"), [("orders_v1.yml", None), ("properties.yml", "customers"), ("properties.yml", None)]
)
def test_fixture_models(name: str, model: str | None) -> None:
    document = yaml.safe_load((FIXTURES / name).read_text())
    try:
        expected = normalize_jsonschema(normalize_dbt(document, model=model))
    except InvalidSchemaError as exc:
        with pytest.raises(InvalidSchemaError, match=str(exc).split(" (at ")[0][:40]):
            canonical_dbt_schema(document, model=model)
        return
    assert same(canonical_dbt_schema(document, model=model), expected)


def test_columns_share_no_mutable_value() -> None:
    document = {"name": "m", "columns": [{"name": n, "data_type": "integer[]"} for n in ("a", "b")]}
    document["columns"] += [{"name": n, "data_type": "integer"} for n in ("c", "d")]
    properties = normalize(document, "dbt")["properties"]
    assert properties["a"] == properties["b"]
    assert properties["a"]["items"] is not properties["b"]["items"]
    assert properties["c"]["type"] is not properties["d"]["type"]


def test_an_impossible_accepted_values_column_accepts_nothing() -> None:
    document = {
        "name": "m",
        "columns": [
            {"name": "id", "data_type": "integer"},
            {
                "name": "n",
                "data_type": "integer",
                "constraints": [{"type": "not_null"}],
                "data_tests": [{"accepted_values": {"values": ["a", "b"]}}],
            },
        ],
    }
    one = normalize(document, "dbt")
    assert same(one, two_pass(document))
    assert "n" not in one["properties"]  # a closed object's `false` property is no property at all
    assert "n" in one["required"]  # ... and requiring it makes every row invalid
    report = check_compatibility(
        one, normalize({**document, "columns": document["columns"][:1]}, "dbt"), "backward"
    )
    assert report.compatible
