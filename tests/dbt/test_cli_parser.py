"""``tessera dbt`` is listed by ``tessera --help`` and parsing it never imports dbt."""

from __future__ import annotations

import subprocess
import sys


def test_dbt_subcommands_parse_without_importing_dbt() -> None:
    code = (
        "import sys; from tessera_cli.main import build_parser; p = build_parser(); "
        "a = p.parse_args(['dbt', 'publish', '--select', 'tag:core', '--dry-run', '--fail-on-proposal']); "
        "print(a.dbt_command, a.select, a.dry_run, a.fail_on_proposal, 'dbt' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["publish", "tag:core", "True", "True", "False"]


def test_help_lists_dbt() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tessera_cli.main", "dbt", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("publish", "register", "check"):
        assert command in out.stdout


def test_dbt_without_a_subcommand_is_a_usage_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tessera_cli.main", "dbt"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 2
    assert "COMMAND" in out.stderr
