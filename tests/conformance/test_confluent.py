"""Confluent Schema Registry's JSON Schema compatibility suite (263 cases) against our engine.

Every case runs in backward mode (strict, and lenient where the fixture gives
``compatible_lenient``) and must agree with Confluent, except the cases listed in
:data:`DELIBERATE_DISAGREEMENTS`, where Confluent is unsound (compat-semantics.md §1.6): for
those we assert *our* verdict, and a second test proves it with a concrete document that the
``jsonschema`` validator accepts under the old schema and (for our "incompatible") rejects under
the new one, or (for our "compatible") shows the keyword Confluent relies on is ignored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from tessera_core import check_compatibility, normalize_jsonschema
from tessera_core.diff import diff_schemas

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "confluent-jsonschema"
FILES = (
    "diff-schema-examples.json",
    "diff-combined-schema-examples.json",
    "diff-schema-examples-2020-12.json",
    "diff-combined-schema-examples-2020-12.json",
)

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"Confluent fixtures not found at {FIXTURES}")

_REQUIRED_UNDECLARED = (
    "Confluent ignores `required` names that are not declared in `properties`; JSON Schema does not: "
    "`bar` becomes required, so old documents without `bar` are rejected (required-added)."
)
_ADDITIONAL_ITEMS_IGNORED = (
    "`additionalItems` is ignored unless `items` is a tuple (draft-07 §6.4.2; jsonschema agrees), so "
    "the change constrains nothing and cannot break anyone."
)

#: (file, description) -> (our backward verdict, why Confluent is wrong).
DELIBERATE_DISAGREEMENTS: dict[tuple[str, str], tuple[bool, str]] = {
    ("diff-schema-examples.json", "Detect required array to be changed"): (False, _REQUIRED_UNDECLARED),
    ("diff-schema-examples-2020-12.json", "Detect required array to be changed"): (
        False,
        _REQUIRED_UNDECLARED,
    ),
    ("diff-schema-examples.json", "Detect removed boolean additional items"): (
        True,
        _ADDITIONAL_ITEMS_IGNORED,
    ),
    ("diff-schema-examples.json", "Detect changes to additional items schema"): (
        True,
        _ADDITIONAL_ITEMS_IGNORED,
    ),
}

#: Witness documents for the disagreements: valid under the old schema, and (when we say
#: incompatible) invalid under the new one / (when we say compatible) still valid under it.
WITNESSES: dict[tuple[str, str], Any] = {
    ("diff-schema-examples.json", "Detect required array to be changed"): {"foo": "x"},
    ("diff-schema-examples-2020-12.json", "Detect required array to be changed"): {"foo": "x"},
    ("diff-schema-examples.json", "Detect removed boolean additional items"): [1, "a", None],
    ("diff-schema-examples.json", "Detect changes to additional items schema"): [1, "a", None],
}


def _load(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / name).read_text()
    # diff-schema-examples-2020-12.json has trailing commas (see the fixture README)
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))  # type: ignore[no-any-return]


def _cases() -> list[Any]:
    if not FIXTURES.is_dir():
        return []
    cases = []
    for name in FILES:
        for index, case in enumerate(_load(name)):
            cases.append(
                pytest.param(name, case, id=f"{name.removesuffix('.json')}#{index}: {case['description']}")
            )
    return cases


CASES = _cases()


def test_the_suite_has_263_cases() -> None:
    assert len(CASES) == 263


@pytest.mark.parametrize(("name", "case"), CASES)
def test_backward_verdict_matches_confluent(name: str, case: dict[str, Any]) -> None:
    old, new = case["original_schema"], case["update_schema"]
    strict = check_compatibility(old, new, "backward")
    lenient = check_compatibility(old, new, "backward", policy="lenient")
    key = (name, case["description"])
    if key in DELIBERATE_DISAGREEMENTS:
        ours, _reason = DELIBERATE_DISAGREEMENTS[key]
        assert case["compatible"] is not ours, "listed as a disagreement but Confluent agrees"
        assert strict.compatible is ours
        return
    assert strict.compatible is case["compatible"], [c.to_dict() for c in strict.changes]
    expected_lenient = case.get("compatible_lenient", case["compatible"])
    assert lenient.compatible is expected_lenient, [c.to_dict() for c in lenient.changes]


@pytest.mark.parametrize(("name", "case"), CASES)
def test_swapped_pairs_are_self_consistent(name: str, case: dict[str, Any]) -> None:
    a, b = case["original_schema"], case["update_schema"]
    for policy in ("strict", "lenient"):
        forward = check_compatibility(a, b, "forward", policy=policy).compatible  # type: ignore[arg-type]
        backward_swapped = check_compatibility(b, a, "backward", policy=policy).compatible  # type: ignore[arg-type]
        backward = check_compatibility(a, b, "backward", policy=policy).compatible  # type: ignore[arg-type]
        full = check_compatibility(a, b, "full", policy=policy).compatible  # type: ignore[arg-type]
        assert forward is backward_swapped
        assert full is (forward and backward)


def test_every_disagreement_names_exactly_one_case() -> None:
    keys = [(name, case["description"]) for name in FILES for case in _load(name)]
    for key in DELIBERATE_DISAGREEMENTS:
        assert keys.count(key) == 1, key


@pytest.mark.parametrize("key", list(DELIBERATE_DISAGREEMENTS), ids=lambda k: f"{k[0]}: {k[1]}")
def test_disagreements_are_backed_by_the_validator(key: tuple[str, str]) -> None:
    case = next(c for c in _load(key[0]) if c["description"] == key[1])
    ours, _reason = DELIBERATE_DISAGREEMENTS[key]
    witness = WITNESSES[key]
    assert Draft7Validator(case["original_schema"]).is_valid(witness)
    assert Draft7Validator(case["update_schema"]).is_valid(witness) is ours


def test_recursive_schema_compared_with_itself_terminates_without_changes() -> None:
    schema = json.loads((FIXTURES / "recursive-schema.json").read_text())
    report = check_compatibility(schema, schema, "full")
    assert report.compatible
    assert report.changes == ()
    canonical = normalize_jsonschema(schema)
    assert diff_schemas(canonical, canonical) == ()


def test_recursive_schema_change_deep_inside_the_cycle_is_found() -> None:
    old = json.loads((FIXTURES / "recursive-schema.json").read_text())
    new = json.loads((FIXTURES / "recursive-schema.json").read_text())
    new["definitions"]["Category"]["properties"]["category_id"]["type"] = "string"
    report = check_compatibility(old, new, "backward")
    assert not report.compatible
    assert [c.rule for c in report.breaking_changes] == ["type-changed"]
