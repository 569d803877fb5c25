"""Queries on registrations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Asset, Registration, Team
from service.proposals.consumers import Consumer


class RegistrationRepository:
    """Data access for registrations."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, asset_id: uuid.UUID, team_id: uuid.UUID, consumer_ref: str) -> Registration | None:
        """The registration with this idempotency key."""
        return self.session.scalar(
            select(Registration).where(
                Registration.asset_id == asset_id,
                Registration.team_id == team_id,
                Registration.consumer_ref == consumer_ref,
            )
        )

    def find_many(
        self, asset_ids: Iterable[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID, str], Registration]:
        """Every registration on these assets by idempotency key (in chunks of 500 assets)."""
        ids = list(set(asset_ids))
        found: dict[tuple[uuid.UUID, uuid.UUID, str], Registration] = {}
        for start in range(0, len(ids), 500):
            query = select(Registration).where(Registration.asset_id.in_(ids[start : start + 500]))
            for reg in self.session.scalars(query):
                found[(reg.asset_id, reg.team_id, reg.consumer_ref)] = reg
        return found

    def consumers(self, asset_id: uuid.UUID) -> list[Consumer]:
        """Every registration on an asset, with team names."""
        rows = self.session.execute(
            select(Registration, Team.name)
            .join(Team, Team.id == Registration.team_id)
            .where(Registration.asset_id == asset_id)
            .order_by(Team.name, Registration.consumer_ref)
        )
        return [_consumer(reg, name) for reg, name in rows]

    def consumers_of(self, asset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Consumer]]:
        """:meth:`consumers` of many assets at once (in chunks of 500); every id gets a list."""
        found: dict[uuid.UUID, list[Consumer]] = {asset_id: [] for asset_id in asset_ids}
        ids = list(found)
        for start in range(0, len(ids), 500):
            rows = self.session.execute(
                select(Registration, Team.name)
                .join(Team, Team.id == Registration.team_id)
                .where(Registration.asset_id.in_(ids[start : start + 500]))
                .order_by(Team.name, Registration.consumer_ref)
            )
            for reg, name in rows:
                found[reg.asset_id].append(_consumer(reg, name))
        return found

    def listing(
        self, asset_id: uuid.UUID | None, team_id: uuid.UUID | None, limit: int = 10_000
    ) -> Sequence[tuple[Registration, str, str]]:
        """(registration, asset fqn, team name), filtered."""
        query = (
            select(Registration, Asset.fqn, Team.name)
            .join(Asset, Asset.id == Registration.asset_id)
            .join(Team, Team.id == Registration.team_id)
            .order_by(Asset.fqn, Team.name, Registration.consumer_ref)
            .limit(limit)
        )
        if asset_id is not None:
            query = query.where(Registration.asset_id == asset_id)
        if team_id is not None:
            query = query.where(Registration.team_id == team_id)
        return [(r, fqn, name) for r, fqn, name in self.session.execute(query)]


def _consumer(reg: Registration, team_name: str) -> Consumer:
    return Consumer(
        team_id=reg.team_id,
        team_name=team_name,
        consumer_ref=reg.consumer_ref,
        columns=tuple(reg.columns) if reg.columns is not None else None,
        pinned_major=reg.pinned_major,
    )
