"""Proposals and acknowledgments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, IdMixin, utcnow

LIVE = "status IN ('open', 'blocked')"


class Proposal(IdMixin, Base):
    """A breaking change waiting for the acknowledgments of its affected consumers.

    ``awaiting`` and ``blocking`` are recomputed from the live registrations whenever anything that can
    change them happens (ack, registration, policy change, publish), so a gate read is one query.
    """

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_asset_status", "asset_id", "status"),
        Index("ix_proposals_status_expires", "status", "expires_at"),
        Index(
            "uq_proposals_one_live",
            "asset_id",
            unique=True,
            sqlite_where=text(LIVE),
            postgresql_where=text(LIVE),
        ),
    )

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"))
    base_contract_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contracts.id"))
    base_version: Mapped[str | None] = mapped_column(String(64))
    schema_: Mapped[dict[str, Any]] = mapped_column("schema")
    source: Mapped[Any]
    format: Mapped[str] = mapped_column(String(32))
    guarantees: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    target_version: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    awaiting: Mapped[list[str]] = mapped_column(default=list)
    blocking: Mapped[list[str]] = mapped_column(default=list)
    expires_at: Mapped[datetime | None]
    proposed_by_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"))
    proposed_key_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[uuid.UUID | None]
    published_contract_id: Mapped[uuid.UUID | None]


class Acknowledgment(IdMixin, Base):
    """A team's answer. It counts only while ``changes_fingerprint`` matches the changes that concern the
    team now (answers reset where the changes differ)."""

    __tablename__ = "acknowledgments"
    __table_args__ = (UniqueConstraint("proposal_id", "team_id"),)

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposals.id"))
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"))
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    migration_deadline: Mapped[datetime | None]
    changes_fingerprint: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[uuid.UUID | None]
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)
