"""Running the service: health probes, migrations, the un-migrated-database refusal, ``tessera serve``."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from service.bootstrap import NotMigratedError, prepare_database
from service.db import Database
from service.migrate import head_revision
from service.models import Base
from service.settings import Settings
from tessera_cli.main import main
from tessera_core import AsyncTesseraClient
from tests.service.schemas import V1, V1_DROP_EMAIL

REPO = Path(__file__).resolve().parents[2]


def test_health_probes(tessera_server, admin_client) -> None:
    assert httpx.get(f"{tessera_server.base_url}/health/live").json()["status"] == "ok"
    ready = admin_client.health()
    assert ready.status == "ok"
    assert ready.checks == {"database": "ok", "migration": head_revision()}
    assert httpx.get(f"{tessera_server.base_url}/docs").status_code == 200
    assert "/api/v1/publish" in httpx.get(f"{tessera_server.base_url}/openapi.json").json()["paths"]


def test_migrations_match_the_models(database_url, tessera_server) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_an_unmigrated_database_is_refused_with_what_to_run(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", auto_migrate=False)
    db = Database(settings)
    try:
        with pytest.raises(NotMigratedError, match="run `tessera db upgrade`"):
            prepare_database(db, settings)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_an_unmigrated_postgres_is_refused_by_tessera_serve(capsys) -> None:
    url = os.environ.get("TESSERA_TEST_DATABASE_URL")
    if not url:
        pytest.skip("TESSERA_TEST_DATABASE_URL is not set (CI sets it)")
    from tests.postgres import fresh_postgres_database

    with fresh_postgres_database(url) as fresh:
        assert main(["serve", "--database-url", fresh, "--port", "0"]) == 2
        assert "run `tessera db upgrade`" in capsys.readouterr().err
        assert main(["db", "upgrade", "--database-url", fresh]) == 0
        assert "migrated empty ->" in capsys.readouterr().out
        assert main(["db", "current", "--database-url", fresh, "--json"]) == 0
        assert f'"revision": "{head_revision()}"' in capsys.readouterr().out


def test_tessera_db_upgrade_is_idempotent(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert "migrated empty ->" in capsys.readouterr().out
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert "already at" in capsys.readouterr().out


def test_bad_configuration_fails_fast_naming_the_variable(capsys, monkeypatch) -> None:
    monkeypatch.setenv("TESSERA_PROPOSAL_TTL", "-5")
    assert main(["db", "upgrade", "--database-url", "sqlite:///:memory:"]) == 2
    assert "TESSERA_PROPOSAL_TTL" in capsys.readouterr().err
    monkeypatch.delenv("TESSERA_PROPOSAL_TTL")
    assert main(["db", "upgrade", "--database-url", "mysql://x"]) == 2
    assert "sqlite:/// or postgresql://" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env["TESSERA_HOME"] = str(home)
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tessera_cli.main", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"tessera serve did not become ready:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_tessera_serve_on_a_fresh_machine_prints_the_admin_key_once(tmp_path: Path) -> None:
    home, port = tmp_path / "home", _free_port()
    first_log, second_log = tmp_path / "1.log", tmp_path / "2.log"
    proc = _serve(home, port, first_log)
    try:
        _wait_ready(proc, port, first_log)
    finally:
        _stop(proc)
    assert (home / "tessera.db").exists()
    output = first_log.read_text()
    token = next(line.strip() for line in output.splitlines() if line.strip().startswith("tsk_"))
    proc = _serve(home, port, second_log)
    try:
        _wait_ready(proc, port, second_log)
        headers = {"Authorization": f"Bearer {token}"}
        teams = httpx.get(f"http://127.0.0.1:{port}/api/v1/teams", headers=headers)
    finally:
        _stop(proc)
    assert token not in second_log.read_text()
    assert [t["name"] for t in teams.json()] == ["admin"]


def test_async_client_against_the_real_service(tessera_server, make_team, unique) -> None:
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")

    async def scenario() -> None:
        async with (
            AsyncTesseraClient(tessera_server.base_url, producer.key) as p,
            AsyncTesseraClient(tessera_server.base_url, consumer.key) as c,
        ):
            assert (await p.publish(fqn, V1)).outcome == "published"
            await c.register(fqn, source="airflow", consumer_ref="airflow:dag.task")
            proposal = await p.publish(fqn, V1_DROP_EMAIL)
            gates = await asyncio.gather(*(c.gate(fqn) for _ in range(10)))
            assert {g.state for g in gates} == {"pending"}
            assert (await c.acknowledge(proposal.proposal_id, "approved")).status == "published"
            assert (await c.proposal_gate(proposal.proposal_id)).published_version == "2.0.0"

    asyncio.run(scenario())
