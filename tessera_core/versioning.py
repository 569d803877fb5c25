"""Semantic versions for contracts: the bump a verdict suggests, and the next version."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tessera_core.types import Bump, Relation

if TYPE_CHECKING:
    from tessera_core.compat.check import Change

FIRST_VERSION = "1.0.0"

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)

#: Change kinds that add something even though their relation is not a widening.
_ADDITIVE_KINDS = frozenset({"property-added-to-open-model"})


@dataclass(frozen=True, slots=True)
class Version:
    """A parsed semantic version; ordered by semver precedence (``1.0.0-rc.1 < 1.0.0``)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()

    @property
    def precedence(self) -> tuple[Any, ...]:
        """Sort key: a pre-release sorts before its release; numeric identifiers before text."""
        pre = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if pre else 1, pre)

    def __lt__(self, other: Version) -> bool:
        return self.precedence < other.precedence

    def __gt__(self, other: Version) -> bool:
        return self.precedence > other.precedence

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return f"{core}-{'.'.join(str(p) for p in self.prerelease)}" if self.prerelease else core


def parse_version(text: str) -> Version:
    """Parse ``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]``; raises ``ValueError`` otherwise."""
    match = _SEMVER.match(text.strip())
    if not match:
        raise ValueError(f"not a semantic version: {text!r}")
    pre = match["pre"]
    parts = tuple(int(p) if p.isdigit() else p for p in pre.split(".")) if pre else ()
    return Version(int(match["major"]), int(match["minor"]), int(match["patch"]), parts)


def suggest_bump(changes: Iterable[Change], *, identical: bool, major: bool) -> Bump:
    """``major`` when breaking, ``minor`` when anything widens or adds, ``patch`` for any other change,
    ``none`` when the canonical schemas are identical."""
    if identical:
        return Bump.NONE
    if major:
        return Bump.MAJOR
    if any(c.relation is Relation.WIDENING or c.rule in _ADDITIVE_KINDS for c in changes):
        return Bump.MINOR
    return Bump.PATCH


def next_version(current: str | None, bump: Bump | str) -> str:
    """The version after ``current`` for ``bump`` (``1.0.0`` when there is none yet).

    A pre-release is released by the bump that leads to it: ``2.0.0-rc.1`` + major -> ``2.0.0``,
    ``1.3.0-rc.1`` + minor -> ``1.3.0``, ``1.2.4-rc.1`` + patch -> ``1.2.4``.
    """
    bump = Bump(bump)
    if current is None:
        return FIRST_VERSION
    v = parse_version(current)
    pre = bool(v.prerelease)
    if bump is Bump.NONE:
        return str(v)
    if bump is Bump.MAJOR:
        return str(
            Version(v.major, 0, 0) if pre and v.minor == 0 and v.patch == 0 else Version(v.major + 1, 0, 0)
        )
    if bump is Bump.MINOR:
        return str(Version(v.major, v.minor, 0) if pre and v.patch == 0 else Version(v.major, v.minor + 1, 0))
    return str(Version(v.major, v.minor, v.patch) if pre else Version(v.major, v.minor, v.patch + 1))
