"""Shared fixtures: a REAL Tessera service on loopback, on SQLite and (when configured) PostgreSQL.

Fixtures (use them from any test package):

``database_url`` (session)
    URL of a fresh, empty database for this test session (or xdist worker). Parametrized: ``sqlite``
    always (a file in a temp dir); ``postgresql`` too when ``TESSERA_TEST_DATABASE_URL`` is set (CI always
    sets it): a new database ``tessera_test_<random>`` is created on that server and dropped afterwards.
    Every test that depends on it (directly or through ``tessera_server``) runs once per database, with
    ids ``[sqlite]`` / ``[postgresql]``.

``tessera_server`` (session) -> ``TesseraServer(base_url, admin_key)``
    The real app (``service.app.create_app``) served by uvicorn in a background thread on
    ``127.0.0.1:<free port>``, database migrated (as ``tessera db upgrade`` does), admin team ``admin``
    with the admin key ``admin_key``. A NamedTuple: ``base_url, admin_key = tessera_server``. Its
    ``database_url`` is the ``database_url`` fixture (e.g. to start a second service process on it).
    The server is shared by the session: give every asset/team a unique name (``unique``).

``admin_client`` -> ``TesseraClient`` with the admin key (closed after the test).

``make_team`` -> ``make_team(prefix="team", scopes=("read", "write")) -> TeamHandle(name, key, client)``
    Creates a uniquely-named team and a key for it; ``client`` is a TesseraClient acting for the team.

``unique`` -> ``unique(prefix) -> str``: a name no other test uses (e.g. ``unique("warehouse.orders")``).

Helper: ``start_server(database_url, admin_key, **settings)`` is a context manager yielding a base URL, for
tests that need their own server (e.g. a short proposal TTL).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.postgres import fresh_postgres_database

POSTGRES_ENV = "TESSERA_TEST_DATABASE_URL"


class TesseraServer(NamedTuple):
    """A running service: ``base_url, admin_key = tessera_server``."""

    base_url: str
    admin_key: str


class TeamHandle(NamedTuple):
    """A team created for a test, with a key and a client acting for it."""

    name: str
    key: str
    client: Any  # tessera_core.TesseraClient


def _database_params() -> list[Any]:
    params: list[Any] = ["sqlite"]
    if os.environ.get(POSTGRES_ENV):
        params.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return params


@pytest.fixture(scope="session", params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this session: SQLite, or PostgreSQL when configured."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("tessera-db") / "tessera.db"
        yield f"sqlite:///{path}"
        return
    with fresh_postgres_database(os.environ[POSTGRES_ENV]) as url:
        yield url


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def start_server(database_url: str, admin_key: str, **settings: Any) -> Iterator[str]:
    """Serve the real app on a free loopback port in a background thread; yields its base URL."""
    import uvicorn

    from service.app import create_app
    from service.db import Database
    from service.migrate import upgrade
    from service.settings import Settings

    config = Settings(
        database_url=database_url,
        bootstrap_admin_key=admin_key,
        home=Path(database_url.removeprefix("sqlite:///")).parent
        if database_url.startswith("sqlite")
        else Path("/tmp"),
        **settings,
    )
    db = Database(config)
    try:
        upgrade(db.write_engine)  # what `tessera db upgrade` does
    finally:
        db.dispose()
    app = create_app(config, announce=lambda token: None)
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Tessera test server did not start (see the log above)")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="session")
def tessera_server(database_url: str) -> Iterator[TesseraServer]:
    """The real service on loopback with an admin key: ``base_url, admin_key = tessera_server``."""
    admin_key = "tsk_test_" + secrets.token_urlsafe(24)
    with start_server(database_url, admin_key) as base_url:
        yield TesseraServer(base_url, admin_key)


@pytest.fixture
def unique() -> Callable[[str], str]:
    """``unique(prefix)``: a name no other test uses."""
    return lambda prefix="x": f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def admin_client(tessera_server: TesseraServer) -> Iterator[Any]:
    """A TesseraClient with the admin key."""
    from tessera_core import TesseraClient

    with TesseraClient(tessera_server.base_url, tessera_server.admin_key) as client:
        yield client


@pytest.fixture
def make_team(
    tessera_server: TesseraServer, admin_client: Any, unique: Callable[[str], str]
) -> Iterator[Callable[..., TeamHandle]]:
    """``make_team(prefix="team", scopes=("read", "write")) -> TeamHandle(name, key, client)``."""
    from tessera_core import TesseraClient

    clients: list[Any] = []

    def make(prefix: str = "team", scopes: tuple[str, ...] = ("read", "write")) -> TeamHandle:
        name = unique(prefix)
        admin_client.create_team(name)
        key = admin_client.create_key(name, scopes).token
        client = TesseraClient(tessera_server.base_url, key)
        clients.append(client)
        return TeamHandle(name, key, client)

    yield make
    for client in clients:
        client.close()
