"""Wire forms of proposals and gates, and the lazy expiry that reads apply."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from service.assets.repository import AssetRepository
from service.context import Ctx
from service.db import Database
from service.models import Asset, Proposal
from service.models.base import utcnow
from service.proposals.consumers import affected_consumers, major_of
from service.proposals.repository import ProposalRepository
from service.proposals.service import expire_due_ids
from service.registrations.repository import RegistrationRepository
from service.settings import Settings
from service.teams.repository import TeamRepository
from tessera_core.models import (
    Acknowledgment,
    ChangeInfo,
    ConsumerAnswer,
    Decision,
    ProposalStatus,
    ProposalSummary,
)
from tessera_core.models import Proposal as ProposalOut

T = TypeVar("T")


def is_due(status: str, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a proposal is live but past its expiry (to be expired on read)."""
    return status in ("open", "blocked") and expires_at is not None and expires_at <= now


def with_lazy_expiry(
    db: Database, settings: Settings, session: Session, compute: Callable[[], tuple[T, list[uuid.UUID]]]
) -> T:
    """Run a read; if it saw live proposals past their expiry, expire them (own write transaction) and
    read again, so no reader ever sees an expired proposal as open."""
    result, due = compute()
    if not due:
        return result
    with db.session(write=True) as writer:
        expire_due_ids(Ctx(writer, None, settings), due)
    session.rollback()  # start a fresh snapshot
    result, _ = compute()
    return result


def summary(proposal: Proposal, fqn: str) -> ProposalSummary:
    """Short form."""
    return ProposalSummary(
        id=proposal.id,
        fqn=fqn,
        status=ProposalStatus(proposal.status),
        base_version=proposal.base_version,
        target_version=proposal.target_version,
        created_at=proposal.created_at,
        expires_at=proposal.expires_at,
        awaiting=proposal.awaiting,
        blocking=proposal.blocking,
    )


def proposal_out(session: Session, proposal: Proposal, fqn: str) -> ProposalOut:
    """Full form: consumers (computed from the registrations now) and every recorded answer."""
    acks = ProposalRepository(session).acks(proposal.id)
    consumers: list[ConsumerAnswer] = []
    fingerprints: dict[uuid.UUID, str] = {}
    if ProposalStatus(proposal.status).live:
        asset = session.get(Asset, proposal.asset_id)
        assert asset is not None
        active = AssetRepository(session).active_contract(asset.id)
        affected = affected_consumers(
            RegistrationRepository(session).consumers(asset.id),
            owner_team_id=asset.owner_team_id,
            active_major=major_of(active.version if active else None),
            breaking_changes=[c for c in proposal.changes if c.get("severity") == "breaking"],
        )
        by_team = {a.team_id: a for a, _ in acks}
        for team in sorted(affected.values(), key=lambda a: a.team_name):
            fingerprints[team.team_id] = team.fingerprint
            ack = by_team.get(team.team_id)
            current = ack is not None and ack.changes_fingerprint == team.fingerprint
            consumers.append(
                ConsumerAnswer(
                    team=team.team_name,
                    consumer_refs=team.consumer_refs,
                    decision=Decision(ack.decision) if ack and current else None,
                    pending=not current,
                )
            )
    names = TeamRepository(session).names([proposal.proposed_by_team_id])
    published = AssetRepository(session).contract_by_id(proposal.published_contract_id)
    return ProposalOut(
        **summary(proposal, fqn).model_dump(),
        schema=proposal.schema_,
        source=proposal.source,
        format=proposal.format,
        guarantees=proposal.guarantees,
        changes=[ChangeInfo.model_validate(c) for c in proposal.changes],
        proposed_by=names.get(proposal.proposed_by_team_id) if proposal.proposed_by_team_id else None,
        resolved_at=proposal.resolved_at,
        reason=proposal.reason,
        superseded_by=proposal.superseded_by_id,
        published_version=published.version if published else None,
        consumers=consumers,
        acknowledgments=[
            Acknowledgment(
                team=name,
                decision=Decision(a.decision),
                note=a.note,
                migration_deadline=a.migration_deadline,
                acknowledged_at=a.acknowledged_at,
                current=fingerprints.get(a.team_id) == a.changes_fingerprint if fingerprints else True,
            )
            for a, name in acks
        ],
    )


def etag_of(body: dict[str, Any]) -> str:
    """A strong validator of a gate answer."""
    blob = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag``."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/").strip('"') for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def due_ids(rows: Iterable[tuple[uuid.UUID | None, str | None, datetime | None]]) -> list[uuid.UUID]:
    """Ids of live proposals past their expiry among (id, status, expires_at) rows."""
    now = utcnow()
    return [
        pid for pid, status, expires in rows if pid is not None and status and is_due(status, expires, now)
    ]
