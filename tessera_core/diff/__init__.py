"""Structural diff of canonical schemas: typed change records, no verdict."""

from __future__ import annotations

from tessera_core.diff.engine import diff_schemas
from tessera_core.diff.kinds import KINDS, ChangeKind
from tessera_core.diff.model import DiffRecord

__all__ = ["KINDS", "ChangeKind", "DiffRecord", "diff_schemas"]
