"""``tessera proposals``, ``proposal show``, ``ack``, ``withdraw`` and ``force``: answering breaking changes."""

from __future__ import annotations

import argparse
from typing import Any

from tessera_cli.commands._service import (
    connection_options,
    emit,
    names,
    proposal_id,
    table,
    when,
    with_client,
)
from tessera_cli.output import EXIT_OK

STATUSES = ("open", "blocked", "live", "published", "superseded", "withdrawn", "expired", "forced")
DECISIONS = ("approved", "migrating", "blocked")


def add_parser(subparsers: Any) -> None:
    """Register the proposal commands."""
    common = connection_options()

    listing = subparsers.add_parser(
        "proposals",
        parents=[common],
        help="list proposals; --awaiting TEAM is that team's inbox",
    )
    listing.add_argument("--awaiting", metavar="TEAM", help="proposals waiting for this team's answer")
    listing.add_argument("--asset", metavar="FQN", help="proposals on this asset")
    listing.add_argument("--status", choices=STATUSES, help="only this status ('live' = open or blocked)")
    listing.set_defaults(func=with_client(_list))

    proposal = subparsers.add_parser("proposal", help="show one proposal")
    proposal_sub = proposal.add_subparsers(dest="proposal_command", metavar="ACTION", required=True)
    show = proposal_sub.add_parser(
        "show", parents=[common], help="a proposal: its changes, consumers and answers"
    )
    show.add_argument("id", type=proposal_id)
    show.set_defaults(func=with_client(_show))

    ack = subparsers.add_parser(
        "ack",
        parents=[common],
        help="answer a proposal for your team (approved and migrating consent; blocked holds it)",
    )
    ack.add_argument("id", type=proposal_id)
    ack.add_argument("--decision", required=True, choices=DECISIONS)
    ack.add_argument("--note", help="why, or what you will change")
    ack.set_defaults(func=with_client(_ack))

    withdraw = subparsers.add_parser(
        "withdraw", parents=[common], help="withdraw a live proposal (its producer or an admin)"
    )
    withdraw.add_argument("id", type=proposal_id)
    withdraw.set_defaults(func=with_client(_withdraw))

    force = subparsers.add_parser(
        "force",
        parents=[common],
        help="publish a live proposal without the missing acknowledgments (admin; audited)",
    )
    force.add_argument("id", type=proposal_id)
    force.add_argument("--reason", required=True, help="why; kept in the audit log")
    force.set_defaults(func=with_client(_force))


def _list(args: argparse.Namespace, client: Any) -> int:
    proposals = client.list_proposals(awaiting=args.awaiting, asset=args.asset, status=args.status)
    rows = [
        (
            p.id,
            p.fqn,
            p.status,
            f"{p.base_version or '-'} -> {p.target_version or '-'}",
            names(p.awaiting),
            names(p.blocking),
        )
        for p in proposals
    ]

    def human() -> None:
        if not proposals:
            print("no proposals")
            return
        print(table(rows, ("ID", "ASSET", "STATUS", "VERSION", "AWAITING", "BLOCKED BY")))

    emit(args, proposals, human)
    return EXIT_OK


def _describe(proposal: Any) -> None:
    print(f"proposal {proposal.id}")
    print(f"  asset    {proposal.fqn}")
    print(f"  status   {proposal.status}")
    print(f"  version  {proposal.base_version or '-'} -> {proposal.target_version or '-'}")
    if proposal.published_version:
        print(f"  published as {proposal.published_version}")
    if proposal.proposed_by:
        print(f"  by       {proposal.proposed_by} at {when(proposal.created_at)}")
    if proposal.expires_at:
        print(f"  expires  {when(proposal.expires_at)}")
    if proposal.reason:
        print(f"  reason   {proposal.reason}")
    if proposal.changes:
        print("changes:")
        for change in proposal.changes:
            print(f"  {change.severity:<9} {change.path or '/'}: {change.message}")
    if proposal.consumers:
        rows = [
            (c.team, c.decision or "-", "yes" if c.pending else "no", names(c.consumer_refs))
            for c in proposal.consumers
        ]
        print(table(rows, ("CONSUMER", "DECISION", "PENDING", "REFS")))
    for ack in proposal.acknowledgments:
        if ack.note:
            print(f"  {ack.team} ({ack.decision}): {ack.note}")


def _show(args: argparse.Namespace, client: Any) -> int:
    proposal = client.get_proposal(args.id)
    emit(args, proposal, lambda: _describe(proposal))
    return EXIT_OK


def _ack(args: argparse.Namespace, client: Any) -> int:
    proposal = client.acknowledge(args.id, args.decision, note=args.note)

    def human() -> None:
        line = f"recorded {args.decision} on proposal {proposal.id} ({proposal.fqn}); it is now {proposal.status}"
        if proposal.published_version:
            line += f" as {proposal.published_version}"
        elif proposal.awaiting:
            line += f", still awaiting {names(proposal.awaiting)}"
        print(line)

    emit(args, proposal, human)
    return EXIT_OK


def _withdraw(args: argparse.Namespace, client: Any) -> int:
    proposal = client.withdraw(args.id)
    emit(args, proposal, lambda: print(f"proposal {proposal.id} ({proposal.fqn}) is {proposal.status}"))
    return EXIT_OK


def _force(args: argparse.Namespace, client: Any) -> int:
    proposal = client.force(args.id, args.reason)
    emit(
        args,
        proposal,
        lambda: print(
            f"proposal {proposal.id} ({proposal.fqn}) is {proposal.status}"
            + (f": {proposal.published_version} is active" if proposal.published_version else "")
        ),
    )
    return EXIT_OK
