"""Dependencies as ``Annotated`` aliases: sessions (commit/rollback owned here) and callers by scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

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


def write_session(request: Request) -> Iterator[Session]:
    """A session for a mutating request: committed before the response is sent, rolled back on error."""
    with get_db(request).session(write=True) as session:
        yield session


def read_session(request: Request) -> Iterator[Session]:
    """A session for a read-only request (never waits for writers on SQLite)."""
    with get_db(request).session(write=False) as session:
        yield session


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
