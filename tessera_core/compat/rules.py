"""The rule registry: one row per change kind, with its default severity and message.

A rule's *relation* comes from the structural diff (:mod:`tessera_core.diff.kinds`); this table
adds what the change means to people: the severity when the mode allows the change
(``dangerous`` = allowed but risky for readers, ``safe`` otherwise) and the message. Whether a
change is ``breaking`` depends on the mode (:mod:`tessera_core.compat.modes`).

Message templates may use ``{name}`` (last path segment), ``{old}`` and ``{new}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tessera_core.diff.kinds import KINDS
from tessera_core.types import Relation, Severity

S, D = Severity.SAFE, Severity.DANGEROUS


@dataclass(frozen=True, slots=True)
class Rule:
    """One compatibility rule (read-only)."""

    id: str
    relation: Relation
    severity: Severity
    message: str
    description: str
    tolerant: bool = False

    @property
    def kind(self) -> Relation:
        """Alias of :attr:`relation` (the set relation old -> new of the change)."""
        return self.relation


def _count_rows() -> dict[str, tuple[Severity, str, str]]:
    rows: dict[str, tuple[Severity, str, str]] = {}
    nouns = {
        "length": "string length",
        "items": "item count",
        "properties": "property count",
        "contains": "count of matching items",
    }
    for stem, noun in nouns.items():
        for bound in ("max", "min"):
            word = "maximum" if bound == "max" else "minimum"
            rows[f"{bound}-{stem}-increased"] = (
                S,
                f"{word} {noun} increased from {{old}} to {{new}}",
                f"The {word} {noun} increased.",
            )
            rows[f"{bound}-{stem}-decreased"] = (
                S,
                f"{word} {noun} decreased from {{old}} to {{new}}",
                f"The {word} {noun} decreased.",
            )
            rows[f"{bound}-{stem}-added"] = (S, f"{word} {noun} {{new}} added", f"A {word} {noun} was set.")
            rows[f"{bound}-{stem}-removed"] = (
                S,
                f"{word} {noun} {{old}} removed",
                f"The {word} {noun} was removed.",
            )
    return rows


# id -> (severity when allowed, message template, description)
_ROWS: dict[str, tuple[Severity, str, str]] = {
    "schema-allowed": (
        S,
        "values are now accepted where none were",
        "A sub-schema that was `false` now accepts values.",
    ),
    "schema-forbidden": (
        S,
        "no value is accepted any more",
        "A sub-schema became `false`: nothing is valid there.",
    ),
    "type-widened": (
        D,
        "type widened from {old} to {new}",
        "More JSON types are accepted (e.g. `integer` -> `number`).",
    ),
    "type-narrowed": (
        S,
        "type narrowed from {old} to {new}",
        "Fewer JSON types are accepted (e.g. `number` -> `integer`).",
    ),
    "type-changed": (
        S,
        "type changed from {old} to {new}",
        "The accepted JSON types changed incompatibly (e.g. `string` -> `object`).",
    ),
    "became-nullable": (D, "now accepts null", "`null` became valid (type list or OpenAPI `nullable`)."),
    "became-not-nullable": (S, "no longer accepts null", "`null` is no longer valid."),
    "enum-value-added": (
        D,
        "enum values added: {new}",
        "Values were added to an `enum` (or a `const` became an `enum`).",
    ),
    "enum-value-removed": (S, "enum values removed: {old}", "Values were removed from an `enum`."),
    "enum-added": (
        S,
        "restricted to the values {new}",
        "An `enum`/`const` now restricts a schema whose values it all accepted.",
    ),
    "enum-removed": (
        D,
        "no longer restricted to the values {old}",
        "An `enum`/`const` was replaced by a schema accepting all of its values.",
    ),
    "enum-replaced": (
        S,
        "enum {old} replaced by {new}",
        "An `enum` and a schema were swapped and neither includes the other.",
    ),
    "maximum-increased": (
        S,
        "maximum increased from {old} to {new}",
        "The upper numeric bound grew (compared as intervals).",
    ),
    "maximum-decreased": (
        S,
        "maximum decreased from {old} to {new}",
        "The upper numeric bound shrank (compared as intervals).",
    ),
    "maximum-added": (S, "maximum {new} added", "An upper numeric bound was set."),
    "maximum-removed": (S, "maximum {old} removed", "The upper numeric bound was removed."),
    "minimum-increased": (
        S,
        "minimum increased from {old} to {new}",
        "The lower numeric bound grew (compared as intervals).",
    ),
    "minimum-decreased": (
        S,
        "minimum decreased from {old} to {new}",
        "The lower numeric bound shrank (compared as intervals).",
    ),
    "minimum-added": (S, "minimum {new} added", "A lower numeric bound was set."),
    "minimum-removed": (S, "minimum {old} removed", "The lower numeric bound was removed."),
    "multiple-of-added": (S, "multipleOf {new} added", "`multipleOf` was set."),
    "multiple-of-removed": (S, "multipleOf {old} removed", "`multipleOf` was removed."),
    "multiple-of-reduced": (
        S,
        "multipleOf relaxed from {old} to {new}",
        "The new `multipleOf` divides the old one.",
    ),
    "multiple-of-expanded": (
        S,
        "multipleOf tightened from {old} to {new}",
        "The new `multipleOf` is a multiple of the old one.",
    ),
    "multiple-of-changed": (
        S,
        "multipleOf changed from {old} to {new}",
        "`multipleOf` changed and neither divides the other.",
    ),
    **_count_rows(),
    "pattern-added": (S, "pattern {new!r} added", "A `pattern` was set."),
    "pattern-removed": (D, "pattern {old!r} removed", "The `pattern` was removed."),
    "pattern-changed": (
        S,
        "pattern changed from {old!r} to {new!r}",
        "The `pattern` changed (regex inclusion is undecidable: treated as incomparable).",
    ),
    "format-added": (S, "format {new!r} added", "A `format` was set (Confluent ignores `format`)."),
    "format-removed": (D, "format {old!r} removed", "The `format` was removed."),
    "format-changed": (S, "format changed from {old!r} to {new!r}", "The `format` changed."),
    "unique-items-added": (S, "items must now be unique", "`uniqueItems: true` was set."),
    "unique-items-removed": (S, "items no longer need to be unique", "`uniqueItems: true` was removed."),
    "contains-added": (S, "contains constraint added", "A `contains` constraint was set."),
    "contains-removed": (S, "contains constraint removed", "The `contains` constraint was removed."),
    "property-added": (
        S,
        "property {name!r} added",
        "An optional property was added to a closed object (a column was added to a table).",
    ),
    "property-removed": (
        D,
        "property {name!r} removed",
        "A property was removed from a closed object: old documents carrying it are rejected.",
    ),
    "property-added-to-open-model": (
        S,
        "property {name!r} added to an open object",
        "A constrained property was added to an open object: old documents may carry it with another value.",
    ),
    "property-removed-from-open-model": (
        D,
        "property {name!r} removed from an open object",
        "A property was removed from an open object: it is now unconstrained.",
    ),
    "property-renamed": (
        D,
        "property {name!r} renamed to {new}",
        "A property was renamed and the new one lists the old name in `x-aliases` (Avro field aliases): "
        "readers of the new schema read old documents through the alias, readers of the old schema do "
        "not know the new name (the old name's requirement is judged as `required-removed`).",
    ),
    "required-added": (
        S,
        "property {name!r} became required",
        "A property became required (a `default` does not make old documents valid).",
    ),
    "required-removed": (
        D,
        "property {name!r} is no longer required",
        "A property is no longer required: readers may not get it.",
    ),
    "additional-properties-closed": (
        S,
        "additional properties are no longer allowed",
        "`additionalProperties` became `false`.",
    ),
    "additional-properties-opened": (
        S,
        "additional properties are allowed now",
        "`additionalProperties` was `false` and now accepts values.",
    ),
    "additional-properties-narrowed": (
        S,
        "additional properties are constrained now",
        "`additionalProperties` went from anything to a schema.",
    ),
    "additional-properties-widened": (
        S,
        "additional properties are unconstrained now",
        "`additionalProperties` went from a schema to anything.",
    ),
    "unevaluated-properties-closed": (
        S,
        "unevaluated properties are no longer allowed",
        "`unevaluatedProperties` became `false`.",
    ),
    "unevaluated-properties-opened": (
        S,
        "unevaluated properties are allowed now",
        "`unevaluatedProperties` was `false` and now accepts values.",
    ),
    "unevaluated-properties-narrowed": (
        S,
        "unevaluated properties are constrained now",
        "`unevaluatedProperties` went from anything to a schema.",
    ),
    "unevaluated-properties-widened": (
        S,
        "unevaluated properties are unconstrained now",
        "`unevaluatedProperties` went from a schema to anything.",
    ),
    "pattern-property-added": (
        S,
        "pattern property {name!r} added",
        "A `patternProperties` entry constrains properties that were unconstrained.",
    ),
    "pattern-property-removed": (
        S,
        "pattern property {name!r} removed",
        "A `patternProperties` entry was removed; matching properties are unconstrained.",
    ),
    "dependent-required-added": (
        S,
        "when {name!r} is present, {new} are now required",
        "`dependentRequired` (draft-07 `dependencies`) requires more properties.",
    ),
    "dependent-required-removed": (
        S,
        "when {name!r} is present, {old} are no longer required",
        "`dependentRequired` requires fewer properties.",
    ),
    "dependent-schema-added": (
        S,
        "dependent schema for {name!r} added",
        "A `dependentSchemas` entry was added.",
    ),
    "dependent-schema-removed": (
        S,
        "dependent schema for {name!r} removed",
        "A `dependentSchemas` entry was removed.",
    ),
    "any-of-branch-added": (
        D,
        "anyOf branch added",
        "A new `anyOf` alternative (not covered by an existing one).",
    ),
    "any-of-branch-removed": (
        S,
        "anyOf branch removed",
        "An `anyOf` alternative was removed (not covered by a remaining one).",
    ),
    "one-of-branch-added": (
        D,
        "oneOf branch added",
        "A new `oneOf` alternative (not covered by an existing one).",
    ),
    "one-of-branch-removed": (
        S,
        "oneOf branch removed",
        "A `oneOf` alternative was removed (not covered by a remaining one).",
    ),
    "one-of-changed": (
        S,
        "oneOf branches changed and overlap",
        "`oneOf` branches changed while some branches overlap: exclusivity cannot be checked, so the change is incomparable.",
    ),
    "one-of-became-any-of": (S, "oneOf became anyOf", "Exclusive alternatives became inclusive."),
    "any-of-became-one-of": (S, "anyOf became oneOf", "Inclusive alternatives became exclusive."),
    "all-of-conjunct-added": (
        S,
        "allOf constraint added",
        "A new `allOf` conjunct (not implied by an existing one).",
    ),
    "all-of-conjunct-removed": (
        S,
        "allOf constraint removed",
        "An `allOf` conjunct was removed (not implied by a remaining one).",
    ),
    "not-added": (S, "not constraint added", "A `not` constraint was set."),
    "not-removed": (S, "not constraint removed", "The `not` constraint was removed."),
    "conditional-added": (S, "if/then/else added", "A conditional (`if`/`then`/`else`) was added."),
    "conditional-removed": (S, "if/then/else removed", "The conditional (`if`/`then`/`else`) was removed."),
    "conditional-changed": (
        S,
        "if condition changed",
        "The `if` condition changed; the branches cannot be compared.",
    ),
    "annotation-changed": (
        S,
        "{name} changed",
        "An annotation changed (`description`, `title`, `examples`, `x-*`...): no effect on validity.",
    ),
    "default-changed": (
        D,
        "default changed from {old} to {new}",
        "The `default` changed: readers that apply defaults see different values.",
    ),
    "deprecated-added": (D, "deprecated", "The schema was marked `deprecated`."),
    "deprecated-removed": (S, "no longer deprecated", "`deprecated` was removed."),
    "guarantee-added": (
        S,
        "guarantee {name} added",
        "A data guarantee (`x-unique`, `x-primary-key`, `x-checks`, `x-relationship`) was added.",
    ),
    "guarantee-removed": (
        D,
        "guarantee {name} removed",
        "A data guarantee was removed: readers relying on it break.",
    ),
    "guarantee-changed": (S, "guarantee {name} changed from {old} to {new}", "A data guarantee changed."),
    "sql-type-widened": (
        D,
        "SQL type widened from {old} to {new}",
        "The SQL type lattice says every old value fits the new type (e.g. `int32` -> `int64`).",
    ),
    "sql-type-narrowed": (
        S,
        "SQL type narrowed from {old} to {new}",
        "The SQL type lattice says every new value fits the old type (e.g. `string(255)` -> `string(50)`).",
    ),
    "sql-type-changed": (
        S,
        "SQL type changed from {old} to {new}",
        "The SQL types are incomparable (e.g. `timestamp_ntz` <-> `timestamp_tz`).",
    ),
}


class RuleRegistry(Mapping[str, "Rule"]):
    """The rule registry: a read-only mapping rule id -> :class:`Rule`, in catalogue order."""

    __slots__ = ("_rules",)

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self._rules = dict(rules)

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        return f"RuleRegistry({len(self)} rules)"


def _build() -> RuleRegistry:
    if _ROWS.keys() != KINDS.keys():
        missing, extra = KINDS.keys() - _ROWS.keys(), _ROWS.keys() - KINDS.keys()
        raise RuntimeError(f"rule registry out of sync with change kinds: missing {missing}, extra {extra}")
    return RuleRegistry(
        {
            kind.id: Rule(kind.id, kind.relation, *_ROWS[kind.id], tolerant=kind.tolerant)
            for kind in KINDS.values()
        }
    )


#: The rule registry: rule id -> :class:`Rule`, read-only, in catalogue order.
RULES: RuleRegistry = _build()
