"""What every coordination command shares: connection options, the client, error mapping and output.

Commands talk to the service only through :class:`tessera_core.TesseraClient`. Errors become one line on
stderr: exit 2 for bad input and 4xx answers, exit 1 when the service is unreachable or answers 5xx (the
message names the URL). The client is imported inside the handlers, so ``tessera --help`` stays light.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tessera_cli.output import EXIT_BAD_INPUT, EXIT_INCOMPATIBLE, fail, print_json

DEFAULT_URL = "http://127.0.0.1:8000"
EXIT_UNREACHABLE = EXIT_INCOMPATIBLE  # 1: the service could not be reached or failed (5xx)
USER_AGENT = "tessera-cli/0.1"

Handler = Callable[[argparse.Namespace, Any], int]


def connection_options() -> argparse.ArgumentParser:
    """A parent parser with ``--url``, ``--api-key`` and ``--json`` for every coordination command."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    group.add_argument("--url", help=f"service URL (default: TESSERA_URL or {DEFAULT_URL})")
    group.add_argument("--api-key", help="API key (default: TESSERA_API_KEY)")
    parent.add_argument("--json", action="store_true", help="print the service's answer as JSON")
    return parent


def service_url(args: argparse.Namespace) -> str:
    """The service URL: ``--url``, else ``TESSERA_URL``, else the local default."""
    return str(args.url or os.environ.get("TESSERA_URL") or DEFAULT_URL)


def _api_key(args: argparse.Namespace) -> str:
    key = args.api_key or os.environ.get("TESSERA_API_KEY")
    if not key:
        fail("no API key: set TESSERA_API_KEY or pass --api-key (ask an admin: `tessera key create`)")
    return str(key)


@contextmanager
def _errors_as_exit_codes(url: str) -> Iterator[None]:
    from tessera_core import ServiceUnavailableError, TesseraAPIError

    try:
        yield
    except ServiceUnavailableError as exc:
        fail(exc.message if url in exc.message else f"{exc.message} ({url})", EXIT_UNREACHABLE)
    except TesseraAPIError as exc:
        if exc.status >= 500:
            fail(f"the service at {url} failed ({exc.status} {exc.code}): {exc.message}", EXIT_UNREACHABLE)
        fail(f"{exc.message} ({exc.status} {exc.code})", EXIT_BAD_INPUT)


def with_client(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """Wrap ``handler(args, client)``: build the client and turn service errors into exit codes."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from tessera_core import TesseraClient

        url = service_url(args)
        key = _api_key(args)
        with _errors_as_exit_codes(url), TesseraClient(url, key, user_agent=USER_AGENT) as client:
            return handler(args, client)

    return run


def emit(args: argparse.Namespace, data: Any, human: Callable[[], None]) -> None:
    """Print the wire model(s) as JSON with ``--json``, else the human rendering."""
    if args.json:
        print_json(to_json(data))
    else:
        human()


def to_json(data: Any) -> Any:
    """Wire models (or lists of them) as plain JSON data."""
    if isinstance(data, list):
        return [to_json(d) for d in data]
    if hasattr(data, "model_dump"):
        return data.model_dump(mode="json", by_alias=True)
    return data


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain text table with aligned columns."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def when(value: Any) -> str:
    """A timestamp for humans: ``2026-11-22 00:46 UTC`` (or a dash)."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


def names(values: Sequence[str]) -> str:
    """Comma-separated names, or a dash when there are none."""
    return ", ".join(values) if values else "-"


def proposal_id(value: str) -> uuid.UUID:
    """Parse a proposal id (argparse type: a bad one is a usage error, exit 2)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a proposal id (a UUID, as `tessera proposals` shows)"
        ) from None


def read_schema_file(path: str, format_name: str | None) -> tuple[Any, str]:
    """Load a schema document (JSON or YAML) and its format (``--format``, else detected)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"cannot read {path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")
    document = _parse(text, path)
    if not isinstance(document, dict):
        fail(f"{path}: expected a JSON or YAML object (a schema document), got {type(document).__name__}")
    if format_name:
        return document, format_name
    from tessera_core import detect_format

    return document, str(detect_format(document, file.name))


def _parse(text: str, path: str) -> Any:
    if path.lower().endswith((".yml", ".yaml")):
        return _yaml(text, path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if path.lower().endswith((".json", ".avsc")):
            fail(f"{path} is not valid JSON: {exc}")
        return _yaml(text, path)


def _yaml(text: str, path: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = str(exc).replace("\n", " ")
        fail(f"{path} is not valid YAML or JSON: {problem}")
