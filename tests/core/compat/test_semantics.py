"""Engine semantics beyond single rules: the weak spots of existing checkers (DESIGN.md §3)."""

from __future__ import annotations

from typing import Any

import pytest

from tessera_core import (
    Bump,
    Change,
    Mode,
    Relation,
    Severity,
    check_compatibility,
    check_transitive_compatibility,
)

S = {"type": "string"}


def _rules(report: Any) -> list[str]:
    return [c.rule for c in report.changes]


def test_identical_canonical_schemas_have_no_changes_and_no_bump() -> None:
    report = check_compatibility({"const": "a", "type": "string"}, {"enum": ["a"]}, "full")
    assert report.compatible
    assert report.changes == ()
    assert report.suggested_bump is Bump.NONE


def test_numeric_bounds_compare_as_intervals() -> None:
    # maximum: 10 -> exclusiveMaximum: 11 is a widening for numbers (Confluent reports remove+add)
    report = check_compatibility(
        {"type": "number", "maximum": 10}, {"type": "number", "exclusiveMaximum": 11}
    )
    assert report.compatible
    assert _rules(report) == ["maximum-increased"]
    # and equivalent for integers
    assert (
        check_compatibility(
            {"type": "integer", "maximum": 10}, {"type": "integer", "exclusiveMaximum": 11}, "full"
        ).changes
        == ()
    )
    # same value, inclusive -> exclusive is a narrowing
    narrowed = check_compatibility(
        {"type": "number", "maximum": 10}, {"type": "number", "exclusiveMaximum": 10}
    )
    assert _rules(narrowed) == ["maximum-decreased"]
    assert not narrowed.compatible


def test_const_to_enum_is_a_widening_not_a_type_change() -> None:
    report = check_compatibility({"const": "a"}, {"enum": ["a", "b"]})
    assert report.compatible
    assert _rules(report) == ["enum-value-added"]
    assert report.changes[0].severity is Severity.DANGEROUS
    assert not check_compatibility({"const": "a"}, {"enum": ["a", "b"]}, "forward").compatible


def test_required_with_default_still_breaks_backward() -> None:
    old = {"type": "object", "properties": {"a": S}}
    new = {"type": "object", "properties": {"a": {**S, "default": "x"}}, "required": ["a"]}
    report = check_compatibility(old, new)
    assert not report.compatible
    assert [c.rule for c in report.breaking_changes] == ["required-added"]


def test_format_changes_are_seen() -> None:
    assert not check_compatibility(S, {**S, "format": "date-time"}).compatible
    removed = check_compatibility({**S, "format": "date-time"}, S)
    assert removed.compatible
    assert removed.changes[0].severity is Severity.DANGEROUS


def test_array_becoming_nullable_while_its_items_change() -> None:
    old = {"type": "array", "items": {"type": "integer"}}
    new = {"type": ["array", "null"], "items": {"type": "number"}}
    report = check_compatibility(old, new)
    assert report.compatible
    assert sorted(_rules(report)) == ["became-nullable", "type-widened"]
    assert {c.path for c in report.changes} == {"/type", "/items/type"}
    assert not check_compatibility(old, new, "forward").compatible


@pytest.mark.parametrize(
    ("old", "new", "compatible"),
    [
        (
            {"type": "array", "prefixItems": [S], "items": False},
            {"type": "array", "prefixItems": [S, S], "items": False},
            True,
        ),
        (
            {"type": "array", "prefixItems": [S, S], "items": False},
            {"type": "array", "prefixItems": [S], "items": False},
            False,
        ),
        ({"type": "array", "items": [S]}, {"type": "array", "prefixItems": [S]}, True),
        ({"type": "array", "items": S}, {"type": "array", "items": True}, True),
        ({"type": "array", "items": True}, {"type": "array", "items": False}, False),
    ],
    ids=[
        "tuple-item-added-closed",
        "tuple-item-removed-closed",
        "draft07-tuple-equals-prefixItems",
        "items-true",
        "items-false",
    ],
)
def test_tuples_and_boolean_sub_schemas(old: Any, new: Any, compatible: bool) -> None:
    assert check_compatibility(old, new).compatible is compatible


def test_if_then_else_contains_property_names_dependent_required_are_compared() -> None:
    obj = {"type": "object"}
    cases = {
        "conditional-added": {**obj, "if": {"required": ["a"]}, "then": {"required": ["b"]}},
        "contains-added": {"type": "array", "contains": S},
        "max-length-added": {**obj, "propertyNames": {"maxLength": 3}},
        "dependent-required-added": {**obj, "dependentRequired": {"a": ["b"]}},
        "pattern-property-added": {**obj, "patternProperties": {"^x": S}},
    }
    for rule, new in cases.items():
        old = {"type": "array"} if rule == "contains-added" else obj
        report = check_compatibility(old, new)
        assert rule in _rules(report)
        assert not report.compatible, rule


def test_then_branch_changes_are_judged_in_place() -> None:
    old = {"if": {"required": ["a"]}, "then": {"properties": {"b": {"maxLength": 3}}}}
    new = {"if": {"required": ["a"]}, "then": {"properties": {"b": {"maxLength": 5}}}}
    report = check_compatibility(old, new)
    assert report.compatible
    assert [(c.rule, c.path) for c in report.changes] == [
        ("max-length-increased", "/then/properties/b/maxLength")
    ]


def test_any_of_branches_are_matched_not_compared_by_position() -> None:
    old = {"anyOf": [{"type": "integer"}, S]}
    new = {"anyOf": [{**S, "description": "text"}, {"type": "number"}, {"type": "boolean"}]}
    report = check_compatibility(old, new)
    assert report.compatible
    assert "any-of-branch-removed" not in _rules(report)


def test_not_is_judged_in_reverse() -> None:
    assert check_compatibility({"not": {"type": "number"}}, {"not": {"type": "integer"}}).compatible
    assert not check_compatibility({"not": {"type": "integer"}}, {"not": {"type": "number"}}).compatible


def test_recursive_refs_terminate_and_changes_inside_are_found() -> None:
    def tree(leaf: Any) -> Any:
        return {
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": {"v": leaf, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                }
            },
            "$ref": "#/$defs/node",
        }

    assert check_compatibility(tree(S), tree(S), "full").changes == ()
    report = check_compatibility(tree({"type": "integer"}), tree({"type": "number"}))
    assert report.compatible
    assert [(c.rule, c.path) for c in report.changes] == [("type-widened", "/properties/v/type")]


def test_sql_type_decides_the_type_part_and_suppresses_bounds() -> None:
    old = {"type": "integer", "x-sql-type": "int32", "minimum": -(2**31), "maximum": 2**31 - 1}
    new = {"type": "integer", "x-sql-type": "int64", "minimum": -(2**63), "maximum": 2**63 - 1}
    report = check_compatibility(old, new)
    assert _rules(report) == ["sql-type-widened"]
    assert report.compatible
    assert not check_compatibility(old, new, "forward").compatible
    # nullability is still diffed generically
    nullable = check_compatibility(old, {**old, "type": ["integer", "null"]})
    assert _rules(nullable) == ["became-nullable"]


def test_reverse_annotation_judges_a_sub_schema_in_the_other_direction() -> None:
    def contract(response: Any) -> Any:
        return {"type": "object", "properties": {"response": {**response, "x-tessera-reverse": True}}}

    old, new = contract({"type": "string", "maxLength": 10}), contract({"type": "string", "maxLength": 20})
    report = check_compatibility(old, new, "backward")
    assert not report.compatible  # a response that may now be longer breaks existing readers
    assert report.changes[0].relation is Relation.NARROWING
    assert check_compatibility(old, new, "forward").compatible
    # nested reverse flips back
    nested_old = contract(
        {"type": "object", "properties": {"x": {"maxLength": 10, "x-tessera-reverse": True}}}
    )
    nested_new = contract(
        {"type": "object", "properties": {"x": {"maxLength": 20, "x-tessera-reverse": True}}}
    )
    assert check_compatibility(nested_old, nested_new, "backward").compatible


def test_tolerant_objects_are_judged_with_lenient_semantics() -> None:
    old = {
        "type": "object",
        "properties": {"a": S, "b": S},
        "additionalProperties": False,
        "x-tessera-tolerant": True,
    }
    new = {
        "type": "object",
        "properties": {"a": S, "c": S},
        "additionalProperties": False,
        "x-tessera-tolerant": True,
    }
    assert check_compatibility(old, new, "full").compatible
    strict = {k: v for k, v in old.items() if k != "x-tessera-tolerant"}
    assert not check_compatibility(
        strict, {k: v for k, v in new.items() if k != "x-tessera-tolerant"}, "full"
    ).compatible
    # a required addition still breaks tolerant readers
    assert not check_compatibility(old, {**new, "required": ["c"]}).compatible


def test_guarantees_added_narrow_and_removed_widen() -> None:
    old = {"type": "string", "x-unique": True, "x-checks": ["length(x) > 0"]}
    assert check_compatibility(old, {"type": "string", "x-unique": True}, "backward").compatible
    removed = check_compatibility(old, {"type": "string", "x-unique": True}, "forward")
    assert not removed.compatible
    assert removed.changes[0].rule == "guarantee-removed"
    assert check_compatibility(
        old, {**old, "x-checks": ["length(x) > 0", "x <> 'n/a'"]}, "forward"
    ).compatible


def test_annotations_are_safe_and_deprecation_is_dangerous() -> None:
    old = {"type": "string", "description": "a", "x-owner": "team-a", "examples": ["x"]}
    new = {"type": "string", "description": "b", "x-owner": "team-b", "examples": ["y"], "deprecated": True}
    report = check_compatibility(old, new, "full")
    assert report.compatible
    severities = {c.rule: c.severity for c in report.changes}
    assert severities["annotation-changed"] is Severity.SAFE
    assert severities["deprecated-added"] is Severity.DANGEROUS
    assert report.suggested_bump is Bump.PATCH


def test_none_mode_is_always_compatible_but_still_warns_and_bumps_major() -> None:
    report = check_compatibility({"type": "string"}, {"type": "integer"}, "none")
    assert report.compatible
    assert report.changes[0].severity is Severity.DANGEROUS
    assert report.suggested_bump is Bump.MAJOR


def test_bumps_follow_the_verdict() -> None:
    obj = {"type": "object", "properties": {"a": S}, "additionalProperties": False}
    added = {**obj, "properties": {"a": S, "b": S}}
    assert check_compatibility(obj, added).suggested_bump is Bump.MINOR
    assert check_compatibility(added, obj).suggested_bump is Bump.MAJOR
    assert check_compatibility(added, obj, "forward").suggested_bump is Bump.PATCH
    assert check_compatibility(obj, {**obj, "title": "A"}).suggested_bump is Bump.PATCH


def test_report_shape_and_change_field() -> None:
    old = {"type": "object", "properties": {"amount": {"type": "string", "maxLength": 10}}}
    new = {"type": "object", "properties": {"amount": {"type": "string", "maxLength": 5}}}
    report = check_compatibility(old, new, Mode.FULL)
    assert report.to_dict() == {
        "compatible": False,
        "mode": "full",
        "suggested_bump": "major",
        "changes": [
            {
                "rule": "max-length-decreased",
                "path": "/properties/amount/maxLength",
                "severity": "breaking",
                "message": "maximum string length decreased from 10 to 5",
            }
        ],
    }
    (change,) = report.changes
    assert change.field == "amount"
    assert (change.old, change.new) == (10, 5)
    assert Change("x", "/maxLength", Severity.SAFE, "", Relation.WIDENING).field is None
    assert Change("x", "/properties/a~1b/type", Severity.SAFE, "", Relation.WIDENING).field == "a/b"


def test_bad_mode_or_policy_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown mode 'sideways'"):
        check_compatibility(S, S, "sideways")
    with pytest.raises(ValueError, match="unknown policy"):
        check_compatibility(S, S, policy="loose")  # type: ignore[arg-type]


class TestTransitive:
    V1 = {"type": "object", "properties": {"a": S}}
    V2 = {"type": "object", "properties": {}}
    V3 = {"type": "object", "properties": {"a": {"type": "integer"}}}

    def test_each_step_compatible_but_the_chain_is_not_under_tolerant_readers(self) -> None:
        history = [self.V1, self.V2]
        latest = check_transitive_compatibility(history, self.V3, "backward", policy="lenient")
        assert latest.compatible
        transitive = check_transitive_compatibility(history, self.V3, "backward_transitive", policy="lenient")
        assert not transitive.compatible
        assert transitive.suggested_bump is Bump.MAJOR
        assert [(c.rule, c.path) for c in transitive.breaking_changes] == [
            ("type-changed", "/properties/a/type")
        ]

    def test_non_transitive_modes_only_look_at_the_latest(self) -> None:
        report = check_transitive_compatibility([{"type": "integer"}, S], S, "backward")
        assert report.compatible
        assert report.changes == ()

    def test_empty_history_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            check_transitive_compatibility([], S)


def _table(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _renamed_from(*names: str, schema: dict[str, Any] = S) -> dict[str, Any]:
    return {**schema, "x-aliases": list(names)}


def test_rename_through_x_aliases_in_a_closed_object() -> None:
    old, new = _table(id=S, a=S), _table(id=S, b=_renamed_from("a"))
    backward = check_compatibility(old, new, "backward")
    assert backward.compatible
    assert ("property-renamed", "/properties/a") in {(c.rule, c.path) for c in backward.changes}
    assert "property-removed" not in _rules(backward)
    assert "property-added" not in _rules(backward)
    assert "required-added" not in _rules(backward)  # b inherits a's requirement
    # a strict old reader rejects the unknown name and misses the required one
    forward = check_compatibility(old, new, "forward")
    assert {(c.rule, c.path) for c in forward.breaking_changes} == {
        ("property-renamed", "/properties/a"),
        ("required-removed", "/properties/a"),
    }
    assert check_compatibility(old, new, "forward", policy="lenient").breaking_changes == (
        next(c for c in forward.breaking_changes if c.rule == "required-removed"),
    )


def test_rename_of_an_optional_property_into_a_required_one_breaks_backward() -> None:
    old = {**_table(id=S, a=S), "required": ["id"]}
    new = _table(id=S, b=_renamed_from("a"))
    report = check_compatibility(old, new, "backward")
    assert [(c.rule, c.path) for c in report.breaking_changes] == [("required-added", "/properties/b")]


def test_without_a_matching_alias_a_rename_is_remove_plus_add() -> None:
    old = _table(id=S, a=S)
    for new in (
        _table(id=S, b=S),
        _table(id=S, b=_renamed_from("c")),
        _table(id=S, a=S, b=_renamed_from("a")),
    ):
        rules = _rules(check_compatibility(old, new, "backward"))
        assert "property-renamed" not in rules
        assert "property-added" in rules


def test_open_objects_do_not_match_renames() -> None:
    # in an open object old documents may carry the new name already, with any value
    old = {"type": "object", "properties": {"a": S}}
    new = {"type": "object", "properties": {"b": _renamed_from("a")}}
    report = check_compatibility(old, new, "backward")
    assert "property-renamed" not in _rules(report)
    assert not report.compatible


def test_two_properties_claiming_one_old_name_rename_only_the_first() -> None:
    old = _table(id=S, a=S)
    new = _table(id=S, b=_renamed_from("a"), c=_renamed_from("a"))
    report = check_compatibility(old, new, "backward")
    assert [(c.rule, c.new) for c in report.changes if c.rule == "property-renamed"] == [
        ("property-renamed", "b")
    ]
    assert ("property-added", "/properties/c") in {(c.rule, c.path) for c in report.changes}
    assert not report.compatible  # c is a new required property


def test_a_rename_and_a_type_change_are_both_reported() -> None:
    old = _table(id=S, n={"type": "integer"})
    new = _table(id=S, count=_renamed_from("n", schema={"type": "string"}))
    report = check_compatibility(old, new, "backward")
    assert not report.compatible
    assert [(c.rule, c.path) for c in report.breaking_changes] == [("type-changed", "/properties/count/type")]
