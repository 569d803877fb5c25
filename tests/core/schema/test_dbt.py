"""dbt model documents and properties YAML -> canonical JSON Schema (shape, guarantees, errors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.dbt import normalize_dbt

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "dbt"


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / name).read_text())
    assert isinstance(data, dict)
    return data


def model(*columns: dict[str, Any], adapter: str = "postgres", **extra: Any) -> dict[str, Any]:
    return {"name": "orders", "adapter": adapter, "columns": list(columns), **extra}


def test_model_becomes_a_closed_object_of_its_columns_in_order() -> None:
    schema = normalize_dbt(load("orders_v1.yml"))
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["title"] == "orders"
    assert list(schema["properties"]) == [
        "id",
        "customer_id",
        "status",
        "amount",
        "placed_at",
        "location",
        "notes",
    ]
    assert schema["required"] == ["id", "customer_id", "status"]
    assert schema["x-dbt-contract-enforced"] is True
    assert schema["x-dbt-materialized"] == "table"


def test_columns_carry_canonical_types_bounds_and_guarantees() -> None:
    props = normalize_dbt(load("orders_v1.yml"))["properties"]
    assert props["id"] == {
        "type": "integer",
        "minimum": -(2**31),
        "maximum": 2**31 - 1,
        "x-sql-type": "int32",
        "x-primary-key": True,
    }
    assert props["customer_id"]["x-sql-type"] == "int32"
    assert props["customer_id"]["x-relationship"] == {"to": "customers", "field": "id"}
    assert props["status"]["type"] == "string"
    assert props["status"]["maxLength"] == 20
    assert props["status"]["enum"] == ["placed", "shipped"]
    assert props["amount"]["type"] == ["null", "number"]
    assert props["amount"]["multipleOf"] == 0.01
    assert props["amount"]["x-checks"] == ["amount >= 0"]
    assert props["placed_at"]["x-sql-type"] == "timestamp_ntz(6)"
    assert props["placed_at"]["x-format"] == "local-date-time"
    assert "format" not in props["placed_at"]


def test_unknown_type_is_kept_opaque_not_mapped_to_string() -> None:
    location = normalize_dbt(load("orders_v1.yml"))["properties"]["location"]
    assert location["x-sql-type"] == "opaque:geography"
    assert "maxLength" not in location
    assert "null" in location["type"]


def test_column_without_data_type_has_no_type_constraint() -> None:
    notes = normalize_dbt(load("orders_v1.yml"))["properties"]["notes"]
    assert notes == {}
    required_any = normalize_dbt(model({"name": "c", "tests": ["not_null"]}))["properties"]["c"]
    assert "x-sql-type" not in required_any
    assert "null" not in required_any["type"]


def test_nullable_accepted_values_allow_null() -> None:
    schema = normalize_dbt(
        model(
            {"name": "s", "data_type": "text", "tests": [{"name": "accepted_values", "values": ["a", "b"]}]}
        )
    )
    assert schema["properties"]["s"]["enum"] == ["a", "b", None]
    assert schema["properties"]["s"]["type"] == ["null", "string"]


def test_accepted_values_are_coerced_to_the_column_type() -> None:
    schema = normalize_dbt(load("properties.yml"), model="customers")
    assert schema["properties"]["tier"]["enum"] == [1, 2, 3, None]


def test_properties_yaml_with_model_level_constraints_and_dbt_test_syntax() -> None:
    schema = normalize_dbt(load("properties.yml"), model="customers", adapter="postgres")
    props = schema["properties"]
    assert schema["title"] == "customers"
    assert schema["required"] == ["id", "email"]
    assert props["id"]["x-primary-key"] is True
    assert props["id"]["x-sql-type"] == "int64"
    assert props["email"]["x-unique"] is True
    assert schema["x-unique-together"] == [["email", "region"]]
    assert props["region"]["enum"] == ["EU", "US", None]
    assert props["region"]["x-sql-type"] == "char(2)"
    assert props["referrer_id"]["x-relationship"] == {"to": "customers", "field": "id"}
    # a not_null test restricted by `where` holds for some rows only: the column stays nullable
    assert "referrer_id" not in schema["required"]
    assert schema["x-dbt-contract-enforced"] is True
    assert schema["x-dbt-materialized"] == "incremental"


def test_properties_yaml_with_several_models_needs_a_name() -> None:
    with pytest.raises(InvalidSchemaError, match="2 models; pick one by name"):
        normalize_dbt(load("properties.yml"))
    with pytest.raises(InvalidSchemaError, match="no model 'missing'"):
        normalize_dbt(load("properties.yml"), model="missing")


def test_columns_as_a_mapping_keyed_by_name() -> None:
    schema = normalize_dbt({"name": "m", "columns": {"a": {"data_type": "int"}, "b": None}})
    assert list(schema["properties"]) == ["a", "b"]
    assert schema["properties"]["a"]["x-sql-type"] == "int32"


def test_adapter_argument_overrides_the_document() -> None:
    doc = model({"name": "n", "data_type": "int"}, adapter="postgres")
    assert normalize_dbt(doc)["properties"]["n"]["x-sql-type"] == "int32"
    assert normalize_dbt(doc, adapter="snowflake")["properties"]["n"]["x-sql-type"] == "decimal(38,0)"


def test_unsupported_adapter_keeps_every_type_opaque() -> None:
    schema = normalize_dbt(model({"name": "n", "data_type": "INT"}, adapter="trino"))
    assert schema["properties"]["n"]["x-sql-type"] == "opaque:int"
    assert schema["x-dbt-adapter"] == "opaque"


def test_foreign_key_with_to_and_to_columns() -> None:
    col = {
        "name": "c",
        "data_type": "int",
        "constraints": [{"type": "foreign_key", "to": "ref('customers')", "to_columns": ["id"]}],
    }
    assert normalize_dbt(model(col))["properties"]["c"]["x-relationship"] == {
        "to": "customers",
        "field": "id",
    }


def test_composite_primary_key_is_recorded_on_the_model() -> None:
    schema = normalize_dbt(
        model(
            {"name": "a", "data_type": "int"},
            {"name": "b", "data_type": "int"},
            constraints=[
                {"type": "primary_key", "columns": ["a", "b"]},
                {"type": "check", "expression": "a < b"},
            ],
        )
    )
    assert schema["required"] == ["a", "b"]
    assert schema["x-primary-key"] == ["a", "b"]
    assert schema["x-checks"] == ["a < b"]


def test_normalizing_is_deterministic() -> None:
    assert normalize_dbt(load("orders_v1.yml")) == normalize_dbt(load("orders_v1.yml"))


BAD = [
    ("not a mapping", [1, 2], "must be a mapping"),
    ("columns not a list", {"name": "m", "columns": "id"}, "'columns' must be a list"),
    ("column without name", {"name": "m", "columns": [{"data_type": "int"}]}, "column #0 has no name"),
    ("column not a mapping", {"name": "m", "columns": ["id"]}, "column #0 must be a mapping"),
    (
        "duplicate column",
        {"name": "m", "columns": [{"name": "a"}, {"name": "a"}]},
        "column 'a' is declared twice",
    ),
    ("data_type not a string", {"name": "m", "columns": [{"name": "a", "data_type": 5}]}, "'a': data_type"),
    (
        "constraint without type",
        {"name": "m", "columns": [{"name": "a", "constraints": [{"expression": "x"}]}]},
        "column 'a': a constraint must be a mapping",
    ),
    (
        "constraints not a list",
        {"name": "m", "columns": [{"name": "a", "constraints": {"type": "not_null"}}]},
        "column 'a': constraints must be a list",
    ),
    (
        "accepted_values without values",
        {"name": "m", "columns": [{"name": "a", "tests": [{"name": "accepted_values"}]}]},
        "column 'a': accepted_values needs a 'values' list",
    ),
    (
        "test of a bad shape",
        {"name": "m", "columns": [{"name": "a", "tests": [42]}]},
        "column 'a': a test must be a name or a mapping",
    ),
    (
        "model constraint on an unknown column",
        {"name": "m", "columns": [{"name": "a"}], "constraints": [{"type": "primary_key", "columns": ["b"]}]},
        "unknown column 'b'",
    ),
    ("models not a list", {"version": 2, "models": {"m": {}}}, "'models' must be a list"),
    ("adapter not a string", {"name": "m", "adapter": 3, "columns": []}, "adapter must be a string"),
]


@pytest.mark.parametrize(("document", "message"), [(d, m) for _, d, m in BAD], ids=[i for i, _, _ in BAD])
def test_bad_input_names_the_model_and_column(document: Any, message: str) -> None:
    with pytest.raises(InvalidSchemaError, match=message) as info:
        normalize_dbt(document)
    if isinstance(document, dict) and "columns" in document and "adapter" not in document:
        assert "dbt model 'm'" in str(info.value)


def test_errors_carry_a_json_pointer() -> None:
    with pytest.raises(InvalidSchemaError) as info:
        normalize_dbt({"name": "m", "columns": [{"name": "a"}, {"name": "b", "tests": [None]}]})
    assert info.value.pointer == "/columns/1/tests/0"
