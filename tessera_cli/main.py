"""Entry point of the ``tessera`` console script."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tessera_cli.output import CommandError

# One module per command group, in the order ``tessera --help`` lists them. Each module
# defines ``add_parser(subparsers)`` and sets ``func`` on its parsers; handlers return an
# exit code. Modules must import heavy dependencies lazily, inside their handlers.
COMMAND_MODULES: tuple[str, ...] = (
    "compat",
    "dbt",
    "server",
    "teams",
    "assets",
    "publishing",
    "proposals",
    "audit",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser (cheap: no heavy imports)."""
    parser = argparse.ArgumentParser(
        prog="tessera",
        description="Coordinate schema changes between data producers and consumers.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"tessera_cli.commands.{name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except CommandError as exc:
        print(f"tessera {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
