"""``tessera dbt publish|register|check``: the dbt operations for setups without the dbt plugin."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register ``tessera dbt`` and its three subcommands (cheap: dbt is imported only when run)."""
    parser = subparsers.add_parser(
        "dbt",
        help="publish, register or check a dbt project",
        description="Run tessera_publish / tessera_register / tessera_check for a dbt project. "
        "Reads TESSERA_URL and TESSERA_API_KEY from the environment.",
    )
    commands = parser.add_subparsers(dest="dbt_command", metavar="COMMAND", required=True)
    helps = {
        "publish": "publish the project's contracted models (breaking changes open proposals)",
        "register": "register the project as a consumer of its sources and cross-project refs",
        "check": "dry run for CI: fail when a change would break consumers without an approved proposal",
    }
    for name, help_text in helps.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--project-dir", default=".", help="dbt project directory (default: .)")
        sub.add_argument("--profiles-dir", default=None, help="directory of profiles.yml")
        sub.add_argument("--target", default=None, help="dbt target")
        sub.add_argument("--select", "-s", default=None, help="models: names, tag:, group:, path:, access:")
        sub.add_argument("--manifest", default=None, help="read this manifest.json instead of running dbt")
        sub.add_argument("--json", action="store_true", help="print the result as JSON")
        if name == "publish":
            sub.add_argument("--dry-run", action="store_true", help="only report what would happen")
            sub.add_argument(
                "--fail-on-proposal", action="store_true", help="exit 3 when a change becomes a proposal"
            )
            sub.add_argument("--register", action="store_true", help="also register consumption")
        sub.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from tessera_dbt.cli import run

    return run(args)
