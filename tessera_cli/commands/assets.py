"""``tessera asset set|show`` (asset policy) and ``tessera register|unregister`` (consumers)."""

from __future__ import annotations

import argparse
from typing import Any

from tessera_cli.commands._service import connection_options, emit, names, table, to_json, when, with_client
from tessera_cli.output import EXIT_OK

MODES = (
    "backward",
    "forward",
    "full",
    "none",
    "backward_transitive",
    "forward_transitive",
    "full_transitive",
)


def add_parser(subparsers: Any) -> None:
    """Register ``tessera asset``, ``tessera register`` and ``tessera unregister``."""
    common = connection_options()

    asset = subparsers.add_parser("asset", help="create an asset or change its policy; show one")
    asset_sub = asset.add_subparsers(dest="asset_command", metavar="ACTION", required=True)
    put = asset_sub.add_parser(
        "set",
        parents=[common],
        help="create an asset or change its owner, mode or kind (owner team or admin; audited)",
    )
    put.add_argument("--fqn", required=True, help="fully qualified name, e.g. warehouse.sales.orders")
    put.add_argument("--owner", required=True, help="owner team")
    put.add_argument("--mode", choices=MODES, help="compatibility mode (the asset's policy)")
    put.add_argument("--kind", help="e.g. table, view, topic, endpoint")
    put.add_argument("--description", help="what the asset is")
    put.set_defaults(func=with_client(_asset_set))
    show = asset_sub.add_parser("show", parents=[common], help="an asset and its contract versions")
    show.add_argument("fqn")
    show.set_defaults(func=with_client(_asset_show))

    register = subparsers.add_parser(
        "register",
        parents=[common],
        help="register a team as a consumer of an asset (idempotent)",
        description="Register that TEAM consumes FQN. Re-running updates the columns; breaking changes "
        "then wait for this team's acknowledgment (only those touching --columns, when given).",
    )
    register.add_argument("fqn")
    register.add_argument("--team", required=True, help="consumer team")
    register.add_argument("--ref", default="default", help="consumer reference, e.g. dbt:analytics.orders")
    register.add_argument("--columns", help="comma-separated columns read (default: all)")
    register.add_argument("--pinned-major", type=int, help="only care while this major version is active")
    register.set_defaults(func=with_client(_register))

    unregister = subparsers.add_parser(
        "unregister", parents=[common], help="remove a consumer registration; proposals stop waiting for it"
    )
    unregister.add_argument("fqn")
    unregister.add_argument("--team", required=True, help="consumer team")
    unregister.add_argument("--ref", default="default", help="consumer reference")
    unregister.set_defaults(func=with_client(_unregister))


def _asset_set(args: argparse.Namespace, client: Any) -> int:
    asset = client.set_asset(
        args.fqn, owner=args.owner, mode=args.mode, kind=args.kind, description=args.description
    )
    emit(
        args,
        asset,
        lambda: print(f"{asset.fqn}: owner {asset.owner_team}, mode {asset.mode}, kind {asset.kind}"),
    )
    return EXIT_OK


def _asset_show(args: argparse.Namespace, client: Any) -> int:
    asset = client.get_asset(args.fqn)
    contracts = client.list_contracts(args.fqn)

    def human() -> None:
        print(f"{asset.fqn}  ({asset.kind})")
        print(f"owner {asset.owner_team or '-'}, mode {asset.mode}, active {asset.active_version or '-'}")
        if asset.description:
            print(asset.description)
        if contracts:
            rows = [(c.version, c.status, c.format, c.published_by, when(c.published_at)) for c in contracts]
            print(table(rows, ("VERSION", "STATUS", "FORMAT", "BY", "PUBLISHED")))

    emit(args, {"asset": to_json(asset), "contracts": to_json(contracts)}, human)
    return EXIT_OK


def _register(args: argparse.Namespace, client: Any) -> int:
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    registration = client.register(
        args.fqn,
        team=args.team,
        consumer_ref=args.ref,
        source="manual",
        columns=columns,
        pinned_major=args.pinned_major,
    )
    emit(
        args,
        registration,
        lambda: print(
            f"{registration.team} consumes {registration.fqn} as {registration.consumer_ref} "
            f"(columns: {names(registration.columns or []) if registration.columns else 'all'})"
        ),
    )
    return EXIT_OK


def _unregister(args: argparse.Namespace, client: Any) -> int:
    client.unregister(args.fqn, team=args.team, consumer_ref=args.ref)
    result = {"fqn": args.fqn, "team": args.team, "consumer_ref": args.ref, "registered": False}
    emit(args, result, lambda: print(f"{args.team} no longer consumes {args.fqn} as {args.ref}"))
    return EXIT_OK
