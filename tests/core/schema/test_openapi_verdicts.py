"""OpenAPI through the engine: requests judged backward, responses forward (oasdiff's split)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tessera_core.compat.check import check_compatibility
from tessera_core.schema.openapi import normalize_openapi, openapi_operations

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "openapi"
Edit = Callable[[dict[str, Any]], None]


def users() -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / "users_v1.yaml").read_text())
    assert isinstance(data, dict)
    return data


def get_op(doc: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = doc["paths"]["/users/{id}"]["get"]
    return op


def user_schema(doc: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"]["User"]
    return schema


def ok_response(doc: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = get_op(doc)["responses"]["200"]
    return response


EDITS: list[tuple[str, Edit, bool]] = [
    ("remove an operation", lambda d: d["paths"]["/users/{id}"].pop("put"), False),
    (
        "add an operation",
        lambda d: d["paths"].__setitem__("/health", {"get": {"responses": {"200": {}}}}),
        True,
    ),
    (
        "add an optional query parameter",
        lambda d: get_op(d)["parameters"].append({"name": "q", "in": "query", "schema": {"type": "string"}}),
        True,
    ),
    (
        "add a required header parameter",
        lambda d: get_op(d)["parameters"].append(
            {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
        ),
        False,
    ),
    ("remove a query parameter", lambda d: get_op(d)["parameters"].pop(0), False),
    (
        "make a query parameter required",
        lambda d: get_op(d)["parameters"][0].__setitem__("required", True),
        False,
    ),
    ("remove the success status", lambda d: get_op(d)["responses"].pop("200"), False),
    ("remove an error status", lambda d: get_op(d)["responses"].pop("404"), True),
    ("add a status", lambda d: get_op(d)["responses"].__setitem__("201", {"description": "created"}), True),
    ("remove a response media type", lambda d: ok_response(d)["content"].pop("application/json"), False),
    (
        "add a response media type",
        lambda d: ok_response(d)["content"].__setitem__("text/csv", {"schema": {"type": "string"}}),
        True,
    ),
    ("remove a required response header", lambda d: ok_response(d)["headers"].pop("X-Rate-Limit"), False),
    (
        "response header becomes optional",
        lambda d: ok_response(d)["headers"]["X-Rate-Limit"].__setitem__("required", False),
        False,
    ),
    (
        "add a response header",
        lambda d: ok_response(d)["headers"].__setitem__("X-New", {"schema": {"type": "string"}}),
        True,
    ),
    (
        "request body becomes optional",
        lambda d: d["paths"]["/users/{id}"]["put"]["requestBody"].pop("required"),
        True,
    ),
    (
        "request property gets shorter (request and response share the schema)",
        lambda d: user_schema(d)["properties"]["name"].__setitem__("maxLength", 50),
        False,
    ),
    (
        "response-only property (readOnly) gets a bound: responses narrow",
        lambda d: user_schema(d)["properties"]["id"].__setitem__("minimum", 1),
        True,
    ),
    (
        "request-only property (writeOnly) is removed",
        lambda d: user_schema(d)["properties"].pop("password"),
        True,
    ),
    (
        "extensible enum gains a value",
        lambda d: user_schema(d)["properties"]["role"]["x-extensible-enum"].append("guest"),
        True,
    ),
    (
        "extensible enum loses a value (clients may still send it)",
        lambda d: user_schema(d)["properties"]["role"]["x-extensible-enum"].pop(),
        False,
    ),
    ("description changes", lambda d: get_op(d).__setitem__("description", "new words"), True),
    ("operation deprecated", lambda d: get_op(d).__setitem__("deprecated", True), True),
]


@pytest.mark.parametrize(("edit", "compatible"), [(e, c) for _, e, c in EDITS], ids=[i for i, _, _ in EDITS])
def test_backward_verdict(edit: Edit, compatible: bool) -> None:
    old = users()
    new = copy.deepcopy(old)
    edit(new)
    report = check_compatibility(normalize_openapi(old), normalize_openapi(new), "backward")
    assert report.compatible is compatible, [(c.rule, c.path, c.severity.value) for c in report.changes]


def test_nullable_response_property_breaks_clients_but_nullable_request_property_does_not() -> None:
    old = users()
    new = copy.deepcopy(old)
    user_schema(new)["properties"]["name"]["nullable"] = True
    report = check_compatibility(normalize_openapi(old), normalize_openapi(new), "backward")
    breaking = [c.path for c in report.breaking_changes]
    assert breaking
    assert all("/properties/responses/" in path for path in breaking)


def test_identical_documents_have_no_changes() -> None:
    report = check_compatibility(normalize_openapi(users()), normalize_openapi(users()), "full")
    assert report.compatible
    assert report.changes == ()


def test_per_operation_contracts_isolate_changes() -> None:
    old = users()
    new = copy.deepcopy(old)
    get_op(new)["responses"].pop("200")
    old_ops, new_ops = openapi_operations(old), openapi_operations(new)
    assert not check_compatibility(old_ops["GET /users/{id}"], new_ops["GET /users/{id}"]).compatible
    assert check_compatibility(old_ops["PUT /users/{id}"], new_ops["PUT /users/{id}"]).changes == ()
