"""Queries on assets, contracts and lineage edges."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.models import Asset, Contract, LineageEdge


class AssetRepository:
    """Data access for assets and their contracts."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _locks(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def get(self, fqn: str, *, lock: bool = False) -> Asset | None:
        """The asset called ``fqn``; with ``lock``, row-locked until the transaction ends (PostgreSQL)."""
        query = select(Asset).where(Asset.fqn == fqn)
        if lock:
            # re-read the row once we hold the lock, even if the session already had it
            query = query.execution_options(populate_existing=True)
            if self._locks:
                query = query.with_for_update()
        return self.session.scalar(query)

    def lock_many(self, fqns: Iterable[str]) -> dict[str, Asset]:
        """Lock existing assets in FQN order (one lock order for everyone: no deadlocks)."""
        wanted = sorted(set(fqns))
        found: dict[str, Asset] = {}
        for start in range(0, len(wanted), 500):
            query = select(Asset).where(Asset.fqn.in_(wanted[start : start + 500])).order_by(Asset.fqn)
            query = query.execution_options(populate_existing=True)
            if self._locks:
                query = query.with_for_update()
            found.update((a.fqn, a) for a in self.session.scalars(query))
        return found

    def get_many(self, fqns: Iterable[str]) -> dict[str, Asset]:
        """Existing assets by FQN (no lock), in chunks of 500."""
        wanted = sorted(set(fqns))
        found: dict[str, Asset] = {}
        for start in range(0, len(wanted), 500):
            query = select(Asset).where(Asset.fqn.in_(wanted[start : start + 500]))
            found.update((a.fqn, a) for a in self.session.scalars(query))
        return found

    def upstream_ids(self, downstream_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Existing lineage edges: upstream ids per downstream id, in chunks of 500."""
        ids = list(set(downstream_ids))
        found: dict[uuid.UUID, set[uuid.UUID]] = {i: set() for i in ids}
        for start in range(0, len(ids), 500):
            rows = self.session.execute(
                select(LineageEdge.downstream_id, LineageEdge.upstream_id).where(
                    LineageEdge.downstream_id.in_(ids[start : start + 500])
                )
            )
            for downstream_id, upstream_id in rows:
                found[downstream_id].add(upstream_id)
        return found

    def create(self, asset: Asset, *, isolated: bool = True) -> Asset:
        """Insert ``asset``; if another transaction created the same FQN first, lock and return that one.

        ``isolated=False`` (bulk requests) only adds it to the session: it is written with the next flush,
        and a concurrent creation surfaces there as an ``IntegrityError`` for the caller to handle.
        """
        if asset.id is None:
            asset.id = uuid.uuid4()
        if not isolated:
            self.session.add(asset)
            return asset
        try:
            with self.session.begin_nested():
                self.session.add(asset)
                self.session.flush()
            return asset
        except IntegrityError:
            existing = self.get(asset.fqn, lock=True)
            if existing is None:
                raise
            return existing

    def list(self, owner_team_id: uuid.UUID | None, limit: int, offset: int) -> Sequence[Asset]:
        """Assets by FQN, optionally of one owner."""
        query = select(Asset).order_by(Asset.fqn).limit(limit).offset(offset)
        if owner_team_id is not None:
            query = query.where(Asset.owner_team_id == owner_team_id)
        return self.session.scalars(query).all()

    def active_contract(self, asset_id: uuid.UUID) -> Contract | None:
        """The active contract of an asset."""
        return self.session.scalar(
            select(Contract).where(Contract.asset_id == asset_id, Contract.status == "active")
        )

    def active_versions(self, asset_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Active version per asset."""
        ids = list(set(asset_ids))
        if not ids:
            return {}
        rows = self.session.execute(
            select(Contract.asset_id, Contract.version).where(
                Contract.asset_id.in_(ids), Contract.status == "active"
            )
        )
        return {row.asset_id: row.version for row in rows}

    def history(self, asset_id: uuid.UUID) -> Sequence[Contract]:
        """Every contract of an asset, oldest first."""
        return self.session.scalars(
            select(Contract).where(Contract.asset_id == asset_id).order_by(Contract.seq)
        ).all()

    def next_seq(self, asset_id: uuid.UUID) -> int:
        """The sequence number of the asset's next contract."""
        current = self.session.scalar(select(func.max(Contract.seq)).where(Contract.asset_id == asset_id))
        return int(current or 0) + 1

    def contract_by_id(self, contract_id: uuid.UUID | None) -> Contract | None:
        """One contract by id."""
        return self.session.get(Contract, contract_id) if contract_id else None

    def add_edges(
        self,
        downstream_id: uuid.UUID,
        upstream_ids: Iterable[uuid.UUID],
        *,
        existing: set[uuid.UUID] | None = None,
    ) -> list[uuid.UUID]:
        """Add lineage edges upstream -> downstream that do not exist yet; returns the new upstream ids.

        ``existing`` (the upstream ids already linked, when the caller read them in bulk) saves the query.
        """
        wanted = set(upstream_ids) - {downstream_id}
        if not wanted:
            return []
        if existing is None:
            existing = set(
                self.session.scalars(
                    select(LineageEdge.upstream_id).where(
                        LineageEdge.downstream_id == downstream_id, LineageEdge.upstream_id.in_(wanted)
                    )
                )
            )
        new = sorted(wanted - existing)
        existing.update(new)
        for upstream_id in new:
            self.session.add(LineageEdge(upstream_id=upstream_id, downstream_id=downstream_id))
        return new
