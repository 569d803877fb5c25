"""Versioning: next_version and version parsing."""

from __future__ import annotations

import pytest

from tessera_core import Bump, next_version
from tessera_core.versioning import Version, parse_version


@pytest.mark.parametrize(
    ("current", "bump", "expected"),
    [
        (None, Bump.MAJOR, "1.0.0"),
        (None, "none", "1.0.0"),
        ("1.2.3", Bump.MAJOR, "2.0.0"),
        ("1.2.3", Bump.MINOR, "1.3.0"),
        ("1.2.3", Bump.PATCH, "1.2.4"),
        ("1.2.3", Bump.NONE, "1.2.3"),
        ("v1.2.3+build.7", "patch", "1.2.4"),
        ("2.0.0-rc.1", Bump.MAJOR, "2.0.0"),
        ("2.0.0-rc.1", Bump.PATCH, "2.0.0"),
        ("1.3.0-beta", Bump.MINOR, "1.3.0"),
        ("1.3.1-beta", Bump.MINOR, "1.4.0"),
        ("1.3.1-beta", Bump.MAJOR, "2.0.0"),
    ],
)
def test_next_version(current: str | None, bump: Bump | str, expected: str) -> None:
    assert next_version(current, bump) == expected


@pytest.mark.parametrize("text", ["1.2", "01.2.3", "1.2.3-", "one.two.three", ""])
def test_invalid_versions_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not a semantic version"):
        next_version(text, Bump.PATCH)


def test_versions_order_with_prereleases_before_releases_of_the_same_core() -> None:
    assert parse_version("1.0.0-rc.1") == Version(1, 0, 0, ("rc", 1))
    assert parse_version("1.0.0") > parse_version("0.9.9")
    assert parse_version("1.0.0-rc.1") < parse_version("1.0.0")
    assert parse_version("1.0.0-alpha") < parse_version("1.0.0-alpha.1") < parse_version("1.0.0-beta")
    assert parse_version("1.0.0-2") < parse_version("1.0.0-rc")
    assert str(parse_version("1.0.0-rc.1+b")) == "1.0.0-rc.1"


def test_unknown_bump_is_rejected() -> None:
    with pytest.raises(ValueError, match="huge"):
        next_version("1.0.0", "huge")
