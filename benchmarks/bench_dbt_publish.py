"""Benchmark: ``dbt run-operation tessera_publish`` of a generated 2,000-model project, end to end.

Generates a dbt-duckdb project (N contracted models, 10 typed columns each, constraints and tests),
starts a Tessera service on loopback (SQLite in a temp dir) unless TESSERA_URL/TESSERA_API_KEY are set,
then measures, with dbt run in-process (``dbtRunner``, warm imports):

* ``dbt parse`` of the project and a no-op ``run-operation`` (dbt's own costs, for scale);
* the macros alone (collect + log the payload; delivery switched off) and the payload size;
* the same payload built from ``manifest.json`` by the manifest reader;
* ``run-operation tessera_publish`` end to end: first publish (N new assets), re-publish (all unchanged),
  a re-publish after one compatible change, and ``tessera_check`` (dry run);
* the ``tessera dbt publish --manifest`` CLI in a fresh process (no dbt run).

Usage: ``uv run python benchmarks/bench_dbt_publish.py [--models 2000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
COLUMNS = [
    ("id", "integer"),
    ("customer_id", "bigint"),
    ("status", "varchar"),
    ("amount", "decimal(12, 2)"),
    ("created_at", "timestamp"),
    ("updated_on", "date"),
    ("is_active", "boolean"),
    ("score", "double"),
    ("country", "varchar(2)"),
    ("note", "text"),
]
SQL_VALUES = {
    "integer": "1::integer",
    "bigint": "1::bigint",
    "varchar": "'a'::varchar",
    "decimal(12, 2)": "1.5::decimal(12, 2)",
    "timestamp": "now()::timestamp",
    "date": "current_date",
    "boolean": "true",
    "double": "1.0::double",
    "varchar(2)": "'nl'::varchar(2)",
    "text": "'x'::text",
}
T = TypeVar("T")


def generate_project(root: Path, models: int, database: str) -> Path:
    """A dbt project with ``models`` contracted models in 20 folders, each with its own YAML."""
    project = root / "bench"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: bench\nversion: '1.0'\nconfig-version: 2\nprofile: bench\n"
        "vars: {tessera_mode: backward}\nmodels: {bench: {+materialized: view}}\n"
    )
    (project / "packages.yml").write_text(f"packages:\n  - local: {REPO / 'tessera_dbt'}\n")
    (project / "profiles.yml").write_text(
        f"bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {root / database}.duckdb\n"
    )
    select = ", ".join(f"{SQL_VALUES[t]} as {n}" for n, t in COLUMNS)
    per_folder = max(1, models // 20)
    for folder in range((models + per_folder - 1) // per_folder):
        directory = project / "models" / f"area_{folder:02d}"
        directory.mkdir()
        entries = []
        for i in range(folder * per_folder, min(models, (folder + 1) * per_folder)):
            name = f"model_{i:05d}"
            upstream = f"-- depends_on: {{{{ ref('model_{i - 1:05d}') }}}}\n" if i % 10 else ""
            (directory / f"{name}.sql").write_text(f"{upstream}select {select}\n")
            columns = "\n".join(
                f"      - name: {n}\n        data_type: {t}"
                + (
                    "\n        constraints: [{type: not_null}]\n        data_tests: [unique]"
                    if n == "id"
                    else ""
                )
                + (
                    "\n        data_tests:\n          - accepted_values: {arguments: {values: [a, b]}}"
                    if n == "status"
                    else ""
                )
                for n, t in COLUMNS
            )
            entries.append(
                f"  - name: {name}\n    group: team_{folder % 4}\n    config: {{contract: {{enforced: true}}}}\n"
                f"    columns:\n{columns}\n"
            )
        groups = (
            "".join(f"  - name: team_{g}\n    owner: {{name: team_{g}}}\n" for g in range(4))
            if folder == 0
            else ""
        )
        (directory / "schema.yml").write_text(
            "version: 2\n" + (f"groups:\n{groups}" if groups else "") + "models:\n" + "".join(entries)
        )
    return project


def timed(label: str, fn: Callable[[], T], results: dict[str, float]) -> T:
    """Run ``fn`` once, record and print its wall time."""
    start = time.perf_counter()
    value = fn()
    results[label] = time.perf_counter() - start
    print(f"{label:<58} {results[label]:8.2f} s", flush=True)
    return value


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def tessera_service(home: Path) -> Iterator[tuple[str, str]]:
    """(url, admin key): TESSERA_URL/TESSERA_API_KEY if set, else ``tessera serve`` on a free port."""
    if os.environ.get("TESSERA_URL") and os.environ.get("TESSERA_API_KEY"):
        yield os.environ["TESSERA_URL"], os.environ["TESSERA_API_KEY"]
        return
    from tessera_core.client import TesseraClient

    port = free_port()
    key = "tk_bench_" + os.urandom(16).hex()
    env = {**os.environ, "TESSERA_HOME": str(home), "TESSERA_BOOTSTRAP_ADMIN_KEY": key}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tessera_cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with TesseraClient(url, key) as client:
                    client.health()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"tessera serve did not start: {proc.stderr.read() if proc.stderr else ''}"
                    ) from None
                time.sleep(0.2)
        yield url, key
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def invoke(args: list[str], project: Path) -> Any:
    """One in-process dbt invocation; raises when it fails."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke([*args, "--project-dir", str(project), "--profiles-dir", str(project)])
    if not result.success:
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception}")
    return result


def main() -> None:
    """Run the benchmark and print a results table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    args = parser.parse_args()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        database = f"bench_{os.getpid()}"
        project = timed(
            f"generate {args.models}-model project",
            lambda: generate_project(root, args.models, database),
            results,
        )
        timed("import dbt", lambda: __import__("dbt.cli.main"), results)
        invoke(["deps", "--quiet"], project)
        timed("dbt parse (full)", lambda: invoke(["parse", "--quiet"], project), results)

        from tessera_dbt.delivery import deliver
        from tessera_dbt.items import build_publish_plan
        from tessera_dbt.manifest import load_manifest, payload_from_manifest, project_vars
        from tessera_dbt.plugin import capture_payloads
        from tessera_dbt.records import parse_payload

        def macros_only() -> dict[str, Any]:
            with capture_payloads() as captured:
                invoke(["run-operation", "tessera_publish", "--quiet"], project)
            return captured[0]

        timed(
            "no-op run-operation with --no-write-json",
            lambda: invoke(["--no-write-json", "run-operation", "tessera__marker_start", "--quiet"], project),
            results,
        )
        timed(
            "run-operation of a no-op macro (dbt's fixed cost, for scale)",
            lambda: invoke(["run-operation", "tessera__marker_start", "--quiet"], project),
            results,
        )
        payload = timed("run-operation tessera_publish, macros only (no delivery)", macros_only, results)
        size = len(json.dumps(payload))
        timed(
            "manifest reader: payload from manifest.json",
            lambda: payload_from_manifest(
                load_manifest(project / "target" / "manifest.json"),
                command="publish",
                options={},
                vars_=project_vars(project),
            ),
            results,
        )
        plan = timed(
            "build bulk items (incl. local normalizer)",
            lambda: build_publish_plan(parse_payload(payload)),
            results,
        )
        print(f"payload: {size / 1e6:.1f} MB JSON, {len(plan.items)} items", flush=True)

        with tessera_service(root / "tessera_home") as (url, key):
            os.environ["TESSERA_URL"], os.environ["TESSERA_API_KEY"] = url, key
            from tessera_core.client import ConflictError, TesseraClient

            with TesseraClient(url, key) as client:
                for team in range(4):
                    with suppress(ConflictError):  # teams left by an earlier run on the same service
                        client.create_team(f"team_{team}")
            timed(
                "run-operation tessera_publish, first publish (end to end)",
                lambda: invoke(["run-operation", "tessera_publish", "--quiet"], project),
                results,
            )
            timed(
                "run-operation tessera_publish, re-publish (all unchanged)",
                lambda: invoke(["run-operation", "tessera_publish", "--quiet"], project),
                results,
            )
            schema = project / "models" / "area_00" / "schema.yml"
            schema.write_text(schema.read_text().replace("data_type: text", "data_type: varchar", 1))
            timed(
                "run-operation tessera_publish, one compatible change",
                lambda: invoke(["run-operation", "tessera_publish", "--quiet"], project),
                results,
            )
            timed(
                "re-publish (unchanged) with `dbt --no-write-json`",
                lambda: invoke(["--no-write-json", "run-operation", "tessera_publish", "--quiet"], project),
                results,
            )
            timed(
                "run-operation tessera_check (dry run)",
                lambda: invoke(["run-operation", "tessera_check", "--quiet"], project),
                results,
            )
            report = timed(
                "deliver() only: bulk publish of the payload (unchanged)", lambda: deliver(payload), results
            )
            assert report.exit_code == 0, report.failure
            manifest = project / "target" / "manifest.json"
            cli = [sys.executable, "-m", "tessera_cli.main", "dbt", "publish", "--project-dir", str(project)]
            timed(
                "`tessera dbt publish --manifest` CLI, fresh process (unchanged)",
                lambda: subprocess.run([*cli, "--manifest", str(manifest)], check=True, capture_output=True),
                results,
            )


if __name__ == "__main__":
    main()
