"""Failures that need no running service: each is a clear message and a non-zero exit."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.dbt.conftest import CliResult
from tests.dbt.dbt_project import DbtProject


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(name="down_url")
def down_url_fixture(monkeypatch: pytest.MonkeyPatch) -> str:
    url = _closed_port_url()
    monkeypatch.setenv("TESSERA_URL", url)
    monkeypatch.setenv("TESSERA_API_KEY", "tk_unused")
    return url


def test_publish_with_service_down_fails_with_the_url(shared_producer: DbtProject, down_url: str) -> None:
    result = shared_producer.run_operation("tessera_publish")
    assert not result.success
    assert f"could not reach Tessera at {down_url}" in result.text
    assert "TESSERA_URL" in result.text


@pytest.mark.usefixtures("down_url")
def test_gate_with_service_down_stops_the_run(shared_producer: DbtProject) -> None:
    result = shared_producer.run_operation("tessera_check")
    assert not result.success
    assert "could not reach Tessera" in result.text


@pytest.mark.usefixtures("no_service_env")
def test_missing_url_says_what_to_set(shared_producer: DbtProject) -> None:
    result = shared_producer.run_operation("tessera_publish")
    assert not result.success
    assert "TESSERA_URL is not set" in result.text


def test_cli_service_down_exits_2_naming_the_url(
    shared_producer: DbtProject, tessera_cli: Callable[..., CliResult]
) -> None:
    url = _closed_port_url()
    out = tessera_cli(
        "dbt", "publish", *shared_producer.dir_args, env={"TESSERA_URL": url, "TESSERA_API_KEY": "tk_unused"}
    )
    assert out.returncode == 2, out.stderr
    assert f"could not reach Tessera at {url}" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_without_url_exits_2(shared_producer: DbtProject, tessera_cli: Callable[..., CliResult]) -> None:
    out = tessera_cli(
        "dbt",
        "check",
        *shared_producer.dir_args,
        "--manifest",
        str(shared_producer.path("target/manifest.json")),
    )
    assert out.returncode == 2
    assert "TESSERA_URL is not set" in out.stderr


def test_bad_yaml_fails_with_dbts_message(
    new_project: Callable[..., DbtProject], down_url: str, tessera_cli: Callable[..., CliResult]
) -> None:
    project = new_project()
    project.replace("models/schema.yml", "  - name: customers\n", "  - name: customers\n   bad: [indent\n")
    result = project.run_operation("tessera_publish")
    assert not result.success
    assert "schema.yml" in result.text
    out = tessera_cli(
        "dbt", "publish", *project.dir_args, env={"TESSERA_URL": down_url, "TESSERA_API_KEY": "k"}
    )
    assert out.returncode == 2
    assert "dbt run-operation tessera_publish failed" in out.stderr
    assert "schema.yml" in out.stderr
    assert "Traceback" not in out.stderr


def test_opted_in_model_without_columns_is_an_error(
    new_project: Callable[..., DbtProject], down_url: str
) -> None:
    project = new_project()
    project.replace(
        "models/schema.yml",
        "description: Internal, neither contracted nor opted in.",
        "description: Opted in without columns.\n    config: {meta: {tessera: {publish: true}}}",
    )
    # Only the broken model is selected, so nothing is sent and the unreachable URL is never tried.
    result = project.run_operation("tessera_publish", select="stg_events")
    assert not result.success
    assert "stg_events: declares no columns" in result.text
    assert "could not reach" not in result.text


def test_cli_missing_tessera_package_says_to_add_it(
    tmp_path: Path, shared_producer: DbtProject, tessera_cli: Callable[..., CliResult]
) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "dbt_project.yml").write_text(
        "name: bare\nversion: '1.0'\nconfig-version: 2\nprofile: tessera_test\n"
    )
    (bare / "profiles.yml").write_text(shared_producer.path("profiles.yml").read_text())
    out = tessera_cli(
        "dbt", "publish", "--project-dir", str(bare), "--profiles-dir", str(bare),
        env={"TESSERA_URL": "http://127.0.0.1:9", "TESSERA_API_KEY": "k"},
    )  # fmt: skip
    assert out.returncode == 2
    assert "packages.yml" in out.stderr
