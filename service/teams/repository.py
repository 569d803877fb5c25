"""Queries on teams and API keys."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import ApiKey, Team


class TeamRepository:
    """Data access for teams and keys."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_name(self, name: str) -> Team | None:
        """The team called ``name``."""
        return self.session.scalar(select(Team).where(Team.name == name))

    def by_names(self, names: Iterable[str]) -> dict[str, Team]:
        """Teams by name (missing names are absent)."""
        wanted = sorted(set(names))
        if not wanted:
            return {}
        return {t.name: t for t in self.session.scalars(select(Team).where(Team.name.in_(wanted)))}

    def names(self, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
        """Team names by id."""
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = self.session.execute(select(Team.id, Team.name).where(Team.id.in_(wanted)))
        return {row.id: row.name for row in rows}

    def all(self) -> Sequence[Team]:
        """Every team, by name."""
        return self.session.scalars(select(Team).order_by(Team.name)).all()

    def count_keys(self) -> int:
        """How many API keys exist (zero on a new database)."""
        return int(self.session.scalar(select(func.count()).select_from(ApiKey)) or 0)

    def key(self, key_id: uuid.UUID) -> ApiKey | None:
        """One key by id."""
        return self.session.get(ApiKey, key_id)

    def keys(self, team_id: uuid.UUID | None) -> Sequence[ApiKey]:
        """Keys, optionally of one team, oldest first."""
        query = select(ApiKey).order_by(ApiKey.created_at)
        if team_id is not None:
            query = query.where(ApiKey.team_id == team_id)
        return self.session.scalars(query).all()
