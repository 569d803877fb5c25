"""Run a tessera macro in-process with ``dbtRunner`` and capture the payload it logs (for the CLI).

The plugin's own callback is passed to dbt and set to capture mode, so the payload is collected even
when dbt cannot discover the plugin, and never delivered twice when it can.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tessera_dbt.errors import DbtInvocationError

_MISSING_MACRO_HINT = (
    "add the tessera package to the project's packages.yml (see docs/dbt.md) and run `dbt deps`"
)


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def dbt_args(
    *,
    project_dir: Path,
    profiles_dir: Path | None = None,
    target: str | None = None,
) -> list[str]:
    """Common dbt flags for every invocation the CLI makes."""
    args = ["--project-dir", str(project_dir)]
    if profiles_dir is not None:
        args += ["--profiles-dir", str(profiles_dir)]
    if target:
        args += ["--target", target]
    return args


def run_operation(
    command: str,
    options: Mapping[str, Any],
    *,
    project_dir: Path,
    profiles_dir: Path | None = None,
    target: str | None = None,
    quiet: bool = True,
) -> dict[str, Any]:
    """``dbt run-operation tessera_<command> --args <options>`` in-process; the payload it logged."""
    from dbt.cli.main import dbtRunner

    from tessera_dbt.plugin import DELIVERY_ENV, capture_payloads, forward

    errors: list[str] = []

    def on_error(event: Any) -> None:
        if getattr(event.info, "level", "") == "error" and event.info.msg:
            errors.append(str(event.info.msg))

    args = [
        # dbt's own console output is off: its errors come back in result.exception, and our summary
        # (or --json) is the only thing on stdout.
        *(["--log-level", "none"] if quiet else []),
        # Rewriting target/manifest.json is most of run-operation's fixed cost on big projects, and
        # nothing here needs it.
        "--no-write-json",
        "run-operation",
        f"tessera_{command}",
        "--args",
        json.dumps(dict(options)),
        *dbt_args(project_dir=project_dir, profiles_dir=profiles_dir, target=target),
    ]
    with _env(DELIVERY_ENV, "cli"), capture_payloads() as captured:
        result = dbtRunner(callbacks=[forward, on_error]).invoke(args)
    if captured:
        return captured[-1]
    detail = (
        str(result.exception) if result.exception else "; ".join(errors) or "no Tessera payload was logged"
    )
    if "could not find a macro" in detail.lower():
        detail = f"{detail.strip()}\n  Hint: {_MISSING_MACRO_HINT}"
    raise DbtInvocationError(f"dbt run-operation tessera_{command} failed in {project_dir}: {detail.strip()}")
