"""``tessera dbt publish|register|check``: the same operations as the macros, without the dbt plugin.

By default the CLI runs the tessera macro in-process (``dbtRunner``) and captures its payload; with
``--manifest`` it reads ``target/manifest.json`` instead and never runs dbt. Either way the payload goes
through :func:`tessera_dbt.delivery.deliver`, exactly as the plugin does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tessera_dbt.delivery import EXIT_ERROR, Report, deliver
from tessera_dbt.errors import TesseraDbtError

COMMANDS = ("publish", "register", "check")


def operation_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--args`` the macro would get for these CLI flags."""
    options: dict[str, Any] = {"select": args.select}
    if args.dbt_command == "publish":
        options.update(
            dry_run=bool(args.dry_run),
            fail_on_proposal=bool(args.fail_on_proposal),
            register=True if args.register else None,
        )
    return options


def collect(args: argparse.Namespace) -> dict[str, Any]:
    """The project payload, from dbt (default) or from ``--manifest``."""
    project_dir = Path(args.project_dir).resolve()
    options = operation_options(args)
    if args.manifest:
        from tessera_dbt.manifest import load_manifest, payload_from_manifest, project_vars

        return payload_from_manifest(
            load_manifest(Path(args.manifest)),
            command=args.dbt_command,
            options=options,
            vars_=project_vars(project_dir),
            target=args.target,
        )
    from tessera_dbt.runner import run_operation

    return run_operation(
        args.dbt_command,
        options,
        project_dir=project_dir,
        profiles_dir=Path(args.profiles_dir).resolve() if args.profiles_dir else None,
        target=args.target,
    )


def print_report(report: Report, as_json: bool) -> None:
    """Summary on stdout (text or JSON); the failure sentence on stderr."""
    if as_json:
        from tessera_cli.output import print_json

        print_json(report.to_dict())
    else:
        for line in report.lines[:-1] if report.failure else report.lines:
            print(line)
    if report.failure:
        print(report.failure, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run one ``tessera dbt`` command; returns the exit code (see docs/dbt.md)."""
    try:
        payload = collect(args)
    except TesseraDbtError as exc:
        report = Report(
            args.dbt_command, exit_code=EXIT_ERROR, failure=f"tessera dbt {args.dbt_command}: {exc}"
        )
    else:
        report = deliver(payload)
    print_report(report, args.json)
    return report.exit_code
