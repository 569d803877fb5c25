"""The canonical model: equal meaning, equal structure."""

from __future__ import annotations

from typing import Any

import pytest

from tessera_core import InvalidSchemaError, SchemaFormat, detect_format, normalize, normalize_jsonschema


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"const": "a"}, {"enum": ["a"]}),
        ({"type": "string", "nullable": True}, {"type": ["null", "string"]}),
        ({"type": ["string", "null", "string"]}, {"type": ["null", "string"]}),
        ({"type": "integer", "exclusiveMaximum": 11}, {"type": "integer", "maximum": 10}),
        ({"type": "integer", "minimum": 0.5}, {"type": "integer", "minimum": 1}),
        (
            {"type": "number", "maximum": 10, "exclusiveMaximum": 10},
            {"type": "number", "exclusiveMaximum": 10},
        ),
        ({"maximum": 10, "exclusiveMaximum": True}, {"exclusiveMaximum": 10}),  # draft-04
        ({"type": ["integer", "number"]}, {"type": "number"}),
        ({"type": "string", "minLength": 0, "pattern": ".*"}, {"type": "string"}),
        ({"additionalProperties": True, "items": {}}, {}),
        (True, {}),
        (False, {"not": {}}),
        ({"anyOf": [{"type": "string"}]}, {"type": "string"}),
        ({"allOf": [{"type": "string"}, {"maxLength": 3}]}, {"type": "string", "maxLength": 3}),
        ({"allOf": [{"type": "number"}, {"type": "string"}]}, False),
        (
            {"anyOf": [{"type": "string"}, {"type": "string"}, {"type": "integer"}]},
            {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        ),
        ({"type": "string", "enum": ["a", 1, "b", "a"]}, {"enum": ["b", "a"]}),
        (
            {"items": [{"type": "string"}], "additionalItems": False},
            {"prefixItems": [{"type": "string"}], "items": False},
        ),
        ({"items": [{"type": "string"}, {}]}, {"prefixItems": [{"type": "string"}]}),
        ({"definitions": {"s": {"type": "string"}}, "$ref": "#/definitions/s"}, {"type": "string"}),
        (
            {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}},
            {"dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"required": ["d"]}}},
        ),
        ({"properties": {"a": {}, "b": {"type": "string"}}}, {"properties": {"b": {"type": "string"}}}),
        (
            {"properties": {"a": False, "b": {}}, "additionalProperties": False},
            {"properties": {"b": {}}, "additionalProperties": False},
        ),
        ({"required": ["b", "a", "b"]}, {"required": ["a", "b"]}),
        ({"if": {"required": ["a"]}}, {}),
        ({"type": "integer", "multipleOf": 1}, {"type": "integer"}),
    ],
    ids=lambda v: str(v)[:40],
)
def test_equal_meaning_normalizes_to_equal_structure(a: Any, b: Any) -> None:
    assert normalize_jsonschema(a) == normalize_jsonschema(b)


def test_recursive_refs_stay_as_refs_into_defs_and_normalization_is_idempotent() -> None:
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            }
        },
        "$ref": "#/$defs/node",
    }
    canonical = normalize_jsonschema(tree)
    assert canonical["$ref"] == "#/$defs/node"
    assert canonical["$defs"]["node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/node"}
    assert normalize_jsonschema(canonical) == canonical


def test_input_is_not_modified() -> None:
    schema = {"type": "string", "const": "a", "nullable": True}
    normalize_jsonschema(schema)
    assert schema == {"type": "string", "const": "a", "nullable": True}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([1], "must be an object or a boolean"),
        ({"type": "strnig"}, "unknown type 'strnig'"),
        ({"$ref": "#/definitions/nope"}, "does not resolve"),
        ({"$ref": "other.json#/a"}, "external $ref"),
        ({"properties": []}, "properties must be an object"),
        ({"anyOf": {"type": "string"}}, "anyOf must be an array"),
        ({"type": "number", "maximum": "10"}, "maximum must be a number"),
        ({"multipleOf": 0}, "multipleOf must be greater than 0"),
        ({"properties": {"a": 3}}, "expected a schema"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_invalid_schemas_raise_a_clear_error(document: Any, message: str) -> None:
    with pytest.raises(InvalidSchemaError, match=message.replace("$", r"\$")):
        normalize_jsonschema(document)


def test_invalid_schema_error_says_where() -> None:
    with pytest.raises(InvalidSchemaError) as info:
        normalize_jsonschema({"properties": {"a": {"properties": {"b": 3}}}})
    assert info.value.pointer == "/properties/a/properties/b"


@pytest.mark.parametrize(
    ("document", "filename", "expected"),
    [
        ({"type": "record", "name": "A", "fields": []}, None, SchemaFormat.AVRO),
        ({"type": "string"}, "user.avsc", SchemaFormat.AVRO),
        ({"openapi": "3.1.0", "paths": {}}, None, SchemaFormat.OPENAPI),
        ({"models": []}, None, SchemaFormat.DBT),
        ({"name": "orders", "columns": []}, None, SchemaFormat.DBT),
        ({"type": "object"}, "x.json", SchemaFormat.JSONSCHEMA),
        ([1, 2], None, SchemaFormat.JSONSCHEMA),
    ],
)
def test_detect_format(document: Any, filename: str | None, expected: SchemaFormat) -> None:
    assert detect_format(document, filename) is expected


def test_normalize_dispatches_by_format_and_rejects_unknown_formats() -> None:
    assert normalize({"const": 1}) == {"enum": [1]}
    assert normalize({"const": 1}, "jsonschema") == {"enum": [1]}
    with pytest.raises(InvalidSchemaError, match="unknown schema format 'protobuf'"):
        normalize({}, "protobuf")


def test_enum_filtering_tells_true_from_one_across_nodes() -> None:
    # the filter memoizes (assertions, value) pairs; JSON spelling keeps true, 1 and 1.0 apart
    schema = {
        "type": "object",
        "properties": {
            "flag": {"type": "boolean", "enum": [True, 1, 1.5]},
            "count": {"type": "integer", "enum": [True, 1, 1.5]},
            "ratio": {"type": "number", "enum": [True, 1, 1.5]},
            "again": {"type": "boolean", "enum": [True, 1, 1.5]},
        },
    }
    properties = normalize_jsonschema(schema)["properties"]
    assert properties["flag"] == {"enum": [True]}
    assert properties["count"] == {"enum": [1]}
    assert properties["ratio"] == {"enum": [1, 1.5]}
    assert properties["again"] == properties["flag"]


def test_type_lists_are_canonical_whatever_their_order_and_repeats() -> None:
    spellings = [["integer", "number"], ["number", "integer"], ["number", "integer", "number", "integer"]]
    for types in spellings:
        assert normalize_jsonschema({"type": types}) == {"type": ["number"]}
    every = ["array", "boolean", "integer", "null", "number", "object", "string"]
    assert normalize_jsonschema({"type": every}) == {}
    first, second = normalize_jsonschema({"type": ["string"]}), normalize_jsonschema({"type": ["string"]})
    assert first["type"] is not second["type"]  # no list is shared between outputs


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "text"}, "unknown type 'text'"),
        ({"type": ["string", "text", "blob"]}, "unknown type 'blob'"),
        ({"type": ["string", {"a": 1}]}, "type must be a string or an array of strings"),
        ({"type": 3}, "type must be a string or an array of strings"),
        ({"properties": {"a": {"type": ["strin"]}}}, "unknown type 'strin'"),
    ],
)
def test_bad_type_keywords_are_named(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidSchemaError, match=message):
        normalize_jsonschema(schema)
