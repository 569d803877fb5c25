"""``tessera audit``: the append-only log of every state change."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tessera_cli.commands._service import connection_options, emit, table, with_client
from tessera_cli.output import EXIT_OK


def add_parser(subparsers: Any) -> None:
    """Register ``tessera audit``."""
    audit = subparsers.add_parser("audit", parents=[connection_options()], help="the audit log, newest first")
    audit.add_argument("--asset", metavar="FQN", help="only events of this asset")
    audit.add_argument("--limit", type=int, default=50, help="how many events (default 50)")
    audit.set_defaults(func=with_client(_audit))


def _summary(payload: dict[str, Any], width: int = 80) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 3] + "..."


def _audit(args: argparse.Namespace, client: Any) -> int:
    events = client.audit(args.asset, limit=args.limit)
    rows = [
        (
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_team or "(service)",
            e.action,
            e.fqn or "-",
            _summary(e.payload),
        )
        for e in events
    ]
    emit(args, events, lambda: print(table(rows, ("AT", "ACTOR", "ACTION", "ASSET", "DETAILS"))))
    return EXIT_OK
