"""SQL type lattice (being written; see the normalizers work): canonical type names and their order."""

from __future__ import annotations

from tessera_core.types import Relation


def compare_sql_types(old: str, new: str) -> Relation:
    """Relation between two canonical ``x-sql-type`` strings (old -> new)."""
    return Relation.EQUIVALENT if old == new else Relation.INCOMPARABLE
