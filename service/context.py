"""What every domain operation needs: the session, the caller, the settings and one notion of 'now'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.auth import Principal
from service.models import Asset
from service.models.base import utcnow
from service.settings import Settings


@dataclass
class Ctx:
    """Context of one operation (``actor`` None = the service itself, e.g. the expiry sweep)."""

    session: Session
    actor: Principal | None
    settings: Settings
    now: datetime = field(default_factory=utcnow)

    def proposal_ttl(self, asset: Asset) -> timedelta:
        """How long a new proposal on ``asset`` stays open."""
        if asset.proposal_ttl_seconds:
            return timedelta(seconds=asset.proposal_ttl_seconds)
        return self.settings.proposal_ttl
