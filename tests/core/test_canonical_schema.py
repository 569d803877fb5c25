"""``CanonicalSchema``: normalizer output that the engine compares without normalizing it again."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from tessera_core import (
    CanonicalSchema,
    SchemaFormat,
    check_compatibility,
    check_transitive_compatibility,
    normalize,
    normalize_jsonschema,
)

TABLE = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string", "nullable": True}},
    "required": ["id"],
    "additionalProperties": False,
}

DOCUMENTS: list[tuple[str, Any]] = [
    ("jsonschema", TABLE),
    ("jsonschema", {"$defs": {"n": {"properties": {"next": {"$ref": "#/$defs/n"}}}}, "$ref": "#/$defs/n"}),
    (
        "dbt",
        {
            "name": "orders",
            "adapter": "postgres",
            "columns": [
                {"name": "id", "data_type": "bigint", "constraints": [{"type": "primary_key"}]},
                {
                    "name": "status",
                    "data_type": "text",
                    "tests": [{"accepted_values": {"values": ["a", "b"]}}],
                },
                {"name": "amount", "data_type": "numeric(12,2)", "description": "in cents"},
            ],
        },
    ),
    (
        "avro",
        {
            "type": "record",
            "name": "R",
            "fields": [
                {"name": "id", "type": "long"},
                {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
                {"name": "next", "type": ["null", "R"], "default": None},
            ],
        },
    ),
    (
        "openapi",
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/users/{id}": {
                    "get": {
                        "parameters": [
                            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                        ],
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {"application/json": {"schema": {"type": "object"}}},
                            }
                        },
                    }
                }
            },
        },
    ),
]


@pytest.mark.parametrize(
    ("fmt", "document"), DOCUMENTS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(DOCUMENTS)]
)
def test_every_format_normalizes_to_a_canonical_schema_that_survives_storage(fmt: str, document: Any) -> None:
    canonical = normalize(document, fmt)
    assert isinstance(canonical, CanonicalSchema)
    stored = json.loads(json.dumps(canonical))  # what a database JSON column gives back
    assert type(stored) is dict
    assert stored == canonical
    # a JSON round trip of canonical output is still canonical: trusting stored output is sound
    assert normalize_jsonschema(stored) == canonical
    assert check_compatibility(CanonicalSchema.trusted(stored), canonical, "full").changes == ()


def test_normalizing_a_canonical_schema_again_returns_it_as_it_is() -> None:
    canonical = normalize(TABLE)
    assert normalize_jsonschema(canonical) is canonical
    assert normalize(canonical) is canonical


def test_a_canonical_schema_is_an_ordinary_dict_to_readers() -> None:
    canonical = normalize(TABLE)
    assert isinstance(canonical, dict)
    assert canonical == {
        "additionalProperties": False,
        "properties": {"id": {"type": ["integer"]}, "name": {"type": ["null", "string"]}},
        "required": ["id"],
        "type": ["object"],
    }
    assert json.loads(json.dumps(canonical, sort_keys=True)) == canonical
    assert canonical["required"] == ["id"]
    assert repr(canonical).startswith("CanonicalSchema({")


MUTATIONS: dict[str, Callable[[CanonicalSchema], Any]] = {
    "setitem": lambda s: s.__setitem__("type", ["string"]),
    "delitem": lambda s: s.__delitem__("type"),
    "update": lambda s: s.update({"type": ["string"]}),
    "setdefault": lambda s: s.setdefault("minProperties", 1),
    "pop": lambda s: s.pop("type"),
    "popitem": lambda s: s.popitem(),
    "clear": lambda s: s.clear(),
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_a_canonical_schema_cannot_be_modified(mutate: Callable[[CanonicalSchema], Any]) -> None:
    canonical = normalize(TABLE)
    with pytest.raises(TypeError, match=r"read-only; derive a new schema from copy\.deepcopy"):
        mutate(canonical)
    assert canonical == normalize(TABLE)


def test_in_place_union_is_refused_too() -> None:
    canonical = normalize(TABLE)
    with pytest.raises(TypeError, match="read-only"):
        canonical |= {"minProperties": 1}


@pytest.mark.parametrize("args", [(), ({"type": ["string"]},)])
def test_a_canonical_schema_cannot_be_constructed_from_arbitrary_input(args: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError, match=r"use tessera_core\.normalize"):
        CanonicalSchema(*args)


@pytest.mark.parametrize("value", [["type"], "schema", None, 3])
def test_trusted_rejects_what_is_not_a_mapping(value: Any) -> None:
    with pytest.raises(TypeError, match="a canonical schema is a mapping"):
        CanonicalSchema.trusted(value)


def test_trusted_of_a_canonical_schema_is_the_schema_itself() -> None:
    canonical = normalize(TABLE)
    assert CanonicalSchema.trusted(canonical) is canonical


def test_copies_are_plain_documents_that_get_normalized_again() -> None:
    canonical = normalize(TABLE)
    for derived in (copy.deepcopy(canonical), copy.copy(canonical), dict(canonical), {**canonical}):
        assert type(derived) is dict
        assert derived == canonical
    edited = copy.deepcopy(canonical)
    edited["properties"]["name"] = {"type": "string"}  # not canonical: a string, not a list
    assert canonical["properties"]["name"] == {"type": ["null", "string"]}  # the original is untouched
    report = check_compatibility(canonical, edited, "backward")
    assert [(c.rule, c.path) for c in report.changes] == [("became-not-nullable", "/properties/name/type")]


def test_pickling_keeps_the_canonical_mark() -> None:
    canonical = normalize(TABLE)
    restored = pickle.loads(pickle.dumps(canonical))
    assert isinstance(restored, CanonicalSchema)
    assert restored == canonical


def test_plain_documents_are_always_normalized_before_comparison() -> None:
    # equal meaning, different spelling: plain dicts are normalized, so nothing changed
    report = check_compatibility({"const": 1}, {"enum": [1]}, "full")
    assert report.changes == ()
    assert report.suggested_bump.value == "none"


def test_trusted_means_trusted_it_is_for_stored_normalizer_output_only() -> None:
    # the same two spellings, wrongly vouched for as canonical, are compared as they are: this is
    # why trusted() is documented for normalizer output only, and why plain dicts stay the default
    report = check_compatibility(
        CanonicalSchema.trusted({"const": 1}), CanonicalSchema.trusted({"enum": [1]}), "full"
    )
    assert report.changes != ()


def test_canonical_and_plain_inputs_mix_in_one_history() -> None:
    v1 = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    v2 = {**v1, "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    v3 = {**v1, "properties": {"a": {"type": "string"}, "b": {"type": "number"}}}
    stored_v1 = CanonicalSchema.trusted(json.loads(json.dumps(normalize(v1))))
    plain = check_transitive_compatibility([v1, v2], v3, "forward_transitive")
    mixed = check_transitive_compatibility([stored_v1, v2], normalize(v3), "forward_transitive")
    assert mixed == plain
    assert not mixed.compatible
    assert {(c.rule, c.path) for c in mixed.breaking_changes} == {
        ("property-added", "/properties/b"),  # against v1
        ("type-widened", "/properties/b/type"),  # against v2
    }


def test_normalize_returns_a_canonical_schema_for_every_format_name() -> None:
    for fmt in SchemaFormat:
        document = dict(DOCUMENTS[[f for f, _ in DOCUMENTS].index(fmt.value)][1])
        assert isinstance(normalize(document, fmt), CanonicalSchema)
