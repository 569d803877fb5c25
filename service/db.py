"""Engines, sessions and the request-scoped session dependency (commits on success, rolls back on error).

SQLite: WAL, foreign keys, a busy timeout, and write transactions opened with ``BEGIN IMMEDIATE`` so two
writers queue instead of failing on a lock upgrade. Read requests use a second engine whose transactions are
plain ``BEGIN``, so gate reads never wait for writers. PostgreSQL: one pooled engine; publishes take a row
lock on the asset (``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from service.settings import Settings


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engines(settings: Settings) -> tuple[Engine, Engine]:
    """(write engine, read engine).

    On PostgreSQL both share one pool; read sessions run in autocommit (psycopg sends no ``BEGIN`` and
    no ``ROLLBACK``: two round trips fewer per gate read). Under PostgreSQL's default READ COMMITTED,
    each statement sees its own snapshot inside a transaction as well, so reads see exactly the same.
    """
    url = settings.database_url
    if settings.is_sqlite:
        return _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False)
    # every query of the service is short: JIT compilation (planned above jit_above_cost, e.g. for the
    # recursive impact walk) costs more than the query itself. Options given in the URL are kept as they are.
    no_jit = {} if "options" in make_url(url).query else {"options": "-c jit=off"}
    engine = create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size * 2,
        pool_pre_ping=True,
        connect_args=no_jit,
    )
    return engine, engine.execution_options(isolation_level="AUTOCOMMIT")


# Connections of each pool kept free of request sessions, for work that checks a connection out and
# returns it within one worker thread (authentication, the webhook worker, gate reads).
RESERVED_CONNECTIONS = 3


def pool_capacity(engine: Engine) -> int:
    """How many connections ``engine``'s pool hands out at most."""
    pool: Any = engine.pool
    size = pool.size() if callable(getattr(pool, "size", None)) else 5
    overflow = getattr(pool, "_max_overflow", 0)
    return int(size) + max(int(overflow), 0)


class Database:
    """The engines and session factories of one service instance."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.write_engine, self.read_engine = make_engines(settings)
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False, autoflush=True)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False, autoflush=True)
        self._slots: dict[bool, anyio.Semaphore] = {}

    def new_session(self, *, write: bool) -> Session:
        """A session that has not connected yet (no I/O); the caller commits or rolls back and closes it."""
        return (self._writer if write else self._reader)()

    def request_slots(self, *, write: bool) -> anyio.Semaphore:
        """The bound on requests holding a session of the write (or read) pool at once.

        A request session keeps its connection from the endpoint's worker thread until its teardown in
        another one. Unbounded, more in-flight requests than pooled connections deadlock: worker threads
        wait for connections held by requests that wait for worker threads. Requests beyond the bound wait
        here, in the event loop, holding neither a thread nor a connection. Created on first use, inside
        the event loop.
        """
        engine = self.write_engine if write else self.read_engine
        # one bound per pool: on PostgreSQL the autocommit read engine shares the write engine's pool
        key = write and self.read_engine.pool is not self.write_engine.pool
        if key not in self._slots:
            capacity = pool_capacity(engine)
            self._slots[key] = anyio.Semaphore(max(1, capacity - RESERVED_CONNECTIONS))
        return self._slots[key]

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.write_engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A session in one transaction: committed when the block succeeds, rolled back otherwise."""
        factory = self._writer if write else self._reader
        with factory() as session:
            try:
                yield session
                if write:
                    session.commit()
                # a read-only session just closes: objects stay readable (detached), nothing to commit
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.write_engine.dispose()
        if self.read_engine.pool is not self.write_engine.pool:
            self.read_engine.dispose()
