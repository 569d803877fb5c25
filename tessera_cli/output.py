"""Output helpers shared by every command: JSON or human text, and one-line failures."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_INCOMPATIBLE = 1
EXIT_BAD_INPUT = 2
EXIT_PROPOSED = 3


class CommandError(Exception):
    """A failure the user can fix; printed as one line without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def fail(message: str, exit_code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Abort the command with a one-line message on stderr."""
    raise CommandError(message, exit_code)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")
