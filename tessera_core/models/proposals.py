"""Proposals, acknowledgments and gate reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field

from tessera_core.models.base import RequestModel, ResponseModel
from tessera_core.models.enums import Decision, GateState, ProposalStatus
from tessera_core.models.publishing import ChangeInfo
from tessera_core.types import SchemaFormat


class AcknowledgeRequest(RequestModel):
    """A team's answer to a proposal (always for the caller's own team)."""

    decision: Decision
    note: str | None = Field(default=None, max_length=5000)
    migration_deadline: AwareDatetime | None = Field(default=None, description="timezone-aware")


class ForceRequest(RequestModel):
    """Admin force: publish the proposal now, without the missing acknowledgments."""

    reason: str = Field(min_length=3, max_length=5000, description="why; kept in the audit log")


class Acknowledgment(ResponseModel):
    """A recorded answer. ``current`` is False when the changes it answered have since changed."""

    team: str
    decision: Decision
    note: str | None = None
    migration_deadline: datetime | None = None
    acknowledged_at: datetime
    current: bool = True


class ConsumerAnswer(ResponseModel):
    """An affected consumer team and where it stands."""

    team: str
    consumer_refs: list[str] = Field(default_factory=list)
    decision: Decision | None = None
    pending: bool = True


class ProposalSummary(ResponseModel):
    """The short form of a proposal (gate reads, lists)."""

    id: uuid.UUID
    fqn: str
    status: ProposalStatus
    base_version: str | None = None
    target_version: str | None = None
    created_at: datetime
    expires_at: datetime | None = None
    awaiting: list[str] = Field(default_factory=list)
    blocking: list[str] = Field(default_factory=list)


class Proposal(ProposalSummary):
    """A breaking change waiting for its affected consumers."""

    schema_: dict[str, Any] = Field(alias="schema", description="proposed canonical JSON Schema")
    source: Any = None
    format: SchemaFormat
    guarantees: dict[str, Any] = Field(default_factory=dict)
    changes: list[ChangeInfo] = Field(default_factory=list)
    proposed_by: str | None = None
    resolved_at: datetime | None = None
    reason: str | None = None
    superseded_by: uuid.UUID | None = None
    published_version: str | None = None
    consumers: list[ConsumerAnswer] = Field(default_factory=list)
    acknowledgments: list[Acknowledgment] = Field(default_factory=list)


class AssetGate(ResponseModel):
    """Gate of an asset, read by every integration (ETag-aware)."""

    fqn: str
    state: GateState
    active_version: str | None = None
    proposal: ProposalSummary | None = None
    etag: str | None = Field(default=None, description="also sent as the ETag header")
    not_modified: bool = Field(default=False, description="set by the client on a 304 answer")


class ProposalGate(ResponseModel):
    """Gate of one proposal: where it is, and who it still waits for (ETag-aware)."""

    id: uuid.UUID
    fqn: str
    status: ProposalStatus
    awaiting: list[str] = Field(default_factory=list)
    blocking: list[str] = Field(default_factory=list)
    published_version: str | None = None
    active_version: str | None = None
    etag: str | None = Field(default=None, description="also sent as the ETag header")
    not_modified: bool = Field(default=False, description="set by the client on a 304 answer")
