"""Fixtures for the dbt integration: real dbt-duckdb projects copied to temp dirs.

dbt is slow to import and parse, so read-only tests share one parsed producer/consumer per session;
tests that edit a project get their own copy (and so their own FQNs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.dbt_project import CONSUMER, PRODUCER, DbtProject

pytest.importorskip("dbt.cli.main", reason="dbt-core is not installed (install the 'dbt' extra)")


@pytest.fixture(scope="session", name="shared_producer")
def shared_producer_fixture(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The producer project, parsed once; do not edit it."""
    project = DbtProject(PRODUCER, tmp_path_factory.mktemp("shared_producer"))
    assert project.invoke("parse").success
    return project


@pytest.fixture(scope="session", name="shared_consumer")
def shared_consumer_fixture(
    tmp_path_factory: pytest.TempPathFactory, shared_producer: DbtProject
) -> DbtProject:
    """The consumer project (its sources point at the shared producer's tables), parsed once."""
    project = DbtProject(
        CONSUMER,
        tmp_path_factory.mktemp("shared_consumer"),
        replacements={"__PRODUCER_DB__": shared_producer.database},
    )
    assert project.invoke("parse").success
    return project


@pytest.fixture(name="new_project")
def new_project_fixture(tmp_path: Path) -> Callable[..., DbtProject]:
    """Factory for a fresh, editable copy of a fixture project."""

    def make(source: Path = PRODUCER, **replacements: str) -> DbtProject:
        return DbtProject(source, tmp_path, replacements=replacements)

    return make


def capture(project: DbtProject, macro: str, **kwargs: Any) -> dict[str, Any]:
    """Run a tessera macro with delivery switched off; the payload it logged."""
    from tessera_dbt.plugin import capture_payloads

    with capture_payloads() as captured:
        result = project.run_operation(macro, **kwargs)
    assert result.success, result.text
    assert len(captured) == 1
    return captured[0]


@pytest.fixture(name="no_service_env")
def no_service_env_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """TESSERA_URL / TESSERA_API_KEY unset."""
    monkeypatch.delenv("TESSERA_URL", raising=False)
    monkeypatch.delenv("TESSERA_API_KEY", raising=False)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(name="tessera_cli")
def tessera_cli_fixture(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """The real ``tessera`` CLI, in-process (a subprocess could not open the DuckDB file this process holds)."""
    from tessera_cli.main import main

    def run(*args: str, env: dict[str, str] | None = None) -> CliResult:
        for name in ("TESSERA_URL", "TESSERA_API_KEY"):
            monkeypatch.delenv(name, raising=False)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
