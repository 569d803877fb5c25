"""Every rule of the registry: a change that triggers it, the mode it breaks and a mode it does not."""

from __future__ import annotations

from typing import Any

import pytest

from tessera_core import RULES, Mode, Relation, Severity, check_compatibility

S = {"type": "string"}
OBJ = {"type": "object"}
A = {"type": "array"}
NUM = {"type": "number"}


def _with(base: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**base, **extra}


def _counts() -> dict[str, tuple[Any, Any]]:
    cases: dict[str, tuple[Any, Any]] = {}
    bases = {
        "length": ("Length", S),
        "items": ("Items", A),
        "properties": ("Properties", OBJ),
        "contains": ("Contains", _with(A, contains=S)),
    }
    for stem, (suffix, base) in bases.items():
        for bound in ("max", "min"):
            keyword = f"{bound}{suffix}"
            cases[f"{bound}-{stem}-increased"] = (_with(base, **{keyword: 2}), _with(base, **{keyword: 3}))
            cases[f"{bound}-{stem}-decreased"] = (_with(base, **{keyword: 3}), _with(base, **{keyword: 2}))
            cases[f"{bound}-{stem}-added"] = (base, _with(base, **{keyword: 2}))
            cases[f"{bound}-{stem}-removed"] = (_with(base, **{keyword: 2}), base)
    return cases


def _pair(old: Any, new: Any) -> dict[str, tuple[Any, Any]]:
    return {"": (old, new)}


CLOSED = _with(OBJ, properties={"a": S}, additionalProperties=False)
OPEN = _with(OBJ, properties={"a": S})

#: rule id -> (old schema, new schema) producing that rule
CASES: dict[str, tuple[Any, Any]] = {
    "schema-allowed": (_with(A, items=False), _with(A, items=S)),
    "schema-forbidden": (_with(A, items=S), _with(A, items=False)),
    "type-widened": ({"type": "integer"}, NUM),
    "type-narrowed": (NUM, {"type": "integer"}),
    "type-changed": (S, OBJ),
    "became-nullable": (S, {"type": ["string", "null"]}),
    "became-not-nullable": ({"type": ["string", "null"]}, S),
    "enum-value-added": ({"enum": ["a"]}, {"enum": ["a", "b"]}),
    "enum-value-removed": ({"enum": ["a", "b"]}, {"enum": ["a"]}),
    "enum-added": (S, {"enum": ["a"]}),
    "enum-removed": ({"enum": ["a"]}, S),
    "enum-replaced": (S, {"enum": [1]}),
    "maximum-increased": (_with(NUM, maximum=10), _with(NUM, maximum=20)),
    "maximum-decreased": (_with(NUM, maximum=20), _with(NUM, maximum=10)),
    "maximum-added": (NUM, _with(NUM, maximum=10)),
    "maximum-removed": (_with(NUM, maximum=10), NUM),
    "minimum-increased": (_with(NUM, minimum=10), _with(NUM, minimum=20)),
    "minimum-decreased": (_with(NUM, minimum=20), _with(NUM, minimum=10)),
    "minimum-added": (NUM, _with(NUM, minimum=10)),
    "minimum-removed": (_with(NUM, minimum=10), NUM),
    "multiple-of-added": (NUM, _with(NUM, multipleOf=2)),
    "multiple-of-removed": (_with(NUM, multipleOf=2), NUM),
    "multiple-of-reduced": (_with(NUM, multipleOf=4), _with(NUM, multipleOf=2)),
    "multiple-of-expanded": (_with(NUM, multipleOf=2), _with(NUM, multipleOf=4)),
    "multiple-of-changed": (_with(NUM, multipleOf=2), _with(NUM, multipleOf=3)),
    **_counts(),
    "pattern-added": (S, _with(S, pattern="^a")),
    "pattern-removed": (_with(S, pattern="^a"), S),
    "pattern-changed": (_with(S, pattern="^a"), _with(S, pattern="^b")),
    "format-added": (S, _with(S, format="date")),
    "format-removed": (_with(S, format="date"), S),
    "format-changed": (_with(S, format="date"), _with(S, format="email")),
    "unique-items-added": (A, _with(A, uniqueItems=True)),
    "unique-items-removed": (_with(A, uniqueItems=True), A),
    "contains-added": (A, _with(A, contains=S)),
    "contains-removed": (_with(A, contains=S), A),
    "property-added": (CLOSED, _with(CLOSED, properties={"a": S, "b": S})),
    "property-removed": (_with(CLOSED, properties={"a": S, "b": S}), CLOSED),
    "property-added-to-open-model": (OPEN, _with(OPEN, properties={"a": S, "b": S})),
    "property-removed-from-open-model": (_with(OPEN, properties={"a": S, "b": S}), OPEN),
    "property-renamed": (CLOSED, _with(CLOSED, properties={"b": _with(S, **{"x-aliases": ["a"]})})),
    "required-added": (OPEN, _with(OPEN, required=["a"])),
    "required-removed": (_with(OPEN, required=["a"]), OPEN),
    "additional-properties-closed": (OPEN, CLOSED),
    "additional-properties-opened": (CLOSED, OPEN),
    "additional-properties-narrowed": (OPEN, _with(OPEN, additionalProperties=S)),
    "additional-properties-widened": (_with(OPEN, additionalProperties=S), OPEN),
    "unevaluated-properties-closed": (OPEN, _with(OPEN, unevaluatedProperties=False)),
    "unevaluated-properties-opened": (_with(OPEN, unevaluatedProperties=False), OPEN),
    "unevaluated-properties-narrowed": (OPEN, _with(OPEN, unevaluatedProperties=S)),
    "unevaluated-properties-widened": (_with(OPEN, unevaluatedProperties=S), OPEN),
    "pattern-property-added": (OBJ, _with(OBJ, patternProperties={"^x_": S})),
    "pattern-property-removed": (_with(OBJ, patternProperties={"^x_": S}), OBJ),
    "dependent-required-added": (OBJ, _with(OBJ, dependentRequired={"a": ["b"]})),
    "dependent-required-removed": (_with(OBJ, dependentRequired={"a": ["b"]}), OBJ),
    "dependent-schema-added": (OBJ, _with(OBJ, dependentSchemas={"a": {"required": ["b"]}})),
    "dependent-schema-removed": (_with(OBJ, dependentSchemas={"a": {"required": ["b"]}}), OBJ),
    "any-of-branch-added": ({"anyOf": [S, NUM]}, {"anyOf": [S, NUM, OBJ]}),
    "any-of-branch-removed": ({"anyOf": [S, NUM, OBJ]}, {"anyOf": [S, NUM]}),
    "one-of-branch-added": ({"oneOf": [S, NUM]}, {"oneOf": [S, NUM, OBJ]}),
    "one-of-branch-removed": ({"oneOf": [S, NUM, OBJ]}, {"oneOf": [S, NUM]}),
    "one-of-changed": ({"oneOf": [S, {"maxLength": 3}]}, {"oneOf": [S, {"maxLength": 4}]}),
    "one-of-became-any-of": ({"oneOf": [S, {"maxLength": 3}]}, {"anyOf": [S, {"maxLength": 3}]}),
    "any-of-became-one-of": ({"anyOf": [S, {"maxLength": 3}]}, {"oneOf": [S, {"maxLength": 3}]}),
    "all-of-conjunct-added": ({"not": S}, {"allOf": [{"not": S}, {"not": NUM}]}),
    "all-of-conjunct-removed": ({"allOf": [{"not": S}, {"not": NUM}]}, {"not": S}),
    "not-added": (S, _with(S, **{"not": {"enum": ["x"]}})),
    "not-removed": (_with(S, **{"not": {"enum": ["x"]}}), S),
    "conditional-added": (OBJ, _with(OBJ, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}})),
    "conditional-removed": (_with(OBJ, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}), OBJ),
    "conditional-changed": (
        _with(OBJ, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
        _with(OBJ, **{"if": {"required": ["c"]}, "then": {"required": ["b"]}}),
    ),
    "annotation-changed": (_with(S, description="old"), _with(S, description="new")),
    "default-changed": (_with(S, default="a"), _with(S, default="b")),
    "deprecated-added": (S, _with(S, deprecated=True)),
    "deprecated-removed": (_with(S, deprecated=True), S),
    "guarantee-added": (S, _with(S, **{"x-unique": True})),
    "guarantee-removed": (_with(S, **{"x-unique": True}), S),
    "guarantee-changed": (
        _with(S, **{"x-relationship": {"to": "customers", "field": "id"}}),
        _with(S, **{"x-relationship": {"to": "clients", "field": "id"}}),
    ),
    "sql-type-widened": (
        {"type": "integer", "x-sql-type": "int32"},
        {"type": "integer", "x-sql-type": "int64"},
    ),
    "sql-type-narrowed": (
        {"type": "integer", "x-sql-type": "int64"},
        {"type": "integer", "x-sql-type": "int32"},
    ),
    "sql-type-changed": (
        {"type": "string", "x-sql-type": "timestamp_ntz(6)"},
        {"type": "string", "x-sql-type": "timestamp_tz(6)"},
    ),
}

#: relation -> (a mode the change breaks, a mode that allows it)
_MODES: dict[Relation, tuple[Mode | None, Mode]] = {
    Relation.WIDENING: (Mode.FORWARD, Mode.BACKWARD),
    Relation.NARROWING: (Mode.BACKWARD, Mode.FORWARD),
    Relation.INCOMPARABLE: (Mode.FULL, Mode.NONE),
    Relation.ANNOTATION: (None, Mode.FULL),
}


def _change(rule_id: str, mode: Mode, policy: str = "strict") -> Any:
    old, new = CASES[rule_id]
    report = check_compatibility(old, new, mode, policy=policy)  # type: ignore[arg-type]
    matching = [c for c in report.changes if c.rule == rule_id]
    assert matching, f"{rule_id} not reported; got {[c.rule for c in report.changes]}"
    return report, matching[0]


def test_every_rule_in_the_registry_has_a_case() -> None:
    assert sorted(CASES) == sorted(RULES)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_breaking_case(rule_id: str) -> None:
    breaks, _ = _MODES[RULES[rule_id].relation]
    if breaks is None:
        # annotations never break: even under full the change is reported, with its own severity
        report, change = _change(rule_id, Mode.FULL)
        assert report.compatible
        assert change.severity is RULES[rule_id].severity
        return
    report, change = _change(rule_id, breaks)
    assert not report.compatible
    assert change.severity is Severity.BREAKING
    assert change in report.breaking_changes
    assert report.suggested_bump.value == "major"


@pytest.mark.parametrize("rule_id", list(RULES))
def test_allowed_case(rule_id: str) -> None:
    rule = RULES[rule_id]
    _, allows = _MODES[rule.relation]
    _report, change = _change(rule_id, allows)
    assert change.severity is not Severity.BREAKING
    if allows is Mode.NONE:
        assert change.severity is Severity.DANGEROUS  # nothing breaks under none, readers are still warned
    else:
        assert change.severity is rule.severity
    assert change.relation is rule.relation
    assert change.message
    assert not any(placeholder in change.message for placeholder in ("{name", "{old", "{new"))


@pytest.mark.parametrize("rule_id", [rule_id for rule_id, rule in RULES.items() if rule.tolerant])
def test_tolerant_rules_never_break_under_the_lenient_policy(rule_id: str) -> None:
    breaks, _ = _MODES[RULES[rule_id].relation]
    assert breaks is not None
    _, strict = _change(rule_id, breaks)
    _, lenient = _change(rule_id, breaks, policy="lenient")
    assert strict.severity is Severity.BREAKING
    assert lenient.severity is not Severity.BREAKING


def test_rules_are_read_only_and_described() -> None:
    with pytest.raises(TypeError):
        RULES["property-removed"] = RULES["property-added"]  # type: ignore[index]
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule_id == rule_id.lower()
        assert " " not in rule_id
        assert rule.description.endswith(".")
        assert rule.kind is rule.relation
