"""oasdiff conformance: 192 OpenAPI base/revision pairs through ``normalize_openapi`` and the engine.

Each case is judged with ``check_compatibility(base, revision, "backward")``; the OpenAPI normalizer
puts responses under ``x-tessera-reverse`` so they are judged forward, as oasdiff does.

Rule (README of the suite): a case whose expected changes include an ``ERR`` must be judged
incompatible; a case whose expected changes are all ``INFO`` (or none) must be judged compatible.
``WARN`` ("potentially breaking") is our call: every WARN-only case is pinned in ``WARN_ONLY``.

Most cases ran a *single* oasdiff check family, and their fixture pairs often change more than that
family looks at. For those, only the breaking changes on the family's side are counted: request side
(parameters, request bodies) for ``request-*`` families, the response side for ``response-*`` ones.
Cases run with all checks (``check == "ALL"``) are judged on the whole document.

Deliberate, reasoned disagreements are in ``DISAGREEMENTS``; gaps of the engine that a
subsumption model should close are in ``ENGINE_GAPS`` (strict xfail, reported to the engine owner).
Every other case must agree.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tessera_core.compat.check import check_compatibility
from tessera_core.errors import InvalidSchemaError
from tessera_core.schema.openapi import normalize_openapi
from tessera_core.types import Severity

SUITE = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "oasdiff"

pytestmark = pytest.mark.skipif(
    not (SUITE / "cases.json").is_file(), reason=f"oasdiff conformance suite not found at {SUITE}"
)

_IDENTICAL_BRANCHES = (
    "the added/removed composition branches are structurally identical to ones already there "
    "(Dog/Cat/Rabbit, Breed1..3 are all {name: string} objects), so the set of valid documents does "
    "not change; oasdiff compares branches by name"
)
_OVERLAPPING_ONE_OF = (
    "the oneOf branches overlap (Dog/Cat/Rabbit are identical {name: string} objects, so no object "
    "matches exactly one of them, before or after); the engine cannot prove that a branch change "
    "keeps the exactly-one semantics and judges it incomparable: sound, conservative"
)
_ANNOTATION_CONTENT = (
    "contentSchema/contentMediaType/contentEncoding are annotations in JSON Schema 2020-12 (not "
    "asserted), so changing them changes no document's validity"
)
_XML_LOOSE = (
    "oasdiff treats XML bodies as loosely typed; Tessera judges the schema as written, and "
    "object <-> string is a real type change"
)
_PATTERN_RESPONSE = (
    "the pair also removes or generalizes a pattern on a response property: responses may now "
    "carry values old clients reject (a widening judged forward); oasdiff does not check response "
    "patterns (compat-semantics.md §3)"
)


def _other_family(other: str) -> str:
    return f"single-check case; the same pair also makes the change oasdiff reports as ERR in {other}"


# case name -> (our verdict: compatible?, reason)
DISAGREEMENTS: dict[str, tuple[bool, str]] = {
    "TestBreaking_DeletePatten": (False, _PATTERN_RESPONSE),
    "TestBreaking_GeneralizedPattern": (False, _PATTERN_RESPONSE),
    "TestBreaking_ModifyPatternToAnyString": (False, _PATTERN_RESPONSE),
    "TestBreaking_RequestPropertyAnyOfRemoved": (True, _IDENTICAL_BRANCHES),
    "TestBreaking_RequestPropertyAllOfAdded": (True, _IDENTICAL_BRANCHES),
    "TestRequestPropertyAllOfAdded": (True, _IDENTICAL_BRANCHES),
    "TestRequestPropertyAnyOfRemoved": (True, _IDENTICAL_BRANCHES),
    "TestRequestPropertyOneOfAdded": (False, _OVERLAPPING_ONE_OF),
    "TestResponsePropertyOneOfRemoved": (False, _OVERLAPPING_ONE_OF),
    "TestRequestDiscriminatorUpdatedCheckPropertyNameChanging": (
        False,
        "single-check case (discriminator only); the revision also renames the required property "
        "petType -> petType2 in every branch, so old requests no longer validate",
    ),
    "TestResponseDiscriminatorUpdatedCheckPropertyNameChanging": (
        False,
        "single-check case (discriminator only); the revision also renames the required property "
        "petType -> petType2 in every branch, so new responses lack what old clients require",
    ),
    "TestRequestParameterDefaultValueChanged": (
        True,
        "a default is an annotation: no request becomes invalid; Tessera reports it as a dangerous "
        "change (consumers are notified) rather than breaking",
    ),
    "TestRequestParameterMaxItemsDecreased": (
        True,
        "the fixture puts maxItems on the *string* items of the array, where it constrains nothing; "
        "no request changes validity",
    ),
    "TestRequestParameterMaxDecreased": (
        True,
        "the fixture puts `maximum` on an array-typed parameter, where it constrains nothing; "
        "no request changes validity",
    ),
    "TestResponseTypeCheckerSuppressedForNullOnly31": (
        False,
        "single-check case (type-changed family); the same pair makes the property nullable, "
        "which oasdiff reports as ERR in TestResponsePropertyBecameNullable31",
    ),
    "TestRequestBodyMinContainsDecreased": (False, _other_family("TestRequestBodyMaxContainsDecreased")),
    "TestRequestBodyMaxContainsIncreased": (False, _other_family("TestRequestBodyMinContainsIncreased")),
    "TestRequestPropertyMinContainsDecreased": (
        False,
        _other_family("TestRequestPropertyMaxContainsDecreased"),
    ),
    "TestRequestPropertyMaxContainsIncreased": (
        False,
        _other_family("TestRequestPropertyMinContainsIncreased"),
    ),
    "TestResponseBodyMinContainsIncreased": (False, _other_family("TestResponseBodyMaxContainsIncreased")),
    "TestResponseBodyMaxContainsDecreased": (False, _other_family("TestResponseBodyMinContainsDecreased")),
    "TestResponsePropertyMinContainsIncreased": (
        False,
        _other_family("TestResponsePropertyMaxContainsIncreased"),
    ),
    "TestResponsePropertyMaxContainsDecreased": (
        False,
        _other_family("TestResponsePropertyMinContainsDecreased"),
    ),
    "TestRequestBodyDefaultValueChanged": (
        False,
        "single-check case (defaults only); the revision also drops the application/json request "
        "media type, which oasdiff itself calls request-body-media-type-removed (ERR)",
    ),
    "TestRequestPropertyContentUpdated": (True, _ANNOTATION_CONTENT),
    "TestResponsePropertyContentUpdated": (True, _ANNOTATION_CONTENT),
    "TestRequestBodyTypeLooselyTypedCompatible": (False, _XML_LOOSE),
    "TestResponseBodyTypeLooselyTypedCompatible": (False, _XML_LOOSE),
    "TestResponseBodyDependentRequiredChanged": (
        True,
        "the change only adds `phone` to the dependency list: responses that satisfy more "
        "dependencies are still accepted by old clients (a narrowing, fine for responses)",
    ),
    "TestResponsePropertyDependentRequiredChanged": (
        True,
        "the change only adds `phone` to the dependency list: responses that satisfy more "
        "dependencies are still accepted by old clients (a narrowing, fine for responses)",
    ),
}

# documents Tessera refuses (InvalidSchemaError) instead of guessing what they mean
REJECTED: dict[str, str] = {
    "TestBreaking_ReqBodyBecameEnumAndTypeChanged": "the revision uses `type: int`, not a JSON Schema type",
}

# WARN-only cases (oasdiff: "potentially breaking"): our verdict and why
_NEW_REQUEST_BOUND = "a new bound/pattern on a request value rejects values old clients may send: breaking"
WARN_ONLY: dict[str, tuple[bool, str]] = {
    "TestBreaking_ModifyPattern": (False, "an unrelated pattern replaces the old one: incomparable"),
    "TestBreaking_ModifyParameterPattern": (False, "[0-9a-f]+ -> [0-9]+ rejects old parameter values"),
    "TestBreaking_RequestPropertyAllOfRemoved": (True, "removing an allOf branch only relaxes requests"),
    "TestRequestPropertyAllOfRemoved": (True, "removing an allOf branch only relaxes requests"),
    "TestRequestParameterExclusiveMinSet": (False, _NEW_REQUEST_BOUND),
    "TestRequestParameterExclusiveMaxSet": (False, _NEW_REQUEST_BOUND),
    "TestRequestPropertyExclusiveMinSet": (False, _NEW_REQUEST_BOUND),
    "TestRequestPropertyExclusiveMaxSet": (False, _NEW_REQUEST_BOUND),
    "TestRequestParameterMaxLengthSetCheck": (False, _NEW_REQUEST_BOUND),
    "TestRequestBodyMaxLengthSetCheck": (False, _NEW_REQUEST_BOUND),
    "TestRequestPropertyMaxLengthSetCheck": (False, _NEW_REQUEST_BOUND),
    "TestRequestBodyMaxSetCheck": (False, _NEW_REQUEST_BOUND),
    "TestRequestPropertyMaxSetCheck": (False, _NEW_REQUEST_BOUND),
    "TestBreaking_ReqQueryParamTypeNumberToString": (
        False,
        "number -> string rejects the numbers old clients sent (query strings are typed by the schema)",
    ),
    "TestRequiredRequestPropertyRemoved": (
        True,
        "the request object is open: a property it no longer lists is still accepted",
    ),
    "TestResponseOptionalPropertyUpdatedCheck": (
        False,
        "the response object is open: once the property is unlisted, responses may carry it with any "
        "type, which old clients reject",
    ),
}

# engine gaps: a subsumption model must get these right; strict xfail until the engine does
ENGINE_GAPS: dict[str, str] = {}


@cache
def _cases() -> list[dict[str, Any]]:
    if not (SUITE / "cases.json").is_file():
        return []
    cases: list[dict[str, Any]] = json.loads((SUITE / "cases.json").read_text())["cases"]
    return cases


@cache
def _catalog() -> dict[str, str]:
    return {c["id"]: c["direction"] for c in json.loads((SUITE / "checks-catalog.json").read_text())}


def _expected(case: dict[str, Any]) -> str:
    levels = {change["default_level"] for change in case["changes"]}
    return "ERR" if "ERR" in levels else "WARN" if "WARN" in levels else "INFO"


def _side(case: dict[str, Any]) -> str | None:
    """The side a single-check case's family looks at: "request", "response" or None (whole document)."""
    if case["check"] == "ALL":
        return None
    directions = {_catalog().get(change["id"]) for change in case["changes"]} - {None, "none"}
    if not directions:
        family = case["check"].lower()
        directions = {side for side in ("request", "response") if family.startswith(side)}
    return directions.pop() if len(directions) == 1 else None


def _on_side(path: str, side: str | None) -> bool:
    tokens = path.split("/")
    in_responses = (
        len(tokens) > 4 and tokens[1] == "properties" and tokens[3:5] == ["properties", "responses"]
    )
    return side is None or in_responses == (side == "response")


def _load(relative: str) -> Any:
    return yaml.safe_load((SUITE / relative).read_text())


def judged_compatible(case: dict[str, Any]) -> bool:
    """Our verdict for a case (see the module docstring for single-check scoping)."""
    base, revision = normalize_openapi(_load(case["base"])), normalize_openapi(_load(case["revision"]))
    report = check_compatibility(base, revision, "backward")
    side = _side(case)
    return not any(c.severity is Severity.BREAKING and _on_side(c.path, side) for c in report.changes)


def _params() -> list[Any]:
    params = []
    for case in _cases():
        marks = []
        if case["name"] in ENGINE_GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=ENGINE_GAPS[case["name"]]))
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_case(case: dict[str, Any]) -> None:
    name, expected = case["name"], _expected(case)
    if name in REJECTED:
        with pytest.raises(InvalidSchemaError):
            judged_compatible(case)
        return
    verdict = judged_compatible(case)
    if name in DISAGREEMENTS:
        assert verdict is DISAGREEMENTS[name][0], DISAGREEMENTS[name][1]
    elif expected == "WARN":
        assert name in WARN_ONLY, f"WARN-only case {name} needs a pinned verdict"
        assert verdict is WARN_ONLY[name][0], WARN_ONLY[name][1]
    else:
        # ERR -> breaking; INFO (or no change) -> compatible
        assert verdict is (expected == "INFO"), f"oasdiff expects {expected}: {case['changes']}"


def test_tables_name_real_cases_and_really_disagree() -> None:
    by_name = {case["name"]: case for case in _cases()}
    for name, (verdict, _reason) in DISAGREEMENTS.items():
        assert name in by_name, f"stale disagreement: {name}"
        expected = _expected(by_name[name])
        assert expected != "WARN", f"{name} is WARN-only: pin it in WARN_ONLY"
        assert verdict is not (expected == "INFO"), f"{name} agrees with oasdiff: drop it from DISAGREEMENTS"
    for name in WARN_ONLY:
        assert name in by_name, f"stale WARN-only entry: {name}"
        assert _expected(by_name[name]) == "WARN", f"{name} is not a WARN-only case"
    for name in [*ENGINE_GAPS, *REJECTED]:
        assert name in by_name, f"stale engine-gap/rejected entry: {name}"
        assert name not in DISAGREEMENTS, f"{name} is listed twice"


def test_the_whole_suite_is_present() -> None:
    assert len(_cases()) == 192
    counts = {level: sum(_expected(c) == level for c in _cases()) for level in ("ERR", "WARN", "INFO")}
    assert counts == {"ERR": 92, "WARN": 16, "INFO": 84}


def test_agreement_counts() -> None:
    """The headline numbers of the report: how many cases agree with oasdiff outright."""
    special = set(DISAGREEMENTS) | set(WARN_ONLY) | set(ENGINE_GAPS) | set(REJECTED)
    agreeing = [c for c in _cases() if c["name"] not in special]
    assert len(agreeing) + len(special) == 192
    assert len(agreeing) >= 140
