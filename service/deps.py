"""Dependencies as ``Annotated`` aliases: sessions (commit/rollback owned here) and callers by scope."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.orm import Session

from service.auth import Principal, authenticate
from service.db import Database
from service.settings import Settings
from tessera_core.models import Scope


def get_db(request: Request) -> Database:
    """The service's :class:`Database`."""
    db: Database = request.app.state.db
    return db


def get_settings_dep(request: Request) -> Settings:
    """The service's settings."""
    settings: Settings = request.app.state.settings
    return settings


def _request_session(*, write: bool) -> Callable[[Request], AsyncIterator[Session]]:
    """The session dependency for mutating (``write``) or read-only requests.

    One session per request, within the database's bound on in-flight request sessions. The session
    connects lazily in the endpoint's worker thread; commit, rollback and close run in worker threads too,
    shielded from cancellation so a connection always goes back to its pool.
    """

    async def dependency(request: Request) -> AsyncIterator[Session]:
        db = get_db(request)
        async with db.request_slots(write=write):
            session = db.new_session(write=write)
            try:
                yield session
                if write:
                    await anyio.to_thread.run_sync(session.commit)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(session.rollback)
                raise
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(session.close)

    return dependency


# committed before the response is sent, rolled back on error
write_session = _request_session(write=True)
# never waits for writers on SQLite; nothing to commit
read_session = _request_session(write=False)


def _caller(scope: Scope):  # type: ignore[no-untyped-def]
    def dependency(request: Request, background: BackgroundTasks) -> Principal:
        principal = authenticate(request, background)
        principal.require(scope)
        return principal

    dependency.__name__ = f"require_{scope}"
    return dependency


SessionDep = Annotated[Session, Depends(write_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(read_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
Reader = Annotated[Principal, Depends(_caller(Scope.READ))]
Writer = Annotated[Principal, Depends(_caller(Scope.WRITE))]
Admin = Annotated[Principal, Depends(_caller(Scope.ADMIN))]
