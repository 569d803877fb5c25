"""Append-only audit log, transactional outbox and idempotency records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, BigId, utcnow


class AuditEvent(Base):
    """One state change: who (team, key, user agent), what (action, entity), payload, when."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_fqn", "fqn", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_team_id: Mapped[uuid.UUID | None]
    actor_team: Mapped[str | None] = mapped_column(String(100))
    key_id: Mapped[uuid.UUID | None]
    user_agent: Mapped[str | None] = mapped_column(String(500))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    asset_id: Mapped[uuid.UUID | None]
    fqn: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxEvent(Base):
    """An event written in the same transaction as the change; delivered after commit (webhooks)."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_type: Mapped[str] = mapped_column(String(64))
    fqn: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class IdempotencyRecord(Base):
    """The answer to a request sent with an ``Idempotency-Key``, replayed for retries."""

    __tablename__ = "idempotency_records"

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
