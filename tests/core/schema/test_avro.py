"""Avro schemas -> canonical JSON Schema (shape, logical types, recursion, errors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.avro import normalize_avro

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "avro"


def user() -> dict[str, Any]:
    data = json.loads((FIXTURES / "user_v1.avsc").read_text())
    assert isinstance(data, dict)
    return data


def record(*fields: dict[str, Any], name: str = "R") -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields)}


def test_record_is_a_closed_tolerant_object() -> None:
    schema = normalize_avro(user())
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["x-tessera-tolerant"] is True
    assert schema["title"] == "com.example.User"
    assert schema["description"] == "A registered user"


def test_fields_with_a_default_are_optional() -> None:
    schema = normalize_avro(user())
    assert schema["required"] == ["id", "name", "status", "balance", "created_at", "fingerprint"]
    assert schema["properties"]["email"]["default"] is None
    assert schema["properties"]["tags"]["default"] == []


def test_field_aliases_are_recorded() -> None:
    assert normalize_avro(user())["properties"]["name"]["x-aliases"] == ["full_name"]


@pytest.mark.parametrize(
    ("avro", "expected"),
    [
        ("null", {"type": "null"}),
        ("boolean", {"type": "boolean"}),
        ("int", {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}),
        ("long", {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}),
        ("float", {"type": "number", "minimum": -3.4028234663852886e38, "maximum": 3.4028234663852886e38}),
        ("double", {"type": "number"}),
        ("string", {"type": "string"}),
        ("bytes", {"type": "string"}),
    ],
)
def test_primitives_carry_the_bounds_that_encode_avro_promotions(avro: str, expected: dict[str, Any]) -> None:
    assert normalize_avro({"type": avro}) == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **expected,
    }
    assert normalize_avro(avro) == normalize_avro({"type": avro})


def test_enums_and_nullable_enums() -> None:
    props = normalize_avro(user())["properties"]
    assert props["status"] == {
        "type": "string",
        "title": "com.example.Status",
        "enum": ["ACTIVE", "SUSPENDED"],
    }
    assert props["previous_status"]["type"] == ["null", "string"]
    assert props["previous_status"]["enum"] == ["ACTIVE", "SUSPENDED", None]


@pytest.mark.parametrize(
    ("logical", "sql_type"),
    [
        ({"type": "int", "logicalType": "date"}, "date"),
        ({"type": "int", "logicalType": "time-millis"}, "time(3)"),
        ({"type": "long", "logicalType": "time-micros"}, "time(6)"),
        ({"type": "long", "logicalType": "timestamp-millis"}, "timestamp_tz(3)"),
        ({"type": "long", "logicalType": "timestamp-micros"}, "timestamp_tz(6)"),
        ({"type": "long", "logicalType": "local-timestamp-millis"}, "timestamp_ntz(3)"),
        ({"type": "long", "logicalType": "local-timestamp-micros"}, "timestamp_ntz(6)"),
        ({"type": "string", "logicalType": "uuid"}, "uuid"),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
            "opaque:avro.decimal(12,2)",
        ),
        (
            {"type": "fixed", "name": "D", "size": 8, "logicalType": "decimal", "precision": 18},
            "opaque:avro.decimal(18,0)",
        ),
    ],
)
def test_logical_types_carry_a_canonical_sql_type(logical: dict[str, Any], sql_type: str) -> None:
    assert normalize_avro(logical)["x-sql-type"] == sql_type


def test_decimal_keeps_its_numeric_bounds() -> None:
    balance = normalize_avro(user())["properties"]["balance"]
    assert balance["multipleOf"] == 0.01
    assert balance["exclusiveMaximum"] == 10**10


@pytest.mark.parametrize(
    "invalid",
    [
        {"type": "string", "logicalType": "date"},  # wrong underlying type
        {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 5},  # scale > precision
        {"type": "bytes", "logicalType": "decimal"},  # no precision
        {"type": "fixed", "name": "F", "size": 2, "logicalType": "decimal", "precision": 10},  # too big
        {"type": "long", "logicalType": "my-custom-type"},
    ],
)
def test_invalid_logical_types_are_ignored_as_the_spec_requires(invalid: dict[str, Any]) -> None:
    assert "x-sql-type" not in normalize_avro(invalid)


def test_unions() -> None:
    props = normalize_avro(user())["properties"]
    assert props["email"]["type"] == ["null", "string"]
    assert props["birthday"]["type"] == ["null", "string"]
    assert props["birthday"]["x-sql-type"] == "date"
    values = props["attributes"]["additionalProperties"]
    assert values["type"] == ["integer", "null", "string"]
    overlapping = normalize_avro(["int", "double"])
    assert [branch["type"] for branch in overlapping["anyOf"]] == ["integer", "number"]


def test_arrays_maps_and_fixed() -> None:
    props = normalize_avro(user())["properties"]
    assert props["tags"]["items"] == {"type": "string"}
    assert props["attributes"]["type"] == "object"
    assert props["fingerprint"] == {
        "type": "string",
        "title": "com.example.MD5",
        "minLength": 16,
        "maxLength": 16,
    }


def test_self_reference_of_the_top_record_points_at_the_root() -> None:
    referrer = normalize_avro(user())["properties"]["referrer"]
    assert referrer == {"anyOf": [{"type": "null"}, {"$ref": "#"}], "default": None}


def test_recursive_nested_record_goes_to_defs() -> None:
    schema = normalize_avro(
        record(
            {
                "name": "tree",
                "type": {
                    "type": "record",
                    "name": "Node",
                    "fields": [{"name": "children", "type": {"type": "array", "items": "Node"}}],
                },
            }
        )
    )
    assert schema["properties"]["tree"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert schema["$defs"]["Node"]["title"] == "Node"


def test_recursive_schema_validates_real_instances() -> None:
    schema = normalize_avro(user())
    instance = {
        "id": 1,
        "name": "Ada",
        "status": "ACTIVE",
        "balance": 12.5,
        "created_at": "2024-01-01T00:00:00Z",
        "fingerprint": "0123456789abcdef",
        "referrer": {
            "id": 2,
            "name": "Bob",
            "status": "SUSPENDED",
            "balance": 0,
            "created_at": "2024-01-01T00:00:00Z",
            "fingerprint": "fedcba9876543210",
        },
    }
    jsonschema.Draft202012Validator(schema).validate(instance)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate({**instance, "referrer": {"id": 3}})


def test_named_types_are_resolved_through_namespaces() -> None:
    schema = normalize_avro(
        {
            "type": "record",
            "name": "Outer",
            "namespace": "a.b",
            "fields": [
                {"name": "x", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
                {"name": "y", "type": "E"},
                {"name": "z", "type": "a.b.E"},
            ],
        }
    )
    assert schema["properties"]["y"] == schema["properties"]["x"] == schema["properties"]["z"]


def test_json_text_input() -> None:
    text = (FIXTURES / "user_v1.avsc").read_text()
    assert normalize_avro(text) == normalize_avro(user())
    assert normalize_avro('"string"') == normalize_avro("string")
    assert normalize_avro('["null", "int"]')["type"] == ["integer", "null"]


BAD = [
    (
        "undefined name",
        record({"name": "a", "type": "Missing"}),
        "'Missing' is not defined",
        "/fields/0/type",
    ),
    ("record without fields", {"type": "record", "name": "R"}, "needs a 'fields' list", "/fields"),
    ("record without name", {"type": "record", "fields": []}, "needs a 'name'", ""),
    ("field without type", record({"name": "a"}), "field 'a' has no 'type'", "/fields/0/type"),
    ("field without name", record({"type": "int"}), "field #0 needs a valid 'name'", "/fields/0"),
    (
        "duplicate field",
        record({"name": "a", "type": "int"}, {"name": "a", "type": "int"}),
        "field 'a' is declared twice",
        "/fields/1",
    ),
    ("enum without symbols", {"type": "enum", "name": "E", "symbols": []}, "non-empty 'symbols'", "/symbols"),
    (
        "enum with repeats",
        {"type": "enum", "name": "E", "symbols": ["A", "A"]},
        "repeats a symbol",
        "/symbols",
    ),
    ("fixed without size", {"type": "fixed", "name": "F"}, "non-negative 'size'", "/size"),
    ("array without items", {"type": "array"}, "needs 'items'", "/items"),
    ("map without values", {"type": "map"}, "needs 'values'", "/values"),
    ("nested union", ["null", ["int", "string"]], "may not contain a union", "/1"),
    ("empty union", [], "at least one branch", ""),
    ("number as schema", 42, "got int", ""),
    ("object without type", {"name": "x"}, "needs a 'type'", "/type"),
    (
        "type defined twice",
        record(
            {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
            {"name": "b", "type": {"type": "enum", "name": "E", "symbols": ["B"]}},
        ),
        "'E' is defined twice",
        "/fields/1/type",
    ),
    (
        "bad aliases",
        record({"name": "a", "type": "int", "aliases": "b"}),
        "'aliases' must be a list",
        "/fields/0/aliases",
    ),
    ("invalid JSON", '{"type": ', "not valid JSON", ""),
]


@pytest.mark.parametrize(
    ("document", "message", "pointer"), [(d, m, p) for _, d, m, p in BAD], ids=[i for i, _, _, _ in BAD]
)
def test_bad_input_raises_invalid_schema_with_a_pointer(document: Any, message: str, pointer: str) -> None:
    with pytest.raises(InvalidSchemaError, match=message) as info:
        normalize_avro(document)
    assert info.value.pointer == pointer
