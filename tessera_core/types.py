"""Vocabulary shared by the engine, the service and the integrations.

Every enum is a ``StrEnum`` so values travel through JSON, YAML, CLI flags and
database columns unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """Compatibility mode of an asset, defined by instance-set inclusion (DESIGN.md §3).

    ``backward``: L(old) ⊆ L(new); ``forward``: L(new) ⊆ L(old); ``full``: both;
    ``none``: never incompatible (changes are still classified). The ``*_transitive``
    variants apply the same test against every earlier version.
    """

    BACKWARD = "backward"
    FORWARD = "forward"
    FULL = "full"
    NONE = "none"
    BACKWARD_TRANSITIVE = "backward_transitive"
    FORWARD_TRANSITIVE = "forward_transitive"
    FULL_TRANSITIVE = "full_transitive"

    @property
    def transitive(self) -> bool:
        """Whether the mode checks against every earlier version."""
        return self.value.endswith("_transitive")

    @property
    def base(self) -> Mode:
        """The non-transitive mode this one applies to each earlier version."""
        return Mode(self.value.removesuffix("_transitive"))


class Severity(StrEnum):
    """How a classified change affects readers under a given mode."""

    BREAKING = "breaking"
    DANGEROUS = "dangerous"
    SAFE = "safe"


class Bump(StrEnum):
    """Semantic-version bump suggested by a compatibility verdict."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    NONE = "none"


class Relation(StrEnum):
    """How the set of values allowed by a new schema relates to the old one.

    ``widening``: every old value is still allowed (L(old) ⊆ L(new));
    ``narrowing``: the reverse; ``equivalent``: both; ``incomparable``: neither is known
    to hold; ``annotation``: no effect on which values are valid.
    """

    EQUIVALENT = "equivalent"
    WIDENING = "widening"
    NARROWING = "narrowing"
    INCOMPARABLE = "incomparable"
    ANNOTATION = "annotation"


class SchemaFormat(StrEnum):
    """Source formats Tessera normalizes to canonical JSON Schema."""

    JSONSCHEMA = "jsonschema"
    DBT = "dbt"
    AVRO = "avro"
    OPENAPI = "openapi"
