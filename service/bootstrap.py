"""Start-up: migrate or refuse, and install the first admin key on a new database."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from service.auth import generate_token
from service.context import Ctx
from service.db import Database
from service.migrate import current_revision, head_revision, upgrade
from service.settings import Settings
from service.teams.repository import TeamRepository
from service.teams.service import create_key, create_team
from tessera_core.models import KeyCreate, Scope

ADMIN_TEAM = "admin"


class NotMigratedError(RuntimeError):
    """The database is not at the migration head and this service may not migrate it."""


def prepare_database(db: Database, settings: Settings) -> None:
    """Migrate (embedded SQLite, or when TESSERA_AUTO_MIGRATE is on) or refuse an un-migrated database."""
    if settings.auto_migrate:
        upgrade(db.write_engine)
        return
    revision, head = current_revision(db.write_engine), head_revision()
    if revision != head:
        url = db.write_engine.url.render_as_string(hide_password=True)
        raise NotMigratedError(
            f"the database {url} is at migration {revision or 'none (empty)'} but this Tessera needs {head}; "
            "run `tessera db upgrade` (with the same TESSERA_DATABASE_URL) and start again"
        )


def bootstrap_admin(db: Database, settings: Settings) -> str | None:
    """On a database without any API key, create the ``admin`` team and an admin key.

    Returns the new token when it was generated (to print once); None when keys existed already or the
    token came from TESSERA_BOOTSTRAP_ADMIN_KEY.
    """
    try:
        with db.session() as session:
            repo = TeamRepository(session)
            if repo.count_keys() > 0:
                return None
            ctx = Ctx(session, None, settings)
            if repo.by_name(ADMIN_TEAM) is None:
                create_team(session, None, ADMIN_TEAM)
            token = settings.bootstrap_admin_key or generate_token()
            create_key(
                ctx.session,
                None,
                KeyCreate(team=ADMIN_TEAM, scopes=[Scope.ADMIN], name="bootstrap admin key"),
                token=token,
            )
    except IntegrityError:  # another replica bootstrapped at the same moment
        return None
    return None if settings.bootstrap_admin_key else token
