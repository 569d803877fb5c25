"""``tessera compat``: compare schema files offline (being written by the engine work)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register ``tessera compat``."""
    parser = subparsers.add_parser("compat", help="compare two or more schema versions")
    parser.add_argument("files", nargs="+")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    raise NotImplementedError
