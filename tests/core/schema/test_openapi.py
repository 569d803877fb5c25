"""OpenAPI documents -> one canonical schema (and one per operation): shape, refs, 3.0/3.1 forms, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.openapi import normalize_openapi, openapi_operations

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "openapi"


def users() -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / "users_v1.yaml").read_text())
    assert isinstance(data, dict)
    return data


def api(paths: dict[str, Any], version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def test_the_api_is_a_closed_object_of_operations() -> None:
    schema = normalize_openapi(users())
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["title"] == "Users"
    assert sorted(schema["properties"]) == ["GET /users/{id}", "PUT /users/{id}"]


def test_operation_shape() -> None:
    op = normalize_openapi(users())["properties"]["GET /users/{id}"]
    assert op["additionalProperties"] is False
    assert op["required"] == ["parameters", "responses"]
    assert op["x-operation-id"] == "getUser"
    assert "requestBody" not in op["properties"]
    put = normalize_openapi(users())["properties"]["PUT /users/{id}"]
    assert put["required"] == ["parameters", "requestBody", "responses"]
    assert put["deprecated"] is True


def test_parameters_merge_path_level_and_operation_level() -> None:
    params = normalize_openapi(users())["properties"]["GET /users/{id}"]["properties"]["parameters"]
    assert params["additionalProperties"] is False
    # header names are case-insensitive; Accept/Content-Type/Authorization headers are ignored
    assert sorted(params["properties"]) == ["header:x-request-id", "path:id", "query:fields", "query:verbose"]
    assert params["required"] == ["header:x-request-id", "path:id"]
    assert params["properties"]["query:verbose"] == {"type": "boolean", "default": False}


def test_responses_are_reversed_capabilities() -> None:
    responses = normalize_openapi(users())["properties"]["GET /users/{id}"]["properties"]["responses"]
    assert responses["x-tessera-reverse"] is True
    assert responses["x-tessera-tolerant"] is True
    assert responses["required"] == ["200"]  # success statuses are promised; others may come and go
    ok = responses["properties"]["200"]
    assert ok["required"] == ["content", "headers"]
    assert ok["properties"]["content"]["required"] == ["application/json"]
    assert ok["properties"]["headers"]["required"] == ["x-rate-limit"]
    assert sorted(ok["properties"]["headers"]["properties"]) == ["x-rate-limit", "x-trace"]
    not_found = responses["properties"]["404"]["properties"]["content"]["properties"][
        "application/problem+json"
    ]
    assert not_found["additionalProperties"] is False


def test_read_only_and_write_only_properties_follow_the_direction() -> None:
    ops = normalize_openapi(users())["properties"]
    request = ops["PUT /users/{id}"]["properties"]["requestBody"]["properties"]["application/json"]
    response = ops["GET /users/{id}"]["properties"]["responses"]["properties"]["200"]["properties"][
        "content"
    ]["properties"]["application/json"]
    assert "id" not in request["properties"]
    assert request["required"] == ["name"]
    assert "password" in request["properties"]
    assert "password" not in response["properties"]
    assert response["required"] == ["id", "name"]


def test_openapi_30_forms_become_2020_12() -> None:
    user = normalize_openapi(users())["properties"]["PUT /users/{id}"]["properties"]["requestBody"][
        "properties"
    ]["application/json"]
    assert user["properties"]["nickname"] == {"type": ["null", "string"]}
    assert user["properties"]["age"] == {"type": "integer", "minimum": 0, "exclusiveMaximum": 150}
    assert "x-tessera-tolerant" not in user  # open as written: judged strictly


def test_extensible_enum_constrains_requests_only() -> None:
    ops = normalize_openapi(users())["properties"]
    request = ops["PUT /users/{id}"]["properties"]["requestBody"]["properties"]["application/json"]
    response = ops["GET /users/{id}"]["properties"]["responses"]["properties"]["200"]["properties"][
        "content"
    ]["properties"]["application/json"]
    assert request["properties"]["role"] == {"type": "string", "enum": ["admin", "member"]}
    assert response["properties"]["role"] == {"type": "string"}


def test_recursive_component_becomes_a_def() -> None:
    schema = normalize_openapi(users())
    user = schema["properties"]["PUT /users/{id}"]["properties"]["requestBody"]["properties"][
        "application/json"
    ]
    assert user["properties"]["manager"] == {"$ref": "#/$defs/User@request"}
    assert set(schema["$defs"]) == {"User@request", "User@response"}
    # the whole document is a valid JSON Schema whose refs resolve
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(
        {
            "PUT /users/{id}": {
                "parameters": {"path:id": 1},
                "requestBody": {"application/json": {"name": "a", "manager": {"name": "b"}}},
                "responses": {"204": {}},
            }
        }
    )
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(
            {
                "PUT /users/{id}": {
                    "parameters": {"path:id": 1},
                    "requestBody": {"application/json": {"name": "a", "manager": {"name": 5}}},
                    "responses": {"204": {}},
                }
            }
        )


def test_operations_are_separate_contracts_with_their_defs() -> None:
    ops = openapi_operations(users())
    assert sorted(ops) == ["GET /users/{id}", "PUT /users/{id}"]
    assert set(ops["PUT /users/{id}"]["$defs"]) == {"User@request"}
    assert set(ops["GET /users/{id}"]["$defs"]) == {"User@response"}
    assert ops["GET /users/{id}"]["$schema"].endswith("2020-12/schema")
    whole = normalize_openapi(users())["properties"]
    for key, contract in ops.items():
        assert {k: v for k, v in contract.items() if k not in ("$schema", "$defs")} == whole[key]


def test_openapi_31_type_lists_and_ref_siblings() -> None:
    doc = api(
        {
            "/a": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "x": {"type": ["string", "null"]},
                                        "y": {"$ref": "#/components/schemas/S", "maxLength": 3},
                                        "z": {"$ref": "#/components/schemas/S", "description": "doc"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        components={"schemas": {"S": {"type": "string"}}},
    )
    props = normalize_openapi(doc)["properties"]["POST /a"]["properties"]["requestBody"]["properties"][
        "application/json"
    ]["properties"]
    assert props["x"] == {"type": ["string", "null"]}
    assert props["y"] == {"allOf": [{"type": "string"}, {"maxLength": 3}]}
    assert props["z"] == {"type": "string", "description": "doc"}


def test_webhooks_are_operations_too() -> None:
    doc = api({}, webhooks={"newPet": {"post": {"responses": {"200": {"description": "ok"}}}}})
    assert list(normalize_openapi(doc)["properties"]) == ["POST webhook:newPet"]


def test_vendor_extensions_in_schemas_cannot_reach_the_engine() -> None:
    doc = api(
        {
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"type": "string", "x-sql-type": "int32", "x-foo": 1}
                                }
                            }
                        }
                    }
                }
            }
        }
    )
    content = normalize_openapi(doc)["properties"]["GET /a"]["properties"]["responses"]["properties"]["200"][
        "properties"
    ]["content"]
    assert content["properties"]["application/json"] == {"type": "string"}


BAD = [
    ("not a mapping", ["openapi"], "must be an object", ""),
    ("swagger 2", {"swagger": "2.0", "paths": {}}, "Swagger 2.0 is not supported", "/swagger"),
    ("no version", {"paths": {}}, "expected 'openapi: 3.0.x' or '3.1.x'", "/openapi"),
    ("paths not an object", {"openapi": "3.0.0", "paths": []}, "'paths' must be an object", "/paths"),
    (
        "external ref",
        api({"/a": {"get": {"responses": {"200": {"$ref": "other.yaml#/x"}}}}}),
        "only local references",
        "/paths/~1a/get/responses/200",
    ),
    (
        "dangling ref",
        api({"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/Nope"}], "responses": {}}}}),
        "does not resolve",
        "/paths/~1a/get/parameters/0",
    ),
    (
        "parameter without in",
        api({"/a": {"get": {"parameters": [{"name": "x"}], "responses": {}}}}),
        "needs a 'name' and 'in'",
        "/paths/~1a/get/parameters/0",
    ),
    (
        "schema not an object",
        api({"/a": {"post": {"requestBody": {"content": {"a/b": {"schema": 3}}}, "responses": {}}}}),
        "a schema must be an object",
        "/paths/~1a/post/requestBody/content/a~1b/schema",
    ),
    (
        "allOf not a list",
        api(
            {
                "/a": {
                    "post": {"requestBody": {"content": {"a/b": {"schema": {"allOf": {}}}}}, "responses": {}}
                }
            }
        ),
        "allOf must be a list",
        "/paths/~1a/post/requestBody/content/a~1b/schema/allOf",
    ),
    (
        "responses not an object",
        api({"/a": {"get": {"responses": []}}}),
        "responses must be an object",
        "/paths/~1a/get/responses",
    ),
    (
        "operation not an object",
        api({"/a": {"get": "nope"}}),
        "an operation must be an object",
        "/paths/~1a/get",
    ),
]


@pytest.mark.parametrize(
    ("document", "message", "pointer"), [(d, m, p) for _, d, m, p in BAD], ids=[i for i, _, _, _ in BAD]
)
def test_bad_input_raises_invalid_schema_with_a_pointer(document: Any, message: str, pointer: str) -> None:
    with pytest.raises(InvalidSchemaError, match=message) as info:
        normalize_openapi(document)
    assert info.value.pointer == pointer
    with pytest.raises(InvalidSchemaError, match=message):
        openapi_operations(document)
