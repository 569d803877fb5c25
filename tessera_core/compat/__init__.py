"""Compatibility judgement: the rule registry, modes, and ``check_compatibility``."""

from __future__ import annotations

from tessera_core.compat.check import (
    Change,
    CompatibilityReport,
    check_compatibility,
    check_transitive_compatibility,
)
from tessera_core.compat.rules import RULES, Rule

__all__ = [
    "RULES",
    "Change",
    "CompatibilityReport",
    "Rule",
    "check_compatibility",
    "check_transitive_compatibility",
]
