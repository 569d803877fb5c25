"""``docs/compatibility.md`` is generated from the registry and must be up to date."""

from __future__ import annotations

from pathlib import Path

from tessera_core import RULES
from tessera_core.compat.catalog import SQL_LATTICE_END, SQL_LATTICE_START, render

DOC = Path(__file__).resolve().parents[3] / "docs" / "compatibility.md"


def test_committed_document_is_up_to_date() -> None:
    assert DOC.read_text() == render(), (
        "docs/compatibility.md is stale: run `uv run python -m tessera_core.compat.catalog > docs/compatibility.md`"
    )


def test_every_rule_is_in_the_catalogue_and_the_sql_lattice_section_is_marked() -> None:
    text = render()
    for rule_id in RULES:
        assert f"| `{rule_id}` |" in text
    assert text.count(SQL_LATTICE_START) == 1
    assert text.index(SQL_LATTICE_START) < text.index(SQL_LATTICE_END)
