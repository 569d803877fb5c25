"""``tessera team create`` and ``tessera key create|list|revoke``: teams and API keys (admin)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tessera_cli.commands._service import connection_options, emit, names, table, with_client
from tessera_cli.output import EXIT_OK

SCOPES = ("read", "write", "admin")
DEFAULT_SCOPES = ("read", "write")


def add_parser(subparsers: Any) -> None:
    """Register ``tessera team`` and ``tessera key``."""
    common = connection_options()

    team = subparsers.add_parser("team", help="create or list teams (admin)")
    team_sub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    create = team_sub.add_parser("create", parents=[common], help="create a team (admin)")
    create.add_argument("name", help="team name: letters, digits, '_', '.', '-'")
    create.set_defaults(func=with_client(_team_create))
    listing = team_sub.add_parser("list", parents=[common], help="list teams")
    listing.set_defaults(func=with_client(_team_list))

    key = subparsers.add_parser("key", help="create, list or revoke API keys (admin)")
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    create = key_sub.add_parser(
        "create",
        parents=[common],
        help="create an API key for a team; prints the token (shown once)",
        description="Create an API key for a team. The token goes to stdout alone (shown once), so "
        "`export TESSERA_API_KEY=$(tessera key create --team analytics)` works.",
    )
    create.add_argument("--team", required=True, help="team the key acts for")
    create.add_argument(
        "--scope",
        action="append",
        choices=SCOPES,
        dest="scopes",
        help="repeatable; default: read and write (admin implies write implies read)",
    )
    create.add_argument("--name", help="a label for the key, e.g. 'dbt CI'")
    create.set_defaults(func=with_client(_key_create))
    listing = key_sub.add_parser("list", parents=[common], help="list API keys (never the tokens)")
    listing.add_argument("--team", help="only this team's keys")
    listing.set_defaults(func=with_client(_key_list))
    revoke = key_sub.add_parser("revoke", parents=[common], help="revoke an API key at once")
    revoke.add_argument("key_id", help="the key's id, as `tessera key list` shows")
    revoke.set_defaults(func=with_client(_key_revoke))


def _team_create(args: argparse.Namespace, client: Any) -> int:
    team = client.create_team(args.name)
    emit(args, team, lambda: print(f"created team {team.name}"))
    return EXIT_OK


def _team_list(args: argparse.Namespace, client: Any) -> int:
    teams = client.list_teams()
    emit(args, teams, lambda: print(table([(t.name, t.created_at) for t in teams], ("TEAM", "CREATED"))))
    return EXIT_OK


def _key_create(args: argparse.Namespace, client: Any) -> int:
    key = client.create_key(args.team, args.scopes or DEFAULT_SCOPES, name=args.name)

    def human() -> None:
        print(key.token)
        print(
            f"API key {key.id} for team {key.team} (scopes: {names(key.scopes)}); "
            "the token is shown once, store it now",
            file=sys.stderr,
        )

    emit(args, key, human)
    return EXIT_OK


def _key_list(args: argparse.Namespace, client: Any) -> int:
    keys = client.list_keys(args.team)
    rows = [
        (k.id, k.team, k.prefix, names(k.scopes), k.name, "revoked" if k.revoked_at else "active")
        for k in keys
    ]
    emit(args, keys, lambda: print(table(rows, ("ID", "TEAM", "PREFIX", "SCOPES", "NAME", "STATE"))))
    return EXIT_OK


def _key_revoke(args: argparse.Namespace, client: Any) -> int:
    key = client.revoke_key(args.key_id)
    emit(args, key, lambda: print(f"revoked key {key.id} of team {key.team}"))
    return EXIT_OK
