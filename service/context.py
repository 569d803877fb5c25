"""What every domain operation needs: the session, the caller, the settings and one notion of 'now'."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.auth import Principal
from service.models import Asset, Team
from service.models.base import utcnow
from service.settings import Settings


@dataclass
class Ctx:
    """Context of one operation (``actor`` None = the service itself, e.g. the expiry sweep)."""

    session: Session
    actor: Principal | None
    settings: Settings
    now: datetime = field(default_factory=utcnow)
    _teams: dict[str, Team] = field(default_factory=dict, repr=False)
    _names: dict[uuid.UUID, str] = field(default_factory=dict, repr=False)

    def team(self, name: str, *, what: str = "team") -> Team:
        """The team called ``name`` (404 otherwise); cached for the operation (teams are never renamed)."""
        if name not in self._teams:
            from service.teams.service import require_team

            team = require_team(self.session, name, what=what)
            self._teams[name] = team
            self._names[team.id] = name
        return self._teams[name]

    def team_name(self, team_id: uuid.UUID) -> str:
        """Name of a team by id, cached."""
        if team_id not in self._names:
            from service.teams.repository import TeamRepository

            self._names.update(TeamRepository(self.session).names([team_id]))
        return self._names[team_id]

    def proposal_ttl(self, asset: Asset) -> timedelta:
        """How long a new proposal on ``asset`` stays open."""
        if asset.proposal_ttl_seconds:
            return timedelta(seconds=asset.proposal_ttl_seconds)
        return self.settings.proposal_ttl
