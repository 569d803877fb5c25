"""``tessera publish``, ``tessera impact`` and ``tessera gate``: producing contracts and reading gates."""

from __future__ import annotations

import argparse
from typing import Any

from tessera_cli.commands._service import (
    connection_options,
    emit,
    names,
    read_schema_file,
    table,
    with_client,
)
from tessera_cli.output import EXIT_OK, EXIT_PROPOSED

FORMATS = ("jsonschema", "dbt", "avro", "openapi")
# Exit code of a publish by outcome: a proposal (waiting for acknowledgments) is 3.
PUBLISH_EXIT = {"published": EXIT_OK, "unchanged": EXIT_OK, "forced": EXIT_OK, "proposed": EXIT_PROPOSED}
# Exit code of `tessera gate`: anything but clear means a change is waiting (3).
GATE_EXIT = {"clear": EXIT_OK, "pending": EXIT_PROPOSED, "blocked": EXIT_PROPOSED}


def add_parser(subparsers: Any) -> None:
    """Register ``tessera publish``, ``tessera impact`` and ``tessera gate``."""
    common = connection_options()

    publish = subparsers.add_parser(
        "publish",
        parents=[common],
        help="publish a contract; breaking changes open a proposal (exit 3)",
        description="Publish SCHEMA_FILE as the contract of FQN. Exit 0 when published, unchanged or "
        "forced; 3 when it became a proposal waiting for consumers; 2 for bad input.",
    )
    publish.add_argument("fqn")
    publish.add_argument("schema_file", metavar="SCHEMA_FILE", help="JSON or YAML schema document")
    publish.add_argument("--format", choices=FORMATS, help="source format (default: detected)")
    publish.add_argument("--owner", help="owner team (default: the key's team)")
    publish.add_argument(
        "--dry-run", action="store_true", help="only say what would happen (the check); writes nothing"
    )
    publish.set_defaults(func=with_client(_publish))

    impact = subparsers.add_parser(
        "impact",
        parents=[common],
        help="who a new schema would affect: direct consumers and everything downstream",
    )
    impact.add_argument("fqn")
    impact.add_argument("schema_file", metavar="SCHEMA_FILE")
    impact.add_argument("--format", choices=FORMATS, help="source format (default: detected)")
    impact.set_defaults(func=with_client(_impact))

    gate = subparsers.add_parser(
        "gate",
        parents=[common],
        help="gate of an asset: clear (exit 0), pending or blocked (exit 3)",
    )
    gate.add_argument("fqn")
    gate.set_defaults(func=with_client(_gate))


def _publish(args: argparse.Namespace, client: Any) -> int:
    document, fmt = read_schema_file(args.schema_file, args.format)
    if args.dry_run:
        result = client.check(args.fqn, document, format=fmt, owner_team=args.owner)
    else:
        result = client.publish(args.fqn, document, format=fmt, owner_team=args.owner)

    def human() -> None:
        prefix = "would be " if result.dry_run else ""
        line = f"{result.fqn}: {prefix}{result.outcome}"
        if result.outcome == "proposed":
            line += f" {result.previous_version} -> {result.target_version}"
            if result.proposal_id:
                line += f" (proposal {result.proposal_id})"
            line += f"; waiting for: {names(result.awaiting)}"
        elif result.version:
            line += f" {result.version}"
            if result.previous_version and result.previous_version != result.version:
                line += f" (was {result.previous_version})"
        print(line)
        if result.message:
            print(f"  {result.message}")
        _print_changes(result.changes)

    emit(args, result, human)
    return PUBLISH_EXIT.get(str(result.outcome), EXIT_OK)


def _print_changes(changes: list[Any]) -> None:
    for change in changes:
        print(f"  {change.severity:<9} {change.path or '/'}: {change.message}")


def _impact(args: argparse.Namespace, client: Any) -> int:
    document, fmt = read_schema_file(args.schema_file, args.format)
    result = client.impact(args.fqn, document, fmt)

    def human() -> None:
        print(f"{result.fqn}: {'breaking' if result.breaking else 'not breaking'}")
        _print_changes(result.changes)
        print(f"must acknowledge: {names(result.affected_teams)}")
        print(f"affected teams (transitively): {names(result.teams)}")
        if result.downstream:
            rows = [(d.fqn, d.depth, d.owner_team) for d in result.downstream]
            print(table(rows, ("DOWNSTREAM", "DEPTH", "OWNER")))

    emit(args, result, human)
    return EXIT_OK


def _gate(args: argparse.Namespace, client: Any) -> int:
    gate = client.gate(args.fqn)

    def human() -> None:
        line = f"{gate.fqn}: {gate.state} (active {gate.active_version or '-'})"
        if gate.proposal is not None:
            p = gate.proposal
            line += f"; proposal {p.id} -> {p.target_version}"
            if p.awaiting:
                line += f", awaiting {names(p.awaiting)}"
            if p.blocking:
                line += f", blocked by {names(p.blocking)}"
        print(line)

    emit(args, gate, human)
    return GATE_EXIT.get(str(gate.state), EXIT_OK)
