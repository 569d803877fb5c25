"""Queries on proposals and acknowledgments, including the one-query gate read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session, aliased

from service.models import Acknowledgment, Asset, Contract, Proposal, Registration, Team

LIVE = ("open", "blocked")


class ProposalRepository:
    """Data access for proposals."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, proposal_id: uuid.UUID) -> Proposal | None:
        """One proposal."""
        return self.session.get(Proposal, proposal_id)

    def live(self, asset_id: uuid.UUID) -> Proposal | None:
        """The open or blocked proposal of an asset (at most one)."""
        return self.session.scalar(
            select(Proposal).where(Proposal.asset_id == asset_id, Proposal.status.in_(LIVE))
        )

    def live_of(self, asset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Proposal]:
        """:meth:`live` for many assets at once (in chunks of 500)."""
        found: dict[uuid.UUID, Proposal] = {}
        ids = list(asset_ids)
        for start in range(0, len(ids), 500):
            query = select(Proposal).where(
                Proposal.asset_id.in_(ids[start : start + 500]), Proposal.status.in_(LIVE)
            )
            found.update((p.asset_id, p) for p in self.session.scalars(query))
        return found

    def acks(self, proposal_id: uuid.UUID) -> list[tuple[Acknowledgment, str]]:
        """Acknowledgments of a proposal with team names."""
        rows = self.session.execute(
            select(Acknowledgment, Team.name)
            .join(Team, Team.id == Acknowledgment.team_id)
            .where(Acknowledgment.proposal_id == proposal_id)
            .order_by(Team.name)
        )
        return [(a, n) for a, n in rows]

    def ack_of(self, proposal_id: uuid.UUID, team_id: uuid.UUID) -> Acknowledgment | None:
        """A team's acknowledgment of a proposal."""
        return self.session.scalar(
            select(Acknowledgment).where(
                Acknowledgment.proposal_id == proposal_id, Acknowledgment.team_id == team_id
            )
        )

    def latest_with_fingerprint(self, asset_id: uuid.UUID, fingerprint: str) -> Proposal | None:
        """The newest proposal of an asset for exactly this content."""
        return self.session.scalar(
            select(Proposal)
            .where(Proposal.asset_id == asset_id, Proposal.fingerprint == fingerprint)
            .order_by(Proposal.created_at.desc())
            .limit(1)
        )

    def latest_with_fingerprints(
        self, wanted: set[tuple[uuid.UUID, str]]
    ) -> dict[tuple[uuid.UUID, str], Proposal]:
        """:meth:`latest_with_fingerprint` for many (asset id, fingerprint) pairs, in chunks of 500 assets."""
        by_asset: dict[uuid.UUID, set[str]] = {}
        for asset_id, content in wanted:
            by_asset.setdefault(asset_id, set()).add(content)
        ids = list(by_asset)
        found: dict[tuple[uuid.UUID, str], Proposal] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            fingerprints = {f for i in chunk for f in by_asset[i]}
            rows = self.session.scalars(
                select(Proposal)
                .where(Proposal.asset_id.in_(chunk), Proposal.fingerprint.in_(fingerprints))
                .order_by(Proposal.created_at)
            )
            for proposal in rows:  # oldest first: the newest wins
                if proposal.fingerprint in by_asset[proposal.asset_id]:
                    found[(proposal.asset_id, proposal.fingerprint)] = proposal
        return found

    def search(
        self,
        *,
        asset_id: uuid.UUID | None,
        statuses: Sequence[str] | None,
        consumer_team_id: uuid.UUID | None,
        limit: int,
    ) -> list[tuple[Proposal, str]]:
        """(proposal, asset fqn), newest first. ``consumer_team_id`` keeps assets the team registered on."""
        query = (
            select(Proposal, Asset.fqn)
            .join(Asset, Asset.id == Proposal.asset_id)
            .order_by(Proposal.created_at.desc())
            .limit(limit)
        )
        if asset_id is not None:
            query = query.where(Proposal.asset_id == asset_id)
        if statuses:
            query = query.where(Proposal.status.in_(list(statuses)))
        if consumer_team_id is not None:
            registered = select(Registration.asset_id).where(Registration.team_id == consumer_team_id)
            query = query.where(Proposal.asset_id.in_(registered))
        return [(p, fqn) for p, fqn in self.session.execute(query)]

    def due(self, now: datetime, limit: int = 500) -> list[tuple[uuid.UUID, str]]:
        """(proposal id, asset fqn) of live proposals past their expiry."""
        rows = self.session.execute(
            select(Proposal.id, Asset.fqn)
            .join(Asset, Asset.id == Proposal.asset_id)
            .where(Proposal.status.in_(LIVE), Proposal.expires_at <= now)
            .limit(limit)
        )
        return [(row.id, row.fqn) for row in rows]

    def asset_gate_row(self, fqn: str) -> Any:
        """Asset, active version and live proposal in ONE indexed query (or None for an unknown asset)."""
        return self.session.execute(_ASSET_GATE, {"fqn": fqn}).first()

    def proposal_gate_row(self, proposal_id: uuid.UUID) -> Any:
        """Proposal status, asset and versions in ONE query."""
        return self.session.execute(_PROPOSAL_GATE, {"proposal_id": proposal_id}).first()


# The gate reads are the hottest queries of the service: their statements are built once (building
# one, with its aliases, costs more than running it).
_active = aliased(Contract, name="active_contract")
_live = aliased(Proposal, name="live_proposal")
_published = aliased(Contract, name="published_contract")

_ASSET_GATE = (
    select(
        Asset.id,
        Asset.fqn,
        _active.version.label("active_version"),
        _live.id.label("proposal_id"),
        _live.status,
        _live.base_version,
        _live.target_version,
        _live.created_at,
        _live.expires_at,
        _live.awaiting,
        _live.blocking,
    )
    .outerjoin(_active, and_(_active.asset_id == Asset.id, _active.status == "active"))
    .outerjoin(_live, and_(_live.asset_id == Asset.id, _live.status.in_(LIVE)))
    .where(Asset.fqn == bindparam("fqn"))
)

_PROPOSAL_GATE = (
    select(
        Proposal.id,
        Proposal.status,
        Proposal.awaiting,
        Proposal.blocking,
        Proposal.expires_at,
        Asset.fqn,
        _active.version.label("active_version"),
        _published.version.label("published_version"),
    )
    .join(Asset, Asset.id == Proposal.asset_id)
    .outerjoin(_active, and_(_active.asset_id == Asset.id, _active.status == "active"))
    .outerjoin(_published, _published.id == Proposal.published_contract_id)
    .where(Proposal.id == bindparam("proposal_id"))
)
