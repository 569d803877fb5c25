"""``/health/live`` (the process answers) and ``/health/ready`` (database reachable and migrated)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service.deps import DatabaseDep
from service.errors import NotReady
from service.migrate import current_revision, head_revision
from tessera_core.models import Health

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", response_model=Health)
def live() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/ready", response_model=Health, responses={503: {"description": "not ready"}})
def ready(db: DatabaseDep) -> Health:
    """The database answers and is at the migration head."""
    try:
        with db.read_engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current_revision(db.read_engine)
    except SQLAlchemyError as exc:
        raise NotReady(f"database unreachable: {type(exc).__name__}", database="unreachable") from exc
    head = head_revision()
    if revision != head:
        raise NotReady(
            f"database is at migration {revision or 'none'}, code needs {head}: run `tessera db upgrade`",
            database="not migrated",
        )
    return Health(status="ok", checks={"database": "ok", "migration": head})
