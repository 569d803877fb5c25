"""Avro through the engine: the schema-resolution facts of compat-semantics.md §1.5."""

from __future__ import annotations

from typing import Any

import pytest

from tessera_core.compat.check import check_compatibility, check_transitive_compatibility
from tessera_core.schema.avro import normalize_avro


def rec(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "R", "namespace": "t", "fields": list(fields)}


ID = {"name": "id", "type": "long"}


def address(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "Address", "fields": list(fields)}


def verdicts(old: Any, new: Any) -> tuple[bool, bool]:
    a, b = normalize_avro(old), normalize_avro(new)
    return check_compatibility(a, b, "backward").compatible, check_compatibility(a, b, "forward").compatible


# (id, old, new, backward ok, forward ok)
FACTS: list[tuple[str, Any, Any, bool, bool]] = [
    (
        "add field with default: full",
        rec(ID),
        rec(ID, {"name": "x", "type": "string", "default": ""}),
        True,
        True,
    ),
    (
        "add field without default: forward only",
        rec(ID),
        rec(ID, {"name": "x", "type": "string"}),
        False,
        True,
    ),
    (
        "remove field with default: full",
        rec(ID, {"name": "x", "type": "int", "default": 0}),
        rec(ID),
        True,
        True,
    ),
    (
        "remove field without default: backward only",
        rec(ID, {"name": "x", "type": "int"}),
        rec(ID),
        True,
        False,
    ),
    (
        "add nullable field with null default: full",
        rec(ID),
        rec(ID, {"name": "x", "type": ["null", "string"], "default": None}),
        True,
        True,
    ),
    (
        "int -> long promotion",
        rec({"name": "n", "type": "int"}),
        rec({"name": "n", "type": "long"}),
        True,
        False,
    ),
    ("long -> int", rec({"name": "n", "type": "long"}), rec({"name": "n", "type": "int"}), False, True),
    (
        "int -> double promotion",
        rec({"name": "n", "type": "int"}),
        rec({"name": "n", "type": "double"}),
        True,
        False,
    ),
    (
        "long -> float promotion",
        rec({"name": "n", "type": "long"}),
        rec({"name": "n", "type": "float"}),
        True,
        False,
    ),
    (
        "float -> double",
        rec({"name": "n", "type": "float"}),
        rec({"name": "n", "type": "double"}),
        True,
        False,
    ),
    (
        "double -> float",
        rec({"name": "n", "type": "double"}),
        rec({"name": "n", "type": "float"}),
        False,
        True,
    ),
    (
        "string <-> bytes",
        rec({"name": "s", "type": "string"}),
        rec({"name": "s", "type": "bytes"}),
        True,
        True,
    ),
    ("string -> int", rec({"name": "s", "type": "string"}), rec({"name": "s", "type": "int"}), False, False),
    (
        "enum symbol removed",
        rec({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}}),
        rec({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}),
        False,
        True,
    ),
    (
        "enum symbol added",
        rec({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}),
        rec({"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}}),
        True,
        False,
    ),
    (
        "union branch added",
        rec({"name": "u", "type": ["null", "string"]}),
        rec({"name": "u", "type": ["null", "string", "int"]}),
        True,
        False,
    ),
    (
        "union branch removed",
        rec({"name": "u", "type": ["null", "string", "int"]}),
        rec({"name": "u", "type": ["null", "string"]}),
        False,
        True,
    ),
    (
        "field becomes nullable",
        rec({"name": "u", "type": "string"}),
        rec({"name": "u", "type": ["null", "string"]}),
        True,
        False,
    ),
    (
        "decimal precision grows: Avro matches decimals exactly",
        rec({"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}),
        rec({"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}}),
        False,
        False,
    ),
    (
        "decimal unchanged",
        rec({"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}),
        rec({"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}),
        True,
        True,
    ),
    (
        "fixed size changed",
        rec({"name": "f", "type": {"type": "fixed", "name": "F", "size": 8}}),
        rec({"name": "f", "type": {"type": "fixed", "name": "F", "size": 16}}),
        False,
        False,
    ),
    (
        "timestamp millis -> micros",
        rec({"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}}),
        rec({"name": "t", "type": {"type": "long", "logicalType": "timestamp-micros"}}),
        True,
        False,
    ),
    (
        "timestamp -> local-timestamp",
        rec({"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}}),
        rec({"name": "t", "type": {"type": "long", "logicalType": "local-timestamp-millis"}}),
        False,
        False,
    ),
    (
        "array items promoted",
        rec({"name": "a", "type": {"type": "array", "items": "int"}}),
        rec({"name": "a", "type": {"type": "array", "items": "long"}}),
        True,
        False,
    ),
    (
        "map values promoted",
        rec({"name": "m", "type": {"type": "map", "values": "float"}}),
        rec({"name": "m", "type": {"type": "map", "values": "double"}}),
        True,
        False,
    ),
    (
        "doc changed only",
        rec({"name": "n", "type": "int", "doc": "a"}),
        rec({"name": "n", "type": "int", "doc": "b"}),
        True,
        True,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "backward", "forward"), [f[1:] for f in FACTS], ids=[f[0] for f in FACTS]
)
def test_avro_resolution_fact(old: Any, new: Any, backward: bool, forward: bool) -> None:
    assert verdicts(old, new) == (backward, forward)


def test_recursive_schema_compared_to_itself_has_no_changes() -> None:
    linked = rec(ID, {"name": "next", "type": ["null", "t.R"], "default": None})
    report = check_compatibility(normalize_avro(linked), normalize_avro(linked), "full")
    assert report.compatible
    assert report.changes == ()


def test_change_inside_a_recursive_schema_is_found() -> None:
    old = rec(ID, {"name": "next", "type": ["null", "t.R"], "default": None})
    new = rec({"name": "id", "type": "int"}, {"name": "next", "type": ["null", "t.R"], "default": None})
    assert verdicts(old, new) == (False, True)


# Renames through field aliases. Avro resolution matches a *reader* field's aliases against writer
# field names, never the reverse: new readers (backward) find a renamed field's old data through
# the alias; old readers (forward) look for the old name in new data and fall back to its default.
# So a rename is backward compatible, and forward compatible only when the old field had a default.
RENAMES: list[tuple[str, Any, Any, bool, bool]] = [
    (
        "rename, old field without default: backward only",
        rec(ID, {"name": "full_name", "type": "string"}),
        rec(ID, {"name": "name", "type": "string", "aliases": ["full_name"]}),
        True,
        False,
    ),
    (
        "rename, old field with a default: full",
        rec(ID, {"name": "full_name", "type": "string", "default": ""}),
        rec(ID, {"name": "name", "type": "string", "default": "", "aliases": ["full_name"]}),
        True,
        True,
    ),
    (
        # judged like dropping a field's default (required-added): conservative, as for unrenamed fields
        "rename of a defaulted field into one without default",
        rec(ID, {"name": "nick", "type": ["null", "string"], "default": None}),
        rec(ID, {"name": "nickname", "type": ["null", "string"], "aliases": ["nick"]}),
        False,
        True,
    ),
    (
        "rename with a promotion int -> long",
        rec(ID, {"name": "n", "type": "int"}),
        rec(ID, {"name": "count", "type": "long", "aliases": ["old", "n"]}),
        True,
        False,
    ),
    (
        "rename with an incompatible type",
        rec(ID, {"name": "n", "type": "string", "default": ""}),
        rec(ID, {"name": "count", "type": "int", "default": 0, "aliases": ["n"]}),
        False,
        False,
    ),
    (
        "rename inside a nested record",
        rec(ID, {"name": "address", "type": address({"name": "zip", "type": "string"})}),
        rec(
            ID,
            {"name": "address", "type": address({"name": "postcode", "type": "string", "aliases": ["zip"]})},
        ),
        True,
        False,
    ),
    (
        "an alias whose old field is still there is no rename: a field without default is added",
        rec(ID, {"name": "full_name", "type": "string"}),
        rec(
            ID,
            {"name": "full_name", "type": "string"},
            {"name": "name", "type": "string", "aliases": ["full_name"]},
        ),
        False,
        True,
    ),
    (
        "an alias naming no old field is no rename: remove + add",
        rec(ID, {"name": "full_name", "type": "string"}),
        rec(ID, {"name": "name", "type": "string", "aliases": ["fullname"]}),
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "backward", "forward"), [r[1:] for r in RENAMES], ids=[r[0] for r in RENAMES]
)
def test_renamed_field_verdict(old: Any, new: Any, backward: bool, forward: bool) -> None:
    assert verdicts(old, new) == (backward, forward)


def test_renamed_field_with_the_old_name_in_aliases_is_not_remove_plus_add() -> None:
    old = rec(ID, {"name": "full_name", "type": "string"})
    new = rec(ID, {"name": "name", "type": "string", "aliases": ["full_name"]})
    backward = check_compatibility(normalize_avro(old), normalize_avro(new), "backward")
    assert backward.compatible
    assert {(c.rule, c.path) for c in backward.changes} == {
        ("property-renamed", "/properties/full_name"),
        ("annotation-changed", "/properties/name/x-aliases"),
        ("required-removed", "/properties/full_name"),  # old readers do not know the new name
    }
    renamed = next(c for c in backward.changes if c.rule == "property-renamed")
    assert (renamed.old, renamed.new, renamed.field) == ("full_name", "name", "full_name")
    assert renamed.message == "property 'full_name' renamed to \"name\""
    assert backward.suggested_bump.value == "minor"
    forward = check_compatibility(normalize_avro(old), normalize_avro(new), "forward")
    assert [(c.rule, c.path) for c in forward.breaking_changes] == [
        ("required-removed", "/properties/full_name")
    ]


def test_a_type_change_through_a_rename_is_reported_under_the_new_name() -> None:
    old = rec(ID, {"name": "n", "type": "long"})
    new = rec(ID, {"name": "count", "type": "int", "aliases": ["n"]})
    report = check_compatibility(normalize_avro(old), normalize_avro(new), "backward")
    assert [(c.rule, c.path) for c in report.breaking_changes] == [
        ("maximum-decreased", "/properties/count/maximum"),
        ("minimum-increased", "/properties/count/minimum"),
    ]


def test_renames_do_not_chain_transitively() -> None:
    # Confluent's objection to aliases: A{f1} -> B{f2, aliases [f1]} -> C{f2} passes step by step,
    # but C cannot read data written with A. The transitive modes compare C with A directly.
    a = normalize_avro(rec(ID, {"name": "f1", "type": "string"}))
    b = normalize_avro(rec(ID, {"name": "f2", "type": "string", "aliases": ["f1"]}))
    c = normalize_avro(rec(ID, {"name": "f2", "type": "string"}))
    assert check_compatibility(a, b, "backward").compatible
    assert check_compatibility(b, c, "backward").compatible
    assert check_transitive_compatibility([a, b], c, "backward").compatible
    report = check_transitive_compatibility([a, b], c, "backward_transitive")
    assert not report.compatible
    assert ("required-added", "/properties/f2") in {(ch.rule, ch.path) for ch in report.breaking_changes}
