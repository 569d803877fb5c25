"""Consumer registrations: on an asset, never on one contract version."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, IdMixin, utcnow


class Registration(IdMixin, Base):
    """``team`` consumes ``asset`` through ``consumer_ref`` (idempotent key: asset, team, consumer_ref)."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("asset_id", "team_id", "consumer_ref"),)

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"), index=True)
    consumer_ref: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(16))
    columns: Mapped[list[str] | None]
    pinned_major: Mapped[int | None]
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
