"""Assets, their contract versions and lineage edges."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, IdMixin, utcnow


class Asset(IdMixin, Base):
    """Something with a schema: a table, a topic, an endpoint. ``mode`` is its compatibility policy."""

    __tablename__ = "assets"

    fqn: Mapped[str] = mapped_column(String(500), unique=True)
    kind: Mapped[str] = mapped_column(String(100), default="table")
    owner_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"), index=True)
    mode: Mapped[str] = mapped_column(String(32), default="backward")
    description: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    tags: Mapped[list[str]] = mapped_column(default=list)
    proposal_ttl_seconds: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Contract(IdMixin, Base):
    """A published version of an asset's contract; at most one per asset is ``active``."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("asset_id", "version"),
        UniqueConstraint("asset_id", "seq", name="uq_contracts_asset_seq"),
        Index(
            "uq_contracts_one_active",
            "asset_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"), index=True)
    seq: Mapped[int]
    version: Mapped[str] = mapped_column(String(64))
    schema_: Mapped[dict[str, Any]] = mapped_column("schema")
    source: Mapped[Any]
    format: Mapped[str] = mapped_column(String(32))
    guarantees: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    published_by_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"))
    published_key_id: Mapped[uuid.UUID | None]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class LineageEdge(Base):
    """``upstream`` feeds ``downstream`` (dbt refs, Dagster deps, declared dependencies)."""

    __tablename__ = "lineage_edges"
    __table_args__ = (Index("ix_lineage_edges_downstream", "downstream_id"),)

    upstream_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"), primary_key=True)
    downstream_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
