"""``tessera --help`` lists every command and never imports a heavy framework."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("dbt", "dagster", "airflow", "fastapi", "sqlalchemy")


def test_help_does_not_import_heavy_frameworks() -> None:
    code = (
        "import sys; from tessera_cli.main import build_parser; build_parser().format_help(); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_lists_the_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tessera_cli.main", "--help"], capture_output=True, text=True, check=True
    )
    assert "compat" in out.stdout
