"""``tessera compat``: compare schema files offline.

``tessera compat OLD NEW [MORE...]`` judges the last file against the ones before it (the
history, oldest first; transitive modes judge against all of them). Exit 0 when compatible,
1 when not, 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tessera_cli.output import EXIT_INCOMPATIBLE, EXIT_OK, fail, print_json
from tessera_core.types import Mode, SchemaFormat


def add_parser(subparsers: Any) -> None:
    """Register ``tessera compat``."""
    parser = subparsers.add_parser(
        "compat",
        help="compare two or more schema versions",
        description="Judge whether NEW is compatible with OLD (and MORE: the version history, oldest first, "
        "last is new). Exit 0 compatible, 1 incompatible, 2 bad input.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="JSON or YAML schema files, oldest first")
    parser.add_argument(
        "--mode",
        default=Mode.BACKWARD.value,
        choices=[m.value for m in Mode],
        help="compatibility mode (default: backward)",
    )
    parser.add_argument(
        "--format",
        choices=[f.value for f in SchemaFormat],
        help="source format of every file (default: detected per file)",
    )
    parser.add_argument(
        "--lenient", action="store_true", help="tolerant readers: property additions/removals never break"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=_run)


def _parse(path: Path, text: str) -> Any:
    import yaml

    suffix = path.suffix.lower()
    if suffix in (".json", ".avsc"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            fail(f"{path}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        fail(f"{path}: invalid YAML: {problem}{where}")


def _load(name: str, fmt: str | None) -> dict[str, Any]:
    from tessera_core.errors import TesseraError
    from tessera_core.schema.normalize import detect_format, normalize

    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        fail(f"{path}: cannot read file: {reason}")
    document = _parse(path, text)
    schema_format = fmt or detect_format(document, path.name)
    try:
        return normalize(document, schema_format)
    except TesseraError as exc:
        fail(f"{path}: invalid {SchemaFormat(schema_format).value} schema: {exc}")
    except (ValueError, TypeError, KeyError) as exc:  # a normalizer tripping over malformed input
        fail(f"{path}: invalid {SchemaFormat(schema_format).value} schema: {exc}")


def _run(args: argparse.Namespace) -> int:
    from tessera_core.compat.check import check_transitive_compatibility

    if len(args.files) < 2:
        fail("need at least two files: OLD NEW [MORE...]")
    schemas = [_load(name, args.format) for name in args.files]
    policy = "lenient" if args.lenient else "strict"
    report = check_transitive_compatibility(schemas[:-1], schemas[-1], Mode(args.mode), policy=policy)
    if args.json:
        print_json(report.to_dict())
    else:
        _print_human(report)
    return EXIT_OK if report.compatible else EXIT_INCOMPATIBLE


def _print_human(report: Any) -> None:
    breaking = len(report.breaking_changes)
    if report.compatible:
        verdict = f"compatible ({report.mode.value}): suggested bump {report.suggested_bump.value}"
    else:
        noun = "change" if breaking == 1 else "changes"
        verdict = f"incompatible ({report.mode.value}): {breaking} breaking {noun}; suggested bump {report.suggested_bump.value}"
    print(verdict)
    if not report.changes:
        print("  no changes")
    for change in report.changes:
        print(f"  {change.severity.value:<9}  {change.path or '/'}  {change.message}  [{change.rule}]")
